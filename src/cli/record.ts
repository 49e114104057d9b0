// `rackpower record <url> [--out FILE] [--raw]`: walks what the SNMP profiles read (the subtrees their OIDs share, plus
// the system group) and writes it as an snmprec file (`OID|type|value`, the format snmpsimd serves), so a device nobody
// has a profile for, or one a profile misreads, can be sent in a bug report and replayed in a test. Unless --raw,
// what identifies the site is replaced with stable placeholders: serial numbers, names, locations, contacts (the system
// group and every profile variable named *.serial, *.name, *.location, *.contact, *.description, *.macaddr, ups.id),
// IP addresses, MAC-like 6-byte values, and the community itself where a card echoes it (trap receiver tables).
import { writeFileSync } from 'node:fs';
import snmp from 'net-snmp';
import { RackpowerError } from '../errors';
import { loadedProfiles } from '../profiles/load';
import type { Profile, SnmpProfile } from '../profiles/types';
import type { SnmpTarget } from '../protocol/snmp/target';
import { parseTarget } from '../url';
import { classifySnmpError, describeTarget, openSession } from '../protocol/snmp/session';
import { customProfile } from './read';
import { defineCommand, parseCommand, URL_FORMS } from './spec';

const SYSTEM_GROUP = '1.3.6.1.2.1.1';
const SYS_CONTACT = '1.3.6.1.2.1.1.4.0';
const SYS_NAME = '1.3.6.1.2.1.1.5.0';
const SYS_LOCATION = '1.3.6.1.2.1.1.6.0';
const ENTERPRISES = '1.3.6.1.4.1';
const MIB2 = '1.3.6.1.2.1';
/** Repetitions per GETBULK; halved down to 1 when an agent answers tooBig. */
const BULK_REPETITIONS = 10;
/** A walk that never leaves its subtree (a looping agent) is cut here. */
const MAX_VARBINDS_PER_SUBTREE = 50_000;

const OID_TEXT = /^\.?\d+(\.\d+)+$/u;
const strip = (oid: string): string => (oid.startsWith('.') ? oid.slice(1) : oid);

function arcs(oid: string): number[] {
  return oid.split('.').map(Number);
}

/** Numeric OID order, the order snmpsimd expects its lines in. */
export function compareOids(a: string, b: string): number {
  const x = arcs(a);
  const y = arcs(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

function isUnder(oid: string, root: string): boolean {
  return oid === root || oid.startsWith(root + '.');
}

/** Every data OID a profile reads: variables, columns, probes, row counters and helper columns, not sysObjectIDs. */
function profileOids(profile: SnmpProfile): string[] {
  const out: string[] = [];
  const visit = (node: unknown, key: string): void => {
    if (key === 'sysObjectID' || key === 'sysObjectIDPrefix' || key === 'enum') return;
    if (typeof node === 'string') {
      if (OID_TEXT.test(node)) out.push(strip(node));
    } else if (Array.isArray(node)) {
      for (const item of node) visit(item, key);
    } else if (node && typeof node === 'object') {
      for (const [k, value] of Object.entries(node)) visit(value, k);
    }
  };
  visit(profile.match, 'match');
  visit(profile.variables, 'variables');
  visit(profile.tables ?? [], 'tables');
  return out;
}

/** The MIB an OID belongs to, the shortest subtree worth walking for it: enterprises.N.M, or mib-2.N. */
function mibRoot(oid: string): string {
  const a = oid.split('.');
  if (isUnder(oid, ENTERPRISES)) return a.slice(0, 8).join('.');
  if (isUnder(oid, MIB2)) return a.slice(0, 7).join('.');
  return a.slice(0, Math.min(a.length, 6)).join('.');
}

function commonPrefix(oids: string[]): string {
  let prefix = oids[0].split('.');
  for (const oid of oids.slice(1)) {
    const a = oid.split('.');
    let i = 0;
    while (i < prefix.length && i < a.length && prefix[i] === a[i]) i++;
    prefix = prefix.slice(0, i);
  }
  return prefix.join('.');
}

/**
 * The subtrees to walk: per MIB (enterprise subtree or mib-2 group), the longest prefix shared by every OID the
 * profiles read there, plus the system group; nested subtrees are folded into their parent.
 */
export function recordSubtrees(profiles: Profile[] = loadedProfiles()): string[] {
  const byRoot = new Map<string, string[]>();
  for (const p of profiles) {
    if (p.protocol !== 'snmp') continue;
    for (const oid of profileOids(p)) {
      const root = mibRoot(oid);
      byRoot.set(root, [...(byRoot.get(root) ?? []), oid]);
    }
  }
  const candidates = [SYSTEM_GROUP];
  for (const [root, all] of byRoot) {
    const oids = [...new Set(all)];
    // A lone OID is its own common prefix (`….1.2.0`, a leaf): walk its group instead, two arcs up.
    const prefix = oids.length === 1 ? oids[0].split('.').slice(0, -2).join('.') : commonPrefix(oids);
    candidates.push(prefix.length >= root.length ? prefix : root);
  }
  const sorted = [...new Set(candidates)].sort(compareOids);
  return sorted.filter((oid) => !sorted.some((other) => other !== oid && isUnder(oid, other)));
}

/** Profile variables whose text identifies a site or a unit, by the last part of their NUT name. */
const SENSITIVE = /\.(serial|name|location|contact|description|desc|macaddr)$|^(ups|device)\.id$/u;

type Category = 'serial' | 'name' | 'location' | 'contact' | 'description' | 'macaddr' | 'id';

function categoryOf(name: string): Category | undefined {
  const m = SENSITIVE.exec(name);
  if (!m) return undefined;
  if (m[2]) return 'id';
  return m[1] === 'desc' ? 'description' : (m[1] as Category);
}

interface SensitiveOids {
  exact: Map<string, Category>;
  /** Column OID (rows below it) → category. */
  columns: Array<[string, Category]>;
}

/** Which OIDs hold identifying text, from the NUT names the profiles give them (plus sysContact/sysName/sysLocation). */
export function sensitiveOids(profiles: Profile[] = loadedProfiles()): SensitiveOids {
  const exact = new Map<string, Category>([
    [SYS_CONTACT, 'contact'],
    [SYS_NAME, 'name'],
    [SYS_LOCATION, 'location'],
  ]);
  const columns: Array<[string, Category]> = [];
  for (const p of profiles) {
    if (p.protocol !== 'snmp') continue;
    for (const v of p.variables) {
      const c = categoryOf(v.name);
      if (c) exact.set(strip(v.oid), c);
    }
    for (const t of p.tables ?? []) {
      for (const col of t.columns) {
        // Typed columns name their rows through a map; any sensitive name there makes the column sensitive.
        const typed = (col as { typedBy?: { map?: Record<string, unknown> } }).typedBy?.map ?? {};
        const names = [col.name, col.single ?? '', ...Object.values(typed).map((m) => (typeof m === 'string' ? m : String((m as { name?: string })?.name ?? '')))];
        const c = names.map(categoryOf).find(Boolean);
        if (c) columns.push([strip(col.oid), c]);
      }
    }
  }
  return { exact, columns };
}

/** One walked varbind, as snmpsimd needs it: the OID, the ASN.1 type number and the raw value. */
export interface RecordedVarbind {
  oid: string;
  type: number;
  value: unknown;
}

const T = snmp.ObjectType;

function isPrintable(buf: Buffer): boolean {
  for (const byte of buf) if (byte < 0x20 || byte > 0x7e || byte === 0x7c) return false;
  return true;
}

/** One snmprec line: `OID|type|value`, with `4x`/`68x` hex for binary octet strings. */
export function snmprecLine(vb: RecordedVarbind): string {
  const { oid, type, value } = vb;
  switch (type) {
    case T.OctetString: {
      const buf = Buffer.isBuffer(value) ? value : Buffer.from(String(value), 'latin1');
      return isPrintable(buf) ? `${oid}|4|${buf.toString('latin1')}` : `${oid}|4x|${buf.toString('hex')}`;
    }
    case T.Opaque: {
      const buf = Buffer.isBuffer(value) ? value : Buffer.from(String(value), 'latin1');
      return `${oid}|68x|${buf.toString('hex')}`;
    }
    case T.Counter64: {
      const n = Buffer.isBuffer(value) ? BigInt('0x' + (value.toString('hex') || '0')) : BigInt(String(value));
      return `${oid}|70|${n.toString()}`;
    }
    case T.Null:
      return `${oid}|5|`;
    case T.Boolean:
      return `${oid}|2|${value ? 1 : 0}`;
    default:
      // Integer 2, OID 6, IpAddress 64, Counter32 65, Gauge32 66, TimeTicks 67: the decoded value is the text form.
      return `${oid}|${type}|${String(value)}`;
  }
}

/** Replaces identifying values with placeholders; the same original always gets the same placeholder. */
export class Anonymizer {
  private readonly seen = new Map<string, string>();
  private readonly counters = new Map<string, number>();
  replaced = 0;

  constructor(
    private readonly sensitive: SensitiveOids,
    private readonly community?: string,
  ) {}

  private placeholder(kind: string, original: string, make: (n: number) => string): string {
    const key = `${kind}\0${original}`;
    let out = this.seen.get(key);
    if (out === undefined) {
      const n = (this.counters.get(kind) ?? 0) + 1;
      this.counters.set(kind, n);
      out = make(n);
      this.seen.set(key, out);
    }
    this.replaced++;
    return out;
  }

  private categoryOf(oid: string): Category | undefined {
    return this.sensitive.exact.get(oid) ?? this.sensitive.columns.find(([col]) => oid.startsWith(col + '.'))?.[1];
  }

  apply(vb: RecordedVarbind): RecordedVarbind {
    if (vb.type === T.IpAddress) {
      const ip = String(vb.value);
      // Unset addresses and netmasks say nothing about the site.
      if (ip === '0.0.0.0' || ip.startsWith('255.')) return vb;
      return { ...vb, value: this.placeholder('ip', ip, (n) => `192.0.2.${n % 254 || 254}`) };
    }
    if (vb.type !== T.OctetString) return vb;
    const buf = Buffer.isBuffer(vb.value) ? vb.value : Buffer.from(String(vb.value), 'latin1');
    const category = this.categoryOf(vb.oid);
    if (category === 'macaddr' || (buf.length === 6 && !isPrintable(buf))) {
      if (buf.every((b) => b === 0) || buf.every((b) => b === 0xff)) return vb;
      const mac = this.placeholder('mac', buf.toString('hex'), (n) => `02000000${(n & 0xffff).toString(16).padStart(4, '0')}`);
      return { ...vb, value: Buffer.from(mac, 'hex') };
    }
    const text = buf.toString('latin1');
    if (category) {
      if (text.trim() === '') return vb;
      const prefix = { serial: 'SN', name: 'name', location: 'location', contact: 'contact', description: 'description', macaddr: 'mac', id: 'id' }[category];
      return { ...vb, value: Buffer.from(this.placeholder(category, text, (n) => `${prefix}-${String(n).padStart(4, '0')}`), 'latin1') };
    }
    if (this.community && this.community !== 'public' && text === this.community) {
      return { ...vb, value: Buffer.from(this.placeholder('community', text, () => 'community'), 'latin1') };
    }
    return vb;
  }
}

// ------------------------------------------------------------------------------------------------ walking

const TOO_BIG = 1;
const NO_SUCH_NAME = 2;
const GEN_ERR = 5;

function nextVarbinds(session: snmp.Session, oid: string, v1: boolean, reps: number): Promise<snmp.Varbind[]> {
  return new Promise((resolve, reject) => {
    try {
      if (v1) session.getNext([oid], (err: Error | null, vbs?: snmp.Varbind[]) => (err ? reject(err) : resolve(vbs ?? [])));
      else session.getBulk([oid], 0, reps, ((err: Error | null, vbs: snmp.Varbind[][]) => (err ? reject(err) : resolve(vbs[0] ?? []))) as never);
    } catch (err) {
      reject(err as Error);
    }
  });
}

/** Every varbind under `root`, in agent order (GETBULK for v2c/v3, GETNEXT for v1). */
async function walkSubtree(session: snmp.Session, root: string, t: SnmpTarget): Promise<RecordedVarbind[]> {
  const out: RecordedVarbind[] = [];
  const v1 = t.version === 1;
  let cursor = root;
  let reps = BULK_REPETITIONS;
  while (out.length < MAX_VARBINDS_PER_SUBTREE) {
    let vbs: snmp.Varbind[];
    try {
      vbs = await nextVarbinds(session, cursor, v1, reps);
    } catch (err) {
      const e = err as Error & { status?: number };
      if (e.name === 'RequestFailedError' && (e.status === TOO_BIG || e.status === GEN_ERR) && reps > 1) {
        reps = Math.max(1, Math.floor(reps / 2));
        continue;
      }
      // v1 says noSuchName when the GETNEXT runs past the agent's last object.
      if (v1 && e.name === 'RequestFailedError' && e.status === NO_SUCH_NAME) return out;
      throw classifySnmpError(e, t);
    }
    if (!vbs.length) return out;
    for (const vb of vbs) {
      if (snmp.isVarbindError(vb) || !vb.oid.startsWith(root + '.') || compareOids(vb.oid, cursor) <= 0) return out;
      out.push({ oid: vb.oid, type: vb.type as number, value: vb.value });
      cursor = vb.oid;
    }
  }
  return out;
}

export interface RecordOptions {
  /** Keep serials, names, addresses as they are. */
  raw?: boolean;
  /** Profiles whose OIDs decide what is walked (default: the shipped ones and RACKPOWER_PROFILES', plus a --profile-file one). */
  profiles?: Profile[];
}

export interface Recording {
  /** The snmprec text, one varbind a line after a comment header. */
  text: string;
  varbinds: number;
  subtrees: string[];
  /** Values replaced by placeholders (0 with raw). */
  replaced: number;
}

/** Walks an SNMP device and returns its snmprec recording. */
export async function recordDevice(url: string, opts: RecordOptions = {}): Promise<Recording> {
  const target = parseTarget(url);
  if (target.protocol !== 'snmp') {
    throw new RackpowerError('CONFIG', 'record walks SNMP agents; a Modbus device has no self-description to record (use rackpower read --json)');
  }
  const profiles = opts.profiles ?? loadedProfiles();
  const subtrees = recordSubtrees(profiles);
  const session = openSession(target.snmp);
  const byOid = new Map<string, RecordedVarbind>();
  try {
    for (const root of subtrees) for (const vb of await walkSubtree(session, root, target.snmp)) byOid.set(vb.oid, vb);
  } finally {
    try {
      session.close();
    } catch {
      // already closed by a socket error
    }
  }
  if (byOid.size === 0) throw new RackpowerError('UNKNOWN_DEVICE', `${describeTarget(target.snmp)} answered nothing under ${subtrees.join(', ')}`);
  const anonymizer = opts.raw ? undefined : new Anonymizer(sensitiveOids(profiles), target.snmp.community);
  const lines = [...byOid.values()]
    .sort((a, b) => compareOids(a.oid, b.oid))
    .map((vb) => snmprecLine(anonymizer ? anonymizer.apply(vb) : vb));
  const header = [
    `# rackpower record: ${lines.length} varbinds under ${subtrees.join(' ')}`,
    opts.raw
      ? '# raw: serial numbers, names, locations, contacts and addresses are as the device reported them'
      : `# anonymized: ${anonymizer!.replaced} serial numbers, names, locations, contacts, MAC and IP addresses replaced by placeholders`,
    '# serve with: snmpsimd --data-dir=<folder of this file>; the community is the file name without .snmprec',
  ];
  return { text: [...header, ...lines].join('\n') + '\n', varbinds: lines.length, subtrees, replaced: anonymizer?.replaced ?? 0 };
}

export async function runRecord(url: string, opts: { out?: string; raw: boolean; profiles?: Profile[] }): Promise<void> {
  const recording = await recordDevice(url, { raw: opts.raw, profiles: opts.profiles });
  if (!opts.out) {
    process.stdout.write(recording.text);
    return;
  }
  writeFileSync(opts.out, recording.text);
  const what = opts.raw ? 'raw' : `${recording.replaced} values anonymized`;
  process.stdout.write(`wrote ${recording.varbinds} varbinds to ${opts.out} (${what})\n`);
}

export const RECORD = defineCommand({
  name: 'record',
  summary: 'walk an SNMP device into an snmprec file for a bug report (anonymized unless --raw)',
  args: '<url> [--out FILE] [--raw] [--profile-file FILE]',
  positionals: { min: 1, max: 1, missing: 'record needs a device URL' },
  options: {
    out: { type: 'string', short: 'o', value: 'FILE', help: 'write the recording here instead of to stdout' },
    raw: { type: 'boolean', help: 'keep serials, names, locations and addresses as the device said them' },
    'profile-file': { type: 'string', value: 'FILE', help: "your own profile: its OIDs are walked too (and its names anonymized)" },
  },
  notes: [URL_FORMS.split('\n').filter((l) => !l.includes('modbus')).join('\n')],
  run: async (args) => {
    const { values, positionals } = parseCommand(RECORD, args);
    const custom = customProfile({ profileFile: values['profile-file'] });
    await runRecord(positionals[0], { out: values.out, raw: values.raw === true, profiles: custom ? [...loadedProfiles(), custom] : undefined });
  },
});
