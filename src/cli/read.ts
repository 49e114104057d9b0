// `rackpower read` and `rackpower discover`: one identification (and one poll) with the same engine as the nodes.
import { openDevice } from '../device';
import type { Identification } from '../polling/types';
import { loadProfileFile, shippedProfiles } from '../profiles/load';
import type { Profile } from '../profiles/types';
import { RackpowerError } from '../errors';
import type { DeviceIdentity, Reading } from '../types';
import { parseTarget } from '../url';
import { formatIdentity, formatValues, table } from './format';
import { NutClient, type NutEndpoint } from '../protocol/nut/client';
import { defineCommand, parseCommand, URL_FORMS } from './spec';

function identity(name: string, address: string, id: Identification): DeviceIdentity {
  return { name, address, ...id };
}

export interface ReadOptions {
  /** A shipped profile id (or Modbus model), instead of detection / the URL's profile=. */
  profile?: string;
  /** A user's own profile file (validated like the shipped ones; its id must equal its file name). */
  profileFile?: string;
  json?: boolean;
}

/** The profile a --profile-file names, loaded and validated; undefined without one. */
export function customProfile(opts: { profile?: string; profileFile?: string }): Profile | undefined {
  if (!opts.profileFile) return undefined;
  if (opts.profile) throw new RackpowerError('CONFIG', '--profile and --profile-file exclude each other: the file is the profile');
  return loadProfileFile(opts.profileFile);
}

export async function readOnce(url: string, opts: { profile?: string; profileFile?: string; values: boolean }): Promise<Reading> {
  const target = parseTarget(url);
  const custom = customProfile(opts);
  if (opts.profile) target.profile = opts.profile;
  const device = openDevice(target, shippedProfiles(), custom);
  try {
    const id = await device.reader.identify();
    const values = opts.values ? await device.reader.read() : {};
    const host = target.protocol === 'snmp' ? target.snmp.host : target.protocol === 'nut' ? `${target.ups}@${target.nut.host}` : device.address;
    return { device: identity(host, device.address, id), values, timestamp: Date.now() };
  } finally {
    await device.close();
  }
}

export async function runRead(url: string, opts: ReadOptions): Promise<void> {
  const reading = await readOnce(url, { profile: opts.profile, profileFile: opts.profileFile, values: true });
  if (opts.json) {
    process.stdout.write(JSON.stringify({ device: reading.device, values: reading.values, timestamp: reading.timestamp }) + '\n');
    return;
  }
  process.stdout.write(`${formatIdentity(reading.device)}\n\n${formatValues(reading.values)}\n`);
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
  profile: { type: 'string', value: 'ID', help: 'a shipped profile instead of detection (Modbus: the model); see rackpower profiles' },
  'profile-file': { type: 'string', value: 'FILE', help: 'your own profile file (validated like the shipped ones)' },
  json: { type: 'boolean', help: 'one line of JSON instead of a table' },
} as const;

function readCommand(name: 'read' | 'discover', summary: string, run: typeof runRead) {
  const spec = defineCommand({
    name,
    summary,
    args: '<url> [options]',
    positionals: { min: 1, max: 1, missing: `${name} needs a device URL` },
    options: PROFILE_OPTIONS,
    notes: [URL_FORMS],
    run: async (args) => {
      const { values, positionals } = parseCommand(spec, args);
      await run(positionals[0], { profile: values.profile, profileFile: values['profile-file'], json: values.json === true });
    },
  });
  return spec;
}

export const READ = readCommand('read', 'identify a device and print one reading: NUT variables with units', runRead);
export const DISCOVER = readCommand('discover', 'identify a device: detected profile, vendor, model, serial, firmware', runDiscover);
