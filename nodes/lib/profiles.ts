// The profile list the editor offers, and which profiles a device node may use.
import type { NodeAPI } from 'node-red';
import { findProfile, shippedProfiles } from '../../src/profiles/load';
import type { Profile, SnmpProfile } from '../../src/profiles/types';
import { RackpowerError } from '../../src/errors';
import type { DeviceKind } from '../../src/types';

export interface ProfileInfo {
  id: string;
  vendor: string;
  models: string[];
  kind: DeviceKind;
  protocol: Profile['protocol'];
}

export function profileList(): ProfileInfo[] {
  return shippedProfiles().map(({ id, vendor, models, kind, protocol }) => ({ id, vendor, models, kind, protocol }));
}

/** SNMP profiles detection may choose for this kind of node. */
export function snmpCandidates(kind: DeviceKind): SnmpProfile[] {
  return shippedProfiles().filter((p): p is SnmpProfile => p.protocol === 'snmp' && p.kind === kind);
}

/** An explicitly chosen profile, refused when it is for another protocol or kind (the editor offers only fitting ones). */
export function chosenProfile<P extends Profile['protocol']>(id: string, protocol: P, kind: DeviceKind): Extract<Profile, { protocol: P }> {
  const profile = findProfile(id);
  if (profile.protocol !== protocol) {
    throw new RackpowerError('CONFIG', `profile ${profile.id} is for ${profile.protocol}, not ${protocol}`);
  }
  if (profile.kind !== kind) throw new RackpowerError('CONFIG', `profile ${profile.id} is for a ${profile.kind}, not a ${kind}`);
  return profile as Extract<Profile, { protocol: P }>;
}

// Every device node file registers the route; Express would answer from the first and keep the rest as dead weight.
const registered = new WeakSet<object>();

/** GET /rackpower/profiles for the editor's profile select (admin API, needs rackpower.read). */
export function registerProfileRoute(RED: NodeAPI): void {
  if (registered.has(RED.httpAdmin)) return;
  registered.add(RED.httpAdmin);
  RED.httpAdmin.get('/rackpower/profiles', RED.auth.needsPermission('rackpower.read'), (_req, res) => {
    try {
      res.json(profileList());
    } catch (err) {
      res.status(500).json({ error: (err as Error).message });
    }
  });
}
