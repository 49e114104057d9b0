// The trap definitions of the loaded profiles (`traps` in profiles/**) as one lookup by notification OID. Data, not
// code: a device's notifications are a section of its profile, and a user's own profile brings its own.
// A MIB's notifications are shared by the devices that speak it while profiles are per device: each profile lists
// the ones its device sends, a notification listed by several profiles must read the same in each (merged into one
// entry), and a different meaning for one OID refuses to load, naming both profiles: a trap cannot mean two things.
import { RackpowerError } from '../errors';
import { loadedProfiles } from '../profiles/load';
import type { Profile, TrapDefinition } from '../profiles/types';

export type { TrapDefinition, TrapEventName } from '../profiles/types';

export type IndexedTrap = TrapDefinition & { vendor: string };

/**
 * The OID a v1 agent's trap for this notification arrives as (RFC 3584 §3.1): an SMIv2 notification `E.N` is sent
 * by SNMPv1 as enterprise `E`, specific `N`, which reads back as `E.0.N` (RFC 1628's upsTrapOnBattery
 * 1.3.6.1.2.1.33.2.1 arrives from v1-only cards as 1.3.6.1.2.1.33.2.0.1). Undefined when both forms are the same:
 * notifications already written `E.0.N` (SMIv1 TRAP-TYPEs such as PowerNet's).
 */
export function v1Form(oid: string): string | undefined {
  const arcs = oid.split('.');
  if (arcs.length < 3 || arcs[arcs.length - 2] === '0') return undefined;
  return [...arcs.slice(0, -1), '0', arcs[arcs.length - 1]].join('.');
}

/** JSON with object keys sorted at every level: two definitions written in another key order still compare equal. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Notification OID, in its SMIv2 form and its RFC 3584 v1 form → its definition and vendor. */
export function trapIndex(profiles: Profile[] = loadedProfiles()): Map<string, IndexedTrap> {
  const index = new Map<string, { def: IndexedTrap; from: string }>();
  for (const profile of profiles) {
    if (profile.protocol !== 'snmp' || !profile.traps) continue;
    const own = new Set<string>();
    for (const trap of profile.traps.notifications) {
      if (own.has(trap.oid)) throw new RackpowerError('CONFIG', `profile ${profile.id}: traps: ${trap.oid} is listed twice`);
      own.add(trap.oid);
      const def = { ...trap, vendor: profile.traps.vendor };
      const known = index.get(trap.oid);
      if (!known) index.set(trap.oid, { def, from: profile.id });
      else if (canonical(known.def) !== canonical(def)) {
        throw new RackpowerError('CONFIG', `profile ${profile.id}: traps: ${trap.oid} (${trap.name}) differs from the definition in profile ${known.from}`);
      }
    }
  }
  const out = new Map([...index].map(([oid, { def }]) => [oid, def]));
  for (const def of [...out.values()]) {
    const v1 = v1Form(def.oid);
    if (v1 && !out.has(v1)) out.set(v1, def);
  }
  return out;
}
