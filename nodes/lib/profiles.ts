// The profile list and variable names the editor offers, and which profiles a device node may use.
import { findProfile, loadedProfiles } from '../../src/profiles/load';
import type { Profile, SnmpProfile, UpsCommandName } from '../../src/profiles/types';
import { RackpowerError } from '../../src/errors';
import type { DeviceKind } from '../../src/types';

export interface ProfileInfo {
  id: string;
  vendor: string;
  models: string[];
  kind: DeviceKind;
  protocol: Profile['protocol'];
  /** What the profile's control section offers (the outlet and UPS command dialogs list these); absent without one. */
  control?: { outlet: boolean; ups: UpsCommandName[] };
}

/** The loaded profiles (shipped and the user's own) as the editor's profile, outlet and UPS command lists show them. */
export function profileList(): ProfileInfo[] {
  return loadedProfiles().map((p) => ({
    id: p.id,
    vendor: p.vendor,
    models: p.models,
    kind: p.kind,
    protocol: p.protocol,
    ...(p.protocol === 'snmp' && p.control && { control: { outlet: !!p.control.outlet, ups: Object.keys(p.control.ups ?? {}) as UpsCommandName[] } }),
  }));
}

/** SNMP profiles detection may choose for this kind of node. */
export function snmpCandidates(kind: DeviceKind): SnmpProfile[] {
  return loadedProfiles().filter((p): p is SnmpProfile => p.protocol === 'snmp' && p.kind === kind);
}

/** An explicitly chosen profile, refused when it is for another protocol or kind (the editor offers only fitting ones). */
export function chosenProfile<P extends Profile['protocol']>(id: string, protocol: P, kind: DeviceKind): Extract<Profile, { protocol: P }> {
  const profile = findProfile(id, loadedProfiles());
  if (profile.protocol !== protocol) {
    throw new RackpowerError('CONFIG', `profile ${profile.id} is for ${profile.protocol}, not ${protocol}`);
  }
  if (profile.kind !== kind) throw new RackpowerError('CONFIG', `profile ${profile.id} is for a ${profile.kind}, not a ${kind}`);
  return profile as Extract<Profile, { protocol: P }>;
}

/**
 * A name as the editor shows it. The `{i}` row index of a table column becomes `N` when it is a whole name part
 * (`outlet.N.current`: the Variables field reads such an N as any number) and `*` inside a part
 * (`input.L*-N.voltage`), where a letter N would be ambiguous (NUT's own `L1-N`).
 */
function shown(name: string): string {
  return name
    .split('.')
    .map((part) => (part === '{i}' ? 'N' : part.replace(/\{i\}/gu, '*')))
    .join('.');
}

/**
 * Every NUT name a profile can emit, sorted: scalars, table columns (and their single-row names), table counts,
 * constants. Bit fields and status sources all become `ups.status`.
 */
export function profileVariables(profile: Profile): string[] {
  const names = new Set<string>(Object.keys(profile.constants ?? {}));
  if (profile.protocol === 'snmp') {
    for (const v of profile.variables) names.add(shown(v.name));
    for (const table of profile.tables ?? []) {
      if (table.count) names.add(table.count);
      for (const c of table.columns) {
        names.add(shown(c.name));
        if (c.single) names.add(c.single);
      }
    }
  } else {
    for (const v of profile.variables) names.add(v.bits ? 'ups.status' : shown(v.name));
  }
  return [...names].sort();
}

/** The names any profile for this kind and protocol can emit: what `auto` may end up with. */
export function candidateVariables(kind: DeviceKind, protocol: Profile['protocol']): string[] {
  const names = new Set<string>();
  for (const p of loadedProfiles()) if (p.kind === kind && p.protocol === protocol) for (const n of profileVariables(p)) names.add(n);
  return [...names].sort();
}
