// Our GetResponse decoder against net-snmp's own, on real replies and on thousands of hostile ones. Every shipped
// recording is served by Debian's snmpsimd and asked GETs, GETBULKs and GETNEXTs like a poll's; each reply, as it
// came and mutated, is then handed to two sessions waiting for the same request: a plain net-snmp session and one
// with the decoder hooked in. What reaches the response callback, the message net-snmp's handler got (version,
// community, PDU fields, every varbind's oid, type and value, Buffers still views of the datagram), 'error' events
// and whether the request is still pending must be the same; the decoder must have taken most well-formed replies.
// @module-tag peer: snmpsimd
import type dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import snmp from 'net-snmp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ASN1, PDU, decodeMessage, encodeMessage, encodeTlv, intContent, readTlvs } from '../../../src/fuzz/ber';
import { mutate, pickMutation } from '../../../src/fuzz/snmp-mutations';
import { PROFILE_DIR } from '../../../src/profiles/load';
import { preEncodeRequests } from '../../../src/protocol/snmp/request-encoding';
import { ResponseDecoder, decodeResponses } from '../../../src/protocol/snmp/response-decoding';
import { openSession } from '../../../src/protocol/snmp/session';
import { SNMP_DEFAULTS } from '../../../src/protocol/snmp/target';
import { Random } from '../../../src/sim/random';
import { listPackages } from '../../harness/packages';
import { startSnmpsim, type Snmpsim } from '../../harness/snmpsim';
import { snmpRecordings } from '../../recordings/package-check';

interface Request {
  version: 0 | 1;
  community: string;
  kind: 'get' | 'getNext' | 'getBulk';
  oids: string[];
  nonRepeaters?: number;
  reps?: number;
}
interface Exchange {
  request: Request;
  id: number;
  reply: Buffer;
}

interface RawSession {
  dgram: dgram.Socket & { send: (...args: unknown[]) => void };
  reqs: Record<number, unknown>;
  reqCount: number;
  onSimpleGetResponse: (req: unknown, message: unknown) => void;
  unregisterRequest(id: number): unknown;
}
const raw = (s: snmp.Session): RawSession => s as unknown as RawSession;

const RINFO = { address: '127.0.0.1', family: 'IPv4', port: 161, size: 0 };
const ID = 4242;

function send(s: snmp.Session, r: Request, cb: (err: Error | null, res?: unknown) => void): void {
  if (r.kind === 'get') s.get(r.oids, cb as never);
  else if (r.kind === 'getNext') s.getNext(r.oids, cb as never);
  else s.getBulk(r.oids, r.nonRepeaters ?? 0, r.reps ?? 24, cb as never);
}

/** Sends with Math.random pinned, so the request id is `id` (the replies are matched to it). */
function sendWithId(s: snmp.Session, r: Request, id: number, cb: (err: Error | null, res?: unknown) => void): void {
  const random = vi.spyOn(Math, 'random').mockReturnValue((id + 0.5) / 100_000_000);
  try {
    send(s, r, cb);
  } finally {
    random.mockRestore();
  }
}

/** What a session made of a datagram, comparable with toEqual. */
function project(value: unknown, datagram: Buffer): unknown {
  if (Buffer.isBuffer(value)) {
    const view = value.buffer === datagram.buffer && value.byteOffset >= datagram.byteOffset && value.byteOffset + value.length <= datagram.byteOffset + datagram.length;
    return { hex: value.toString('hex'), view };
  }
  if (value instanceof Error) {
    const e = value as Error & { code?: unknown; status?: unknown };
    return { error: e.name, message: e.message, code: e.code, status: e.status };
  }
  if (Array.isArray(value)) return value.map((v) => project(v, datagram));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === 'buffer' ? v === datagram : project(v, datagram)]));
  }
  return value;
}

/** A session that never touches the network: requests are captured, replies are emitted on its socket. */
function stubSession(version: 0 | 1, community: string, hooked: boolean): { session: snmp.Session; seen: { message?: unknown; errors: unknown[] } } {
  const session = snmp.createSession('127.0.0.1', community, { port: 161, version, idBitsSize: 32, timeout: 60_000 } as never);
  const seen: { message?: unknown; errors: unknown[] } = { errors: [] };
  const s = raw(session);
  // Sent at once: net-snmp registers the request (and its timer) in the send callback.
  s.dgram.send = (...args: unknown[]) => (args[args.length - 1] as (err: null, bytes: number) => void)(null, 0);
  const onResponse = s.onSimpleGetResponse;
  // Req copies this at construction: the message net-snmp's onMsg (or the decoder) hands on is captured here.
  s.onSimpleGetResponse = function (this: unknown, req, message) {
    seen.message = message;
    return onResponse.call(this, req, message);
  };
  session.on('error', (err: Error) => seen.errors.push(err));
  preEncodeRequests(session);
  if (hooked) decodeResponses(session);
  return { session, seen };
}

/** Two sessions per version and community, reused for every case. */
const pairs = new Map<string, { plain: ReturnType<typeof stubSession>; hooked: ReturnType<typeof stubSession> }>();
function pairFor(version: 0 | 1, community: string) {
  const key = `${version}/${community}`;
  let p = pairs.get(key);
  if (!p) pairs.set(key, (p = { plain: stubSession(version, community, false), hooked: stubSession(version, community, true) }));
  return p;
}

function outcome(side: ReturnType<typeof stubSession>, r: Request, datagrams: Buffer[]): unknown {
  const s = raw(side.session);
  side.seen.message = undefined;
  side.seen.errors = [];
  const calls: unknown[] = [];
  sendWithId(side.session, r, ID, (err, res) => calls.push(err ? err : res));
  const shown: unknown[] = [];
  for (const d of datagrams) {
    // net-snmp's handler throws on some datagrams (a Report in a v1/v2c session): openSession's guard catches those.
    let thrown: unknown;
    try {
      s.dgram.emit('message', d, RINFO);
    } catch (err) {
      thrown = err;
    }
    shown.push({ message: project(side.seen.message, d), errors: project(side.seen.errors, d), calls: project(calls.splice(0), d), thrown: project(thrown, d) });
    side.seen.message = undefined;
    side.seen.errors = [];
  }
  const pending = s.reqs[ID] !== undefined;
  if (pending) s.unregisterRequest(ID);
  return { shown, pending, reqCount: s.reqCount };
}

const decode = vi.spyOn(ResponseDecoder.prototype, 'decode');

/** Both sessions' outcomes for the datagrams; returns how many the decoder took. */
function differential(r: Request, datagrams: Buffer[], label: string): number {
  const pair = pairFor(r.version, r.community);
  const theirs = outcome(pair.plain, r, datagrams);
  decode.mockClear();
  const ours = outcome(pair.hooked, r, datagrams);
  const taken = decode.mock.results.filter((x) => x.type === 'return' && x.value !== undefined).length;
  expect(ours, label).toEqual(theirs);
  return taken;
}

function snmprecOids(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.split('|')[0])
    .filter((oid) => /^\d+(\.\d+)+$/u.test(oid));
}

/** Requests like a poll's, spread over one recording: GETs of 15, GETBULKs of 2 columns x 24, GETNEXTs, v1 GETs. */
function requestsFor(oids: string[], community: string): Request[] {
  const out: Request[] = [];
  const spread = (n: number): number[] => Array.from({ length: n }, (_, i) => Math.floor((i * oids.length) / n));
  for (const i of spread(8)) out.push({ version: 1, community, kind: 'get', oids: oids.slice(i, i + 15) });
  out.push({ version: 0, community, kind: 'get', oids: oids.slice(0, 10) });
  out.push({ version: 1, community, kind: 'get', oids: [oids[0], `${oids[0]}.999`, '1.3.6.1.4.1.99999.1.0'] });
  out.push({ version: 0, community, kind: 'get', oids: [oids[0], '1.3.6.1.4.1.99999.1.0'] });
  for (const i of spread(4)) {
    const column = (oid: string): string => oid.split('.').slice(0, -1).join('.');
    out.push({ version: 1, community, kind: 'getBulk', oids: [column(oids[i]), column(oids[Math.min(i + 30, oids.length - 1)])], nonRepeaters: 0, reps: 24 });
  }
  out.push({ version: 1, community, kind: 'getBulk', oids: ['1.3.6.1.2.1.1.2.0', '1.3.6.1.2.1.1.3', oids[Math.floor(oids.length / 2)]], nonRepeaters: 1, reps: 12 });
  out.push({ version: 0, community, kind: 'getNext', oids: spread(3).map((i) => oids[i]) });
  out.push({ version: 1, community, kind: 'getNext', oids: [oids[oids.length - 1]] });
  return out;
}

/** Asks snmpsimd each request with the id pinned, keeping the reply datagram as it arrived. */
async function capture(port: number, r: Request): Promise<Exchange | undefined> {
  const session = snmp.createSession('127.0.0.1', r.community, { port, version: r.version, idBitsSize: 32, timeout: 10_000, retries: 1 } as never);
  let reply: Buffer | undefined;
  raw(session).dgram.prependListener('message', (b: Buffer) => (reply = Buffer.from(b)));
  try {
    await new Promise<void>((resolve) => sendWithId(session, r, ID, () => resolve()));
  } finally {
    session.close();
  }
  return reply ? { request: r, id: ID, reply } : undefined;
}

// --- Edits aimed at the decoder's own judgement (length forms, integer widths, OID arcs, trailing bytes) ---

const tlv = (tag: number, value: Buffer | number[]): Buffer => encodeTlv(tag, Buffer.isBuffer(value) ? value : Buffer.from(value));
/** The TLV with a non-minimal long-form length (0x81 or 0x82). */
const longForm = (tag: number, value: Buffer, two = false): Buffer =>
  Buffer.concat([Buffer.from(two ? [tag, 0x82, value.length >> 8, value.length & 0xff] : [tag, 0x81, value.length]), value]);

/** The reply re-encoded with every header in long form (sequences, PDU, integers, strings, OIDs, values). */
function allLongForm(reply: Buffer, two: boolean): Buffer {
  const walk = (t: { tag: number; value: Buffer }): Buffer =>
    longForm(t.tag, t.tag === 0x30 || t.tag === PDU.response ? Buffer.concat(readTlvs(t.value).map(walk)) : t.value, two);
  return walk(readTlvs(reply)[0]);
}

function withVarbind(reply: Buffer, i: number, change: (vb: { oid: Buffer; value: { tag: number; value: Buffer } }) => void): Buffer {
  const m = decodeMessage(reply);
  if (!m.varbinds.length) return reply;
  change(m.varbinds[i % m.varbinds.length]);
  return encodeMessage(m);
}

/** Raw varbind list bytes spliced into the reply in place of its own list (for shapes encodeMessage cannot write). */
function withVarbindList(reply: Buffer, list: Buffer): Buffer {
  const m = decodeMessage(reply);
  const pdu = tlv(m.pduType, Buffer.concat([tlv(ASN1.integer, m.requestId), tlv(ASN1.integer, intContent(m.errorStatus)), tlv(ASN1.integer, intContent(m.errorIndex)), list]));
  return tlv(0x30, Buffer.concat([tlv(ASN1.integer, intContent(m.version)), tlv(ASN1.octetString, m.community), pdu]));
}

const arcBytes = (a: number): number[] => {
  const out = [a % 128];
  for (let rest = Math.floor(a / 128); rest > 0; rest = Math.floor(rest / 128)) out.unshift((rest % 128) | 0x80);
  return out;
};

const ODD_OIDS: number[][] = [
  [0x2b, 6, 1, ...arcBytes(0xffffffff)],
  [0x2b, 6, 1, ...arcBytes(0x100000000)],
  [0x2b, 6, 1, ...arcBytes(2 ** 35 + 5)],
  [0x2b, 0x80, 0x80, 6, 1],
  [0x80, 0x2b, 6],
  [0x88, 0x37, 1],
  [0x7f, 1],
  [0x00],
  [0x2b, 6, 0x81],
  [],
  [0x8f, 0xff, 0xff, 0xff, 0x7f, 1],
  [0x90, 0x80, 0x80, 0x80, 0x00, 1],
  [0x81],
  [0x8f, 0xff],
];

/** Hand-made edits of a real reply, each aimed at one rule of the decoder. */
function edits(reply: Buffer, rng: Random): Buffer[] {
  const m = decodeMessage(reply);
  const n = m.varbinds.length;
  const out: Buffer[] = [allLongForm(reply, false), allLongForm(reply, true), Buffer.concat([reply, Buffer.from([0])]), Buffer.concat([reply, tlv(0x30, [])])];
  const list = readTlvs(readTlvs(readTlvs(reply)[0].value)[2].value)[3].value;
  out.push(withVarbindList(reply, tlv(0x30, Buffer.concat([list, Buffer.from([0x30, 0x00])]))));
  out.push(withVarbindList(reply, tlv(0x30, Buffer.concat([list, tlv(0x30, [0x06, 0x01, 0x2b])]))));
  out.push(withVarbindList(reply, tlv(0x30, Buffer.concat([list, Buffer.from([0x31, 0x03, 0x06, 0x01, 0x2b])]))));
  out.push(withVarbindList(reply, tlv(0x30, Buffer.concat([list, tlv(0x30, [0x06, 0x01, 0x2b, 0x05, 0x00, 0x05, 0x00])]))));
  out.push(withVarbindList(reply, longForm(0x31, list)));
  out.push(withVarbindList(reply, tlv(0x30, [])));
  // Indefinite lengths (0x80), which asn1-ber refuses: on the message, the varbind list and one value.
  out.push(Buffer.concat([Buffer.from([0x30, 0x80]), readTlvs(reply)[0].value, Buffer.from([0, 0])]));
  out.push(withVarbindList(reply, Buffer.concat([Buffer.from([0x30, 0x80]), list, Buffer.from([0, 0])])));
  const i = rng.int(Math.max(1, n));
  for (const oid of ODD_OIDS) {
    out.push(withVarbind(reply, i, (vb) => (vb.oid = Buffer.from(oid))));
    out.push(withVarbind(reply, i, (vb) => (vb.value = { tag: ASN1.oid, value: Buffer.from(oid) })));
  }
  const ints: number[][] = [[], [0], [0xff], [0x80], [0x7f, 0xff, 0xff, 0xff], [0x80, 0, 0, 0], [0, 0x80, 0, 0, 0], [0xff, 0x7f, 0xff, 0xff, 0xff], [0, 0xff, 0xff, 0xff, 0xff], [0xff, 0xff, 0xff, 0xff, 0xff], [1, 0, 0, 0, 0, 0], [0x80, 0, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 1]];
  for (const bytes of ints) {
    for (const tag of [ASN1.integer, ASN1.counter, ASN1.gauge, ASN1.timeTicks]) out.push(withVarbind(reply, i, (vb) => (vb.value = { tag, value: Buffer.from(bytes) })));
    out.push(encodeMessage({ ...m, requestId: Buffer.from(bytes.length ? bytes : [0]) }));
  }
  const idOf = (bytes: number[]): Buffer => Buffer.from(bytes);
  out.push(encodeMessage({ ...m, requestId: Buffer.concat([idOf([0]), m.requestId]) }));
  out.push(encodeMessage({ ...m, requestId: Buffer.concat([idOf([0, 0]), m.requestId]) }));
  for (const tag of [ASN1.null, ASN1.noSuchObject, ASN1.noSuchInstance, ASN1.endOfMibView]) {
    out.push(withVarbind(reply, i, (vb) => (vb.value = { tag, value: Buffer.from([1]) })));
    // `tag 81 00`: a long-form zero length that net-snmp's two-byte skip reads differently
    const m2 = decodeMessage(withVarbind(reply, i, (vb) => (vb.value = { tag, value: Buffer.alloc(0) })));
    const vbs = m2.varbinds.map((vb, k) => tlv(0x30, Buffer.concat([tlv(ASN1.oid, vb.oid), k === i % Math.max(1, n) ? Buffer.from([tag, 0x81, 0x00]) : tlv(vb.value.tag, vb.value.value)])));
    out.push(withVarbindList(reply, tlv(0x30, Buffer.concat(vbs))));
  }
  const indefinite = m.varbinds.map((vb, k) => tlv(0x30, Buffer.concat([tlv(ASN1.oid, vb.oid), k === i % Math.max(1, n) ? Buffer.from([ASN1.octetString, 0x80, 0x41, 0x42, 0, 0]) : tlv(vb.value.tag, vb.value.value)])));
  out.push(withVarbindList(reply, tlv(0x30, Buffer.concat(indefinite))));
  for (const [tag, bytes] of [[ASN1.ipAddress, [10, 0, 0]], [ASN1.ipAddress, [10, 0, 0, 1, 2]], [ASN1.ipAddress, [192, 168, 255, 0]], [ASN1.boolean, [1]], [ASN1.bitString, [0, 0xf0]], [ASN1.opaque, []], [ASN1.opaque, [0x9f, 0x78, 4, 1, 2, 3, 4]], [ASN1.counter64, []], [ASN1.counter64, [1, 2, 3, 4, 5, 6, 7, 8, 9]], [ASN1.octetString, []], [0x45, [1]], [0x47, []]] as [number, number[]][]) {
    out.push(withVarbind(reply, i, (vb) => (vb.value = { tag, value: Buffer.from(bytes) })));
  }
  for (const version of [0, 1, 2, 3, -1, 256]) out.push(encodeMessage({ ...m, version }));
  for (const community of ['', 'Public', `${m.community.toString('latin1')}x`, '\u00ff']) out.push(encodeMessage({ ...m, community: Buffer.from(community, 'latin1') }));
  for (const pduType of [PDU.report, PDU.get, 0xa9]) out.push(encodeMessage({ ...m, pduType }));
  for (const [status, index] of [[0, 0], [2, 1], [2, n + 1], [5, 0], [0x7fffffff, 1], [256, 0]]) out.push(encodeMessage({ ...m, errorStatus: status, errorIndex: index }));
  return out;
}

let sim: Snmpsim;
const exchanges: Exchange[] = [];
beforeAll(async () => {
  const recordings = snmpRecordings(listPackages(PROFILE_DIR));
  expect(recordings.length).toBeGreaterThan(20);
  sim = await startSnmpsim(recordings);
  for (const rec of recordings) {
    for (const r of requestsFor(snmprecOids(rec.file), rec.community)) {
      const x = await capture(sim.port, r);
      if (x) exchanges.push(x);
    }
  }
}, 600_000);
afterAll(async () => {
  for (const p of pairs.values()) for (const side of [p.plain, p.hooked]) side.session.close();
  await sim?.stop();
});

describe('SNMP GetResponse decoder against net-snmp', () => {
  it('every reply snmpsimd gives to GETs, GETBULKs and GETNEXTs over all recordings: same outcome, most taken by the decoder', () => {
    expect(exchanges.length).toBeGreaterThan(500);
    let taken = 0;
    const kinds = new Map<string, [number, number]>();
    for (const x of exchanges) {
      const t = differential(x.request, [x.reply], `${x.request.community} ${x.request.kind} ${x.request.oids.join(',')}`);
      taken += t;
      const k = `v${x.request.version + (x.request.version === 1 ? 1 : 0)} ${x.request.kind}`;
      const [a, b] = kinds.get(k) ?? [0, 0];
      kinds.set(k, [a + t, b + 1]);
    }
    console.log(`real replies: ${taken} of ${exchanges.length} decoded here (${[...kinds].map(([k, [a, b]]) => `${k} ${a}/${b}`).join(', ')})`);
    expect(taken / exchanges.length).toBeGreaterThan(0.95);
  }, 300_000);

  it('a reply read twice (a retry answered twice) and a second poll of the same requests: same outcome', () => {
    let taken = 0;
    for (const x of exchanges.slice(0, 200)) {
      taken += differential(x.request, [x.reply, x.reply], 'duplicate');
      taken += differential(x.request, [x.reply], 'second poll');
    }
    expect(taken).toBeGreaterThan(300);
  });

  it('thousands of replies mutated as a hostile network would: either declined or the same as net-snmp', () => {
    const rng = new Random(0x5eed);
    let cases = 0;
    let taken = 0;
    for (let round = 0; round < 4; round++) {
      for (const x of exchanges) {
        const mutation = pickMutation(rng);
        const datagrams = mutate(x.reply, mutation, rng);
        taken += differential(x.request, datagrams, `${mutation} of ${x.request.community} ${x.request.kind}: ${datagrams.map((d) => d.toString('hex')).join(' ')}`);
        cases++;
      }
    }
    console.log(`random mutations: ${cases} cases, ${taken} decoded here`);
    expect(cases).toBeGreaterThan(2000);
    // Both paths must have been exercised for the comparison to mean anything.
    expect(taken).toBeGreaterThan(cases / 10);
    expect(taken).toBeLessThan(cases);
  }, 300_000);

  it('edits aimed at each rule (length forms, integer widths, OID arcs, Null lengths, trailing bytes, fields): same as net-snmp', () => {
    const rng = new Random(7);
    let cases = 0;
    let taken = 0;
    for (const x of exchanges.filter((_, k) => k % 5 === 0)) {
      for (const d of edits(x.reply, rng)) {
        taken += differential(x.request, [d], `edit of ${x.request.community} ${x.request.kind}: ${d.toString('hex')}`);
        cases++;
      }
    }
    console.log(`aimed edits: ${cases} cases, ${taken} decoded here`);
    expect(cases).toBeGreaterThan(2000);
    expect(taken).toBeGreaterThan(cases / 10);
    expect(taken).toBeLessThan(cases);
  }, 300_000);
});

describe('decoder hooked into openSession', () => {
  it('GET and GETBULK through snmpsimd take the decoder, and a throwing callback on that path reaches the session guard', async () => {
    const x = exchanges.find((e) => e.request.kind === 'get' && e.request.version === 1)!;
    const faults = { malformed: vi.fn(), crashed: vi.fn() };
    const session = openSession({ ...SNMP_DEFAULTS, host: '127.0.0.1', port: sim.port, version: 2, community: x.request.community, timeoutMs: 5000, retries: 0 }, faults);
    try {
      decode.mockClear();
      const got = await new Promise<unknown>((resolve, reject) => session.get(x.request.oids, (err, vbs) => (err ? reject(err) : resolve(vbs))));
      expect(decode.mock.results.some((r) => r.type === 'return' && r.value !== undefined)).toBe(true);
      expect((got as { oid: string }[]).map((vb) => vb.oid)).toEqual(x.request.oids);
      expect(raw(session).reqCount).toBe(0);
      const bulk = exchanges.find((e) => e.request.kind === 'getBulk' && e.request.community === x.request.community)!;
      decode.mockClear();
      await new Promise<void>((resolve) => session.getBulk(bulk.request.oids, 0, 24, () => resolve()));
      expect(decode.mock.results.some((r) => r.type === 'return' && r.value !== undefined)).toBe(true);
      // A callback that throws: net-snmp's onMsg would let it out of the socket listener; the guard reports it.
      const thrown = new Promise<void>((resolve) => faults.crashed.mockImplementation(() => resolve()));
      session.get(x.request.oids, () => {
        throw new Error('callback blew up');
      });
      await thrown;
      expect(faults.crashed.mock.calls[0][0].message).toBe('callback blew up');
      expect(faults.malformed).not.toHaveBeenCalled();
    } finally {
      session.close();
    }
  }, 60_000);
});
