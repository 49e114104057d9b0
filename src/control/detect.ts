// Which profile's control data applies to an agent: the profile named in the settings, or the one detection picks
// among the controllable profiles (the same sysObjectID-and-probe detection the device nodes use).
import { assembleReader } from '../device';
import type { SnmpClient } from '../protocol/snmp/client';
import { controlFor, controllableProfiles, type DeviceControl } from './profile-control';

export async function resolveControl(client: SnmpClient, profile: string, what: 'outlet' | 'ups'): Promise<DeviceControl> {
  if (profile && profile !== 'auto') return controlFor(profile, what);
  const detected = await assembleReader({ protocol: 'snmp', client, candidates: controllableProfiles(what) }).reader.detect();
  return controlFor(detected.id, what);
}
