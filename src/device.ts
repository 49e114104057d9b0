// The one place where a connection and a profile become a device reader (test/lint/assembly.test.ts keeps it so):
// assembleReader takes a connection its caller holds (a config node's shared one, Discover's probe); openDevice opens
// the connection for a parsed URL first (the CLI and the benchmark).
import { RackpowerError } from './errors';
import { serialPortProblem } from './protocol/modbus/serial-port';
import { ModbusTransport } from './protocol/modbus/transport';
import { SnmpClient } from './protocol/snmp/client';
import { findProfile, loadedProfiles } from './profiles/load';
import type { ModbusProfile, Profile, SnmpProfile } from './profiles/types';
import { ModbusDeviceReader } from './polling/modbus-reader';
import { SnmpDeviceReader } from './polling/snmp-reader';
import type { DeviceReader } from './polling/types';
import { ApcupsdDeviceReader } from './polling/apcupsd-reader';
import { NutDeviceReader } from './polling/nut-reader';
import { NutClient } from './protocol/nut/client';
import type { DeviceTarget } from './url';
import type { NisEndpoint } from './protocol/apcupsd/nis';

/** A connection and what to read over it. SNMP: a fixed `profile`, or detection among `candidates`. */
export type DeviceParts =
  | { protocol: 'snmp'; client: SnmpClient; profile?: SnmpProfile; candidates?: SnmpProfile[] }
  | { protocol: 'modbus'; transport: ModbusTransport; profile: ModbusProfile; unit: number }
  | { protocol: 'nut'; client: NutClient; ups: string }
  // apcupsd's NIS answers one request per connection: the reader connects for each poll itself.
  | { protocol: 'apcupsd'; nis: NisEndpoint };

export interface AssembledDevice<R extends DeviceReader = DeviceReader> {
  reader: R;
  /** Address without secrets. */
  address: string;
}

/** The reader for a connection; the caller keeps the connection (and closes or releases it). */
export function assembleReader(parts: Extract<DeviceParts, { protocol: 'snmp' }>): AssembledDevice<SnmpDeviceReader>;
export function assembleReader(parts: DeviceParts): AssembledDevice;
export function assembleReader(parts: DeviceParts): AssembledDevice {
  switch (parts.protocol) {
    case 'snmp':
      return { reader: new SnmpDeviceReader(parts.client, { profile: parts.profile, profiles: parts.candidates }), address: parts.client.describe() };
    case 'modbus': {
      const where = parts.transport.describe();
      const address = `${where}${where.includes('?') ? '&' : '?'}unit=${parts.unit}`;
      return { reader: new ModbusDeviceReader(parts.transport, parts.profile, parts.unit), address };
    }
    case 'nut':
      return { reader: new NutDeviceReader(parts.client, parts.ups), address: `${parts.client.describe()}/${parts.ups}` };
    case 'apcupsd': {
      const reader = new ApcupsdDeviceReader(parts.nis);
      return { reader, address: reader.describe() };
    }
  }
}

export interface OpenDevice extends AssembledDevice {
  close(): Promise<void>;
}

/**
 * `explicit` is a profile object the caller loaded itself (a user's own profile file: `--profile-file`, a node's
 * custom profile); it is used as is, instead of a known profile (shipped or RACKPOWER_PROFILES) named by `target.profile` or detection.
 */
export function openDevice(target: DeviceTarget, profiles: Profile[] = loadedProfiles(), explicit?: Profile): OpenDevice {
  const profileId = target.profile && target.profile !== 'auto' ? target.profile : undefined;
  if (explicit && profileId && profileId.toLowerCase() !== explicit.id) {
    throw new RackpowerError('CONFIG', `profile=${profileId} names another profile than the one given (${explicit.id})`);
  }
  if (target.protocol === 'nut' || target.protocol === 'apcupsd') {
    // The server's driver already speaks NUT: there is no profile to choose.
    if (explicit || profileId) throw new RackpowerError('CONFIG', `${target.protocol} devices take no profile: the server names the variables`);
    return openServerDevice(target);
  }
  const chosen = explicit ?? (profileId ? findProfile(profileId, profiles) : undefined);
  if (target.protocol === 'snmp') {
    const profile = chosen;
    if (profile && profile.protocol !== 'snmp') throw new RackpowerError('CONFIG', `profile ${profile.id} is a Modbus profile`);
    const client = new SnmpClient(target.snmp);
    const candidates = profiles.filter((p): p is SnmpProfile => p.protocol === 'snmp');
    return { ...assembleReader({ protocol: 'snmp', client, profile: profile as SnmpProfile | undefined, candidates }), close: async () => client.close() };
  }
  if (!chosen) {
    // Modbus has no self-description to detect from: the model must be named.
    const models = profiles.filter((p) => p.protocol === 'modbus').map((p) => p.id).join(', ');
    throw new RackpowerError('CONFIG', `Modbus needs profile=<id> (one of: ${models})`);
  }
  const profile = chosen;
  if (profile.protocol !== 'modbus') throw new RackpowerError('CONFIG', `profile ${profile.id} is an SNMP profile`);
  // Only a serial port is opened as one: /etc/passwd or /dev/watchdog must never be (the Modbus link checks the same).
  const problem = target.modbus.kind === 'rtu' ? serialPortProblem(target.modbus.path) : undefined;
  if (problem) throw new RackpowerError('CONFIG', problem);
  const transport = new ModbusTransport({ ...target.modbus, timeoutMs: target.timeoutMs });
  return { ...assembleReader({ protocol: 'modbus', transport, profile: profile as ModbusProfile, unit: target.unit }), close: () => transport.close() };
}

function openServerDevice(target: Extract<DeviceTarget, { protocol: 'nut' | 'apcupsd' }>): OpenDevice {
  if (target.protocol === 'apcupsd') {
    const device = assembleReader({ protocol: 'apcupsd', nis: target.nis });
    return { ...device, close: () => device.reader.close() };
  }
  if (!target.ups) throw new RackpowerError('CONFIG', `which UPS? nut://host/<ups> (rackpower discover ${new NutClient(target.nut).describe()} lists them)`);
  const client = new NutClient(target.nut);
  return { ...assembleReader({ protocol: 'nut', client, ups: target.ups }), close: () => client.close() };
}
