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

/** Every probe OID of the candidates (`probe` and `probeAny`), so one GET answers them all. */
export function probeOids(profiles: SnmpProfile[]): string[] {
  return [...new Set(profiles.flatMap((p) => [...(p.match.probe ?? []), ...(p.match.probeAny ?? [])]).map(strip))];
}

/**
 * Whether the probes of a profile answered: every `probe` OID, and at least one `probeAny` OID. Undefined when the
 * profile has no probes at all (its sysObjectID alone decides).
 */
function probesAnswered(profile: SnmpProfile, answered: Set<string>): boolean | undefined {
  const all = (profile.match.probe ?? []).map(strip);
  const any = (profile.match.probeAny ?? []).map(strip);
  if (!all.length && !any.length) return undefined;
  return all.every((o) => answered.has(o)) && (!any.length || any.some((o) => answered.has(o)));
}

export interface Candidate {
  profile: SnmpProfile;
  /** 2 exact sysObjectID, 1 prefix, 0 none. */
  rank: number;
  /** Its probes answered, or it has none and its sysObjectID matched: the device shows this MIB's data. */
  confirmed: boolean;
}

/**
 * Every profile that could apply, best first. Confirmed candidates (probes answered, or no probes and a sysObjectID
 * match) come first: exact sysObjectID, then prefix, then probe-only, then the higher priority. Then, as a last
 * resort, profiles whose sysObjectID matches although their probes did not answer: an agent that says only who it
 * is (a card still booting, a walk holding sysObjectID alone) is still recognised, as NUT's sysOID table does.
 */
export function rankProfiles(profiles: SnmpProfile[], sysObjectID: string | undefined, answered: Set<string>): Candidate[] {
  return profiles
    .map((profile) => {
      const rank = sysObjectIdRank(profile, sysObjectID);
      const probes = probesAnswered(profile, answered);
      return { profile, rank, confirmed: probes ?? rank > 0 };
    })
    .filter((c) => c.confirmed || c.rank > 0)
    .sort(
      (a, b) =>
        Number(b.confirmed) - Number(a.confirmed) ||
        b.rank - a.rank ||
        (b.profile.match.priority ?? 0) - (a.profile.match.priority ?? 0),
    );
}

/**
 * The best profile given sysObjectID and which probe OIDs answered; undefined when nothing matches. A profile
 * without probes needs a sysObjectID match; a profile with probes is preferred when they answer.
 */
export function chooseProfile(
  profiles: SnmpProfile[],
  sysObjectID: string | undefined,
  answered: Set<string>,
): SnmpProfile | undefined {
  return rankProfiles(profiles, sysObjectID, answered)[0]?.profile;
}
