// The control sections of the loaded profiles (`control` in profiles/**): which OIDs and values switch an outlet or
// command a UPS. Data, not code: a controllable device is a profile with a control section and nothing else, and a
// user's own profile (RACKPOWER_PROFILES) brings its own.
import { RackpowerError } from '../errors';
import { loadedProfiles } from '../profiles/load';
import type { ControlSet, Profile, ProfileControl, SnmpProfile } from '../profiles/types';
import type { SetVarbind } from '../protocol/snmp/client';

export { UPS_COMMANDS } from '../profiles/types';
export type { ControlSet, OutletAction, OutletControl, UpsCommand, UpsCommandName } from '../profiles/types';

/** A profile's control section, with the id of the profile it comes from. */
export interface DeviceControl extends ProfileControl {
  profile: string;
}

/** The SNMP profiles with outlet switching (or UPS commands), for detection among them only. */
export function controllableProfiles(what: 'outlet' | 'ups', profiles: Profile[] = loadedProfiles()): SnmpProfile[] {
  return profiles.filter((p): p is SnmpProfile => p.protocol === 'snmp' && p.control?.[what] !== undefined);
}

/** The control data for a profile id, or CONFIG naming the profiles that have some. */
export function controlFor(profile: string, what: 'outlet' | 'ups', profiles: Profile[] = loadedProfiles()): DeviceControl {
  const candidates = controllableProfiles(what, profiles);
  const found = candidates.find((p) => p.id === profile);
  if (!found) {
    throw new RackpowerError('CONFIG', `no ${what} control for profile ${profile} (supported: ${candidates.map((p) => p.id).join(', ')})`);
  }
  return { profile: found.id, ...found.control };
}

/** A ControlSet as the SNMP client takes it, with the delay filled in. */
export function toVarbind(set: ControlSet, suffix: string, delayS = 0): SetVarbind {
  const oid = suffix ? `${set.oid}.${suffix}` : set.oid;
  const value = set.value === '{delay}' ? Math.round(delayS) : set.value;
  return { oid, type: set.type, value };
}
