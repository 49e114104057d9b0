// `rackpower read` and `rackpower discover`: one identification (and one poll) with the same engine as the nodes.
import { openDevice } from '../device';
import type { DeviceDiagnostics } from '../polling/diagnostics';
import type { Identification } from '../polling/types';
import { loadProfileFile, loadedProfiles } from '../profiles/load';
import type { Profile } from '../profiles/types';
import { RackpowerError } from '../errors';
import type { DeviceIdentity, Reading } from '../types';
import { parseTarget } from '../url';
import { formatIdentity, formatValues, sortNames, table } from './format';
import { NutClient, type NutEndpoint } from '../protocol/nut/client';
import { defineCommand, parseCommand, URL_FORMS } from './spec';

function identity(name: string, address: string, id: Identification): DeviceIdentity {
  return { name, address, ...id };
}

export interface ReadOptions {
  /** A known profile id (shipped or RACKPOWER_PROFILES; or a Modbus model), instead of detection / the URL's profile=. */
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
  const device = openDevice(target, loadedProfiles(), custom);
  try {
    const id = await device.reader.identify();
    const values = opts.values ? await device.reader.read() : {};
    const host = target.protocol === 'snmp' ? target.snmp.host : target.protocol === 'nut' ? `${target.ups}@${target.nut.host}` : device.address;
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
  const target = parseTarget(url);
  if (target.protocol === 'nut' && !target.ups) {
    await listServer(target.nut, opts.json === true);
    return;
  }
  const reading = await readOnce(url, { profile: opts.profile, profileFile: opts.profileFile, values: false });
  process.stdout.write(opts.json ? JSON.stringify(reading.device) + '\n' : formatIdentity(reading.device) + '\n');
}

/** `rackpower discover nut://host`: the UPS units the server has, as `nut://host/<ups>` URLs to read. */
async function listServer(endpoint: NutEndpoint, json: boolean): Promise<void> {
  const client = new NutClient(endpoint);
  try {
    const units = await client.listUps();
    const server = client.describe();
    const rows = [...units].map(([name, description]) => ({ name, description, url: `${server}/${name}` }));
    if (json) process.stdout.write(JSON.stringify({ server, ups: rows }) + '\n');
    else process.stdout.write((rows.length ? table(rows.map((r) => [r.url, r.description])) : `${server} has no UPS`) + '\n');
  } finally {
    await client.close();
  }
}

const PROFILE_OPTIONS = {
  profile: { type: 'string', value: 'ID', help: 'a known profile instead of detection (Modbus: the model); see rackpower profiles' },
  'profile-file': { type: 'string', value: 'FILE', help: 'your own profile file (validated like the shipped ones)' },
  json: { type: 'boolean', help: 'one line of JSON instead of a table' },
} as const;

const READ_OPTIONS = {
  ...PROFILE_OPTIONS,
  verbose: { type: 'boolean', short: 'v', help: 'also what the reading left out and why (diagnostics), and the connection counters' },
} as const;

function readCommand<O extends typeof PROFILE_OPTIONS>(name: 'read' | 'discover', summary: string, options: O, run: (url: string, values: ReadOptions) => Promise<void>) {
  const spec = defineCommand({
    name,
    summary,
    args: '<url> [options]',
    positionals: { min: 1, max: 1, missing: `${name} needs a device URL` },
    options,
    notes: [URL_FORMS],
    run: async (args) => {
      const { values, positionals } = parseCommand(spec, args);
      const v = values as Record<string, unknown>;
      await run(positionals[0], { profile: v.profile as string | undefined, profileFile: v['profile-file'] as string | undefined, json: v.json === true, verbose: v.verbose === true });
    },
  });
  return spec;
}

export const READ = readCommand('read', 'identify a device and print one reading: NUT variables with units', READ_OPTIONS, runRead);
export const DISCOVER = readCommand('discover', 'identify a device: detected profile, vendor, model, serial, firmware', PROFILE_OPTIONS, runDiscover);
