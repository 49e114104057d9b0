// Chooses the profile for an SNMP agent the way NUT's snmp-ups does: exact sysObjectID, then prefix, then probe
// OIDs; among candidates whose probes answer, a better sysObjectID match wins, then the higher priority (so vendor
// MIBs beat the generic RFC 1628 UPS-MIB on cards that speak both).
import type { SnmpProfile } from './types';

const strip = (oid: string): string => (oid.startsWith('.') ? oid.slice(1) : oid);

/** 2 exact sysObjectID, 1 prefix (whole arcs), 0 none. */
export function sysObjectIdRank(profile: SnmpProfile, sysObjectID: string | undefined): number {
  if (!sysObjectID) return 0;
  const id = strip(sysObjectID);
  if (profile.match.sysObjectID?.some((o) => strip(o) === id)) return 2;
  if (profile.match.sysObjectIDPrefix?.some((o) => id === strip(o) || id.startsWith(strip(o) + '.'))) return 1;
  return 0;
}

/** Every probe OID of the candidates, so one GET answers them all. */
export function probeOids(profiles: SnmpProfile[]): string[] {
  return [...new Set(profiles.flatMap((p) => p.match.probe ?? []).map(strip))];
}

/**
 * The best profile given sysObjectID and which probe OIDs answered; undefined when nothing matches. A profile
 * without probes needs a sysObjectID match; a profile with probes needs all of them to answer.
 */
export function chooseProfile(
  profiles: SnmpProfile[],
  sysObjectID: string | undefined,
  answered: Set<string>,
): SnmpProfile | undefined {
  const scored = profiles
    .map((profile) => {
      const rank = sysObjectIdRank(profile, sysObjectID);
      const probes = (profile.match.probe ?? []).map(strip);
      const ok = probes.length ? probes.every((o) => answered.has(o)) : rank > 0;
      return { profile, rank, ok };
    })
    .filter((c) => c.ok)
    .sort((a, b) => b.rank - a.rank || (b.profile.match.priority ?? 0) - (a.profile.match.priority ?? 0));
  return scored[0]?.profile;
}
