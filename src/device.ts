// Opens a device from a parsed target: the connection, the right reader and its profile. Used by the CLI and the
// benchmark; the Node-RED nodes assemble the same parts from their config nodes.
import { RackpowerError } from './errors';
import { serialPortProblem } from './protocol/modbus/serial-port';
import { ModbusTransport } from './protocol/modbus/transport';
import { SnmpClient } from './protocol/snmp/client';
import { findProfile, shippedProfiles } from './profiles/load';
import type { ModbusProfile, Profile, SnmpProfile } from './profiles/types';
import { ModbusDeviceReader } from './polling/modbus-reader';
import { SnmpDeviceReader } from './polling/snmp-reader';
import type { DeviceReader } from './polling/types';
import { ApcupsdDeviceReader } from './polling/apcupsd-reader';
import { NutDeviceReader } from './polling/nut-reader';
import { NutClient } from './protocol/nut/client';
import type { DeviceTarget } from './url';

export interface OpenDevice {
  reader: DeviceReader;
  /** Address without secrets. */
  address: string;
  close(): Promise<void>;
}

/**
 * `explicit` is a profile object the caller loaded itself (a user's own profile file: `--profile-file`, a node's
 * custom profile); it is used as is, instead of a shipped profile named by `target.profile` or detection.
 */
export function openDevice(target: DeviceTarget, profiles: Profile[] = shippedProfiles(), explicit?: Profile): OpenDevice {
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
    const snmpProfiles = profiles.filter((p): p is SnmpProfile => p.protocol === 'snmp');
    const reader = new SnmpDeviceReader(client, { profile: profile as SnmpProfile | undefined, profiles: snmpProfiles });
    return { reader, address: client.describe(), close: async () => client.close() };
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
  const reader = new ModbusDeviceReader(transport, profile as ModbusProfile, target.unit);
  const address = `${transport.describe()}${transport.describe().includes('?') ? '&' : '?'}unit=${target.unit}`;
  return { reader, address, close: () => transport.close() };
}

function openServerDevice(target: Extract<DeviceTarget, { protocol: 'nut' | 'apcupsd' }>): OpenDevice {
  if (target.protocol === 'apcupsd') {
    const reader = new ApcupsdDeviceReader(target.nis);
    return { reader, address: reader.describe(), close: () => reader.close() };
  }
  if (!target.ups) throw new RackpowerError('CONFIG', `which UPS? nut://host/<ups> (rackpower discover ${new NutClient(target.nut).describe()} lists them)`);
  const client = new NutClient(target.nut);
  const reader = new NutDeviceReader(client, target.ups);
  return { reader, address: `${client.describe()}/${target.ups}`, close: () => client.close() };
}
