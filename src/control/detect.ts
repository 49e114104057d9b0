// Which vendor control data applies to an agent: the profile named in the settings, or the one detection picks
// among the controllable profiles (the same sysObjectID-and-probe detection the device nodes use).
import { shippedProfiles } from '../profiles/load';
import type { SnmpProfile } from '../profiles/types';
import { assembleReader } from '../device';
import type { SnmpClient } from '../protocol/snmp/client';
import { controlFor, controllableProfiles, type VendorControl } from './vendors';

export async function resolveControl(client: SnmpClient, profile: string, what: 'outlet' | 'ups'): Promise<VendorControl> {
  if (profile && profile !== 'auto') return controlFor(profile, what);
  const ids = controllableProfiles(what);
  const candidates = shippedProfiles().filter((p): p is SnmpProfile => p.protocol === 'snmp' && ids.includes(p.id));
  const detected = await assembleReader({ protocol: 'snmp', client, candidates }).reader.detect();
  return controlFor(detected.id, what);
}
