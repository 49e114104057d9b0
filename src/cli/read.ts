// `rackpower read` and `rackpower discover`: one identification (and one poll) with the same engine as the nodes.
import { openDevice } from '../device';
import type { DeviceDiagnostics } from '../polling/diagnostics';
import type { Identification } from '../polling/types';
import { loadProfileFile, shippedProfiles } from '../profiles/load';
import type { Profile } from '../profiles/types';
import { RackpowerError } from '../errors';
import type { DeviceIdentity, Reading } from '../types';
import { parseTarget } from '../url';
import { formatIdentity, formatValues, sortNames, table } from './format';

function identity(name: string, address: string, id: Identification): DeviceIdentity {
  return { name, address, ...id };
}

export interface ReadOptions {
  /** A shipped profile id (or Modbus model), instead of detection / the URL's profile=. */
  profile?: string;
  /** A user's own profile file (validated like the shipped ones; its id must equal its file name). */
  profileFile?: string;
  json?: boolean;
  /** Also print the reader's diagnostics: values left out and why, and the connection's fault counters. */
  verbose?: boolean;
}

/** The profile a --profile-file names, loaded and validated; undefined without one. */
export function customProfile(opts: { profile?: string; profileFile?: string }): Profile | undefined {
  if (!opts.profileFile) return undefined;
  if (opts.profile) throw new RackpowerError('CONFIG', '--profile and --profile-file exclude each other: the file is the profile');
  return loadProfileFile(opts.profileFile);
}

export async function readOnce(url: string, opts: { profile?: string; profileFile?: string; values: boolean }): Promise<Reading & { diagnostics?: DeviceDiagnostics }> {
  const target = parseTarget(url);
  const custom = customProfile(opts);
  if (opts.profile) target.profile = opts.profile;
  const device = openDevice(target, shippedProfiles(), custom);
  try {
    const id = await device.reader.identify();
    const values = opts.values ? await device.reader.read() : {};
    const host = target.protocol === 'snmp' ? target.snmp.host : device.address;
    return { device: identity(host, device.address, id), values, timestamp: Date.now(), diagnostics: device.reader.diagnostics?.() };
  } finally {
    await device.close();
  }
}

export async function runRead(url: string, opts: ReadOptions): Promise<void> {
  const reading = await readOnce(url, { profile: opts.profile, profileFile: opts.profileFile, values: true });
  const diagnostics = opts.verbose ? reading.diagnostics : undefined;
  if (opts.json) {
    process.stdout.write(JSON.stringify({ device: reading.device, values: reading.values, timestamp: reading.timestamp, ...(diagnostics && { diagnostics }) }) + '\n');
    return;
  }
  process.stdout.write(`${formatIdentity(reading.device)}\n\n${formatValues(reading.values)}\n`);
  if (diagnostics) process.stdout.write(`\n${formatDiagnostics(diagnostics)}\n`);
}

/** `--verbose`: what the reading left out and why, then the connection's counters. */
function formatDiagnostics(d: DeviceDiagnostics): string {
  const absent = sortNames(Object.keys(d.lastAbsent)).map((name): [string, string] => [name, `absent: ${d.lastAbsent[name]}`]);
  const counters = Object.entries(d.connection).map(([k, v]): [string, string] => [k, String(v)]);
  return [
    'left out of this reading',
    absent.length ? table(absent) : '(nothing)',
    '',
    'connection',
    table(counters),
  ].join('\n');
}

export async function runDiscover(url: string, opts: ReadOptions): Promise<void> {
  const reading = await readOnce(url, { profile: opts.profile, profileFile: opts.profileFile, values: false });
  process.stdout.write(opts.json ? JSON.stringify(reading.device) + '\n' : formatIdentity(reading.device) + '\n');
}
