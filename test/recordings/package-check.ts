// Checks one recording of a device package against its expect.json entry: detection among the given profiles, then a
// read with the package's own profile (identify, a first read, a steady read), every value compared with the
// independent reading expect.json names. Used by packages.test.ts for the shipped packages and by
// package-copy.test.ts for a package copied under a new id.
import path from 'node:path';
import { expect } from 'vitest';
import { SnmpDeviceReader } from '../../src/polling/snmp-reader';
import { ModbusDeviceReader } from '../../src/polling/modbus-reader';
import { chooseProfile, probeOids } from '../../src/profiles/detect';
import { findProfile } from '../../src/profiles/load';
import type { ModbusProfile, Profile, SnmpProfile } from '../../src/profiles/types';
import type { DeviceReader, Identification } from '../../src/polling/types';
import { ModbusTransport } from '../../src/protocol/modbus/transport';
import { SnmpClient } from '../../src/protocol/snmp/client';
import { SNMP_DEFAULTS } from '../../src/protocol/snmp/target';
import type { Values } from '../../src/types';
import { startModbusServer } from '../harness/modbus-server';
import { dumpAnswer, namePattern, readRegisterDump, type DevicePackage, type ExpectCheck, type ExpectRecording, type NameValue } from '../harness/packages';

/** The snmpsimd community that serves a package's recording (the packages share one snmpsimd). */
export const communityOf = (pkg: DevicePackage, recording: string): string => `${pkg.id}~${path.basename(recording, '.snmprec')}`;

/** `{file, community}` for every SNMP recording of the packages, for startSnmpsim. */
export function snmpRecordings(packages: DevicePackage[]): Array<{ file: string; community: string }> {
  return packages.flatMap((p) => p.recordings.filter((r) => r.endsWith('.snmprec')).map((r) => ({ file: path.join(p.dir, r), community: communityOf(p, r) })));
}

export interface Target {
  pkg: DevicePackage;
  recording: string;
  expected: ExpectRecording;
  /** The profiles detection chooses among (the shipped ones, or those of a test). */
  profiles: Profile[];
  /** The snmpsimd port serving the SNMP recordings. */
  snmpPort?: number;
}

const label = (t: Target, what: string): string => `${t.pkg.id}/${t.recording}: ${what}`;

/** Runs every check expect.json names for one recording; fails on the first value that differs. */
export async function checkRecording(t: Target): Promise<void> {
  const own = t.profiles.find((p) => p.id === t.pkg.id);
  expect(own, label(t, 'the package profile is loaded')).toBeDefined();
  if (t.recording.endsWith('.snmprec')) await checkSnmp(t, own as SnmpProfile);
  else await checkModbus(t, own as ModbusProfile);
}

async function checkSnmp(t: Target, own: SnmpProfile): Promise<void> {
  if (t.snmpPort === undefined) throw new Error('no snmpsimd port');
  const client = new SnmpClient({ ...SNMP_DEFAULTS, host: '127.0.0.1', port: t.snmpPort, version: 2, community: communityOf(t.pkg, t.recording) });
  try {
    const snmp = t.profiles.filter((p): p is SnmpProfile => p.protocol === 'snmp');
    const e = t.expected;
    if (e.detect !== undefined) await expectDetected(t, client, snmp, e.detect, 'detection among every profile');
    for (const [kind, id] of Object.entries(e.detectByKind ?? {})) {
      await expectDetected(t, client, snmp.filter((p) => p.kind === kind), id, `detection among the ${kind} profiles`);
    }
    if (e.alsoMatches) await expectAlsoMatches(t, client, snmp, e.alsoMatches);
    if (e.identity || e.requests || e.checks) await expectReading(t, new SnmpDeviceReader(client, { profile: own }), () => client.requestCount);
  } finally {
    client.close();
  }
}

async function expectDetected(t: Target, client: SnmpClient, profiles: SnmpProfile[], id: string | null, what: string): Promise<void> {
  const detection = new SnmpDeviceReader(client, { profiles }).detect();
  if (id === null) await expect(detection, label(t, `${what}: refused`)).rejects.toMatchObject({ code: 'UNKNOWN_DEVICE' });
  else expect((await detection).id, label(t, what)).toBe(id);
}

/** Each profile named would claim the walk alone: its probes answer and, alone, detection picks it. */
async function expectAlsoMatches(t: Target, client: SnmpClient, profiles: SnmpProfile[], ids: string[]): Promise<void> {
  const system = await client.system();
  const answered = new Set((await client.get(probeOids(profiles))).keys());
  for (const id of ids) {
    const profile = profiles.find((p) => p.id === id);
    expect(profile, label(t, `alsoMatches ${id} is a profile`)).toBeDefined();
    for (const probe of profile?.match.probe ?? []) expect(answered.has(probe), label(t, `${id} probe ${probe} answers`)).toBe(true);
    expect(chooseProfile([profile as SnmpProfile], system.sysObjectID, answered)?.id, label(t, `${id} alone would apply`)).toBe(id);
  }
}

async function checkModbus(t: Target, own: ModbusProfile): Promise<void> {
  for (const name of t.expected.modelNames ?? []) expect(findProfile(name, t.profiles).id, label(t, `profile=${name}`)).toBe(t.pkg.id);
  const dump = readRegisterDump(path.join(t.pkg.dir, t.recording));
  const log: Array<{ fn: number; unit: number; address: number; count: number }> = [];
  const server = await startModbusServer(dumpAnswer(dump, log));
  const transport = new ModbusTransport({ kind: 'tcp', host: '127.0.0.1', port: server.port, timeoutMs: 5000 });
  try {
    await expectReading(t, new ModbusDeviceReader(transport, own, t.expected.unit ?? 1), () => log.length);
  } finally {
    await transport.close();
    await server.close();
  }
}

/** identify, a first read and a steady read with the package's profile, checked against identity, requests, checks. */
async function expectReading(t: Target, reader: DeviceReader, requests: () => number): Promise<void> {
  const e = t.expected;
  const id = await reader.identify();
  expectIdentity(t, id);
  let before = requests();
  const first = await reader.read();
  const firstRequests = requests() - before;
  before = requests();
  const steady = await reader.read();
  const steadyRequests = requests() - before;
  if (e.requests?.first !== undefined) expect(firstRequests, label(t, 'requests of the first read')).toBe(e.requests.first);
  if (e.requests?.steady !== undefined) expect(steadyRequests, label(t, 'requests of a steady read')).toBe(e.requests.steady);
  for (const [read, values] of [['first read', first], ['steady read', steady]] as const) {
    const wrong = (e.checks ?? []).flatMap((check) => expectCheck(t, check, values, read, e.knownWrong ?? {}));
    expect(wrong.sort(), label(t, `${read}: the known misses, no more and no fewer`)).toEqual(Object.keys(e.knownWrong ?? {}).sort());
  }
}

function expectIdentity(t: Target, id: Identification): void {
  expect(id.profile, label(t, 'identity profile')).toBe(t.pkg.id);
  const { source, ...fields } = t.expected.identity ?? { source: '' };
  for (const [field, want] of Object.entries(fields)) {
    expect(id[field as keyof Identification], label(t, `identity ${field} (${source})`)).toBe(want ?? undefined);
  }
}

/** Asserts one check's values and absences; returns the names listed in knownWrong that are indeed wrong. */
function expectCheck(t: Target, check: ExpectCheck, values: Values, read: string, knownWrong: Record<string, string>): string[] {
  const wrong: string[] = [];
  for (const [name, want] of Object.entries(check.values ?? {})) {
    const got = values[name];
    if (name in knownWrong) {
      if (!same(got, want, check.digits)) wrong.push(name);
      continue;
    }
    const what = label(t, `${read}: ${name} (${check.source})`);
    if (want === null) expect(got, what).toBeUndefined();
    else if (typeof want === 'number' && check.digits !== undefined) {
      expect(typeof got, what).toBe('number');
      expect(got, what).toBeCloseTo(want, check.digits);
    } else expect(got, what).toBe(want);
  }
  const listed = new Set(Object.keys(check.values ?? {}));
  for (const pattern of check.absent ?? []) {
    const re = namePattern(pattern);
    const stray = Object.keys(values).filter((k) => re.test(k) && !listed.has(k));
    expect(stray, label(t, `${read}: nothing published as ${pattern} (${check.source})`)).toEqual([]);
  }
  return wrong;
}

function same(got: unknown, want: NameValue, digits?: number): boolean {
  if (want === null) return got === undefined;
  if (typeof want === 'number' && typeof got === 'number') return Math.abs(got - want) < (digits === undefined ? 1e-9 : 0.5 * 10 ** -digits);
  return got === want;
}
