// Identity comes from the device, never from a guess. A UPS-MIB-only card under a maker's sysObjectID that no
// profile lists must be read with the generic ietf-ups profile and carry the maker the card itself names
// (upsIdentManufacturer): no vendor profile may claim it through a generic probe and stamp its own name on it.
// The walks are the real Huawei GSE200M walk with its vendor tree (1.3.6.1.4.1.2011) removed, served under other
// sysObjectIDs with other upsIdentManufacturer texts: built here, at run time, from the committed fixture.
// @module-tag peer: snmpsimd
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SnmpDeviceReader } from '../../src/polling/snmp-reader';
import type { SnmpProfile } from '../../src/profiles/types';
import { startSnmpsim, type Snmpsim } from '../harness/snmpsim';
import { client, fixture, snmpProfiles } from '../profiles/recording-helpers';

const ENTERPRISES = '1.3.6.1.4.1.';
/** Profiles for any maker's device: they read standard MIBs and may probe them. */
const GENERIC = new Set(['ietf-ups', 'entity-sensor']);
const IDENTITY = ['device.mfr', 'device.model', 'ups.mfr', 'ups.model'];

/** sysObjectIDs of UPS makers no profile lists (Socomec, Riello, Delta, Gamatronic), net-snmp's generic one, and Tripp Lite's. */
const MAKERS: Array<{ community: string; sysObjectID: string; mfr: string }> = [
  { community: 'socomec', sysObjectID: '1.3.6.1.4.1.4555.1.1.1', mfr: 'SOCOMEC' },
  { community: 'riello', sysObjectID: '1.3.6.1.4.1.5491.1', mfr: 'RPS SpA' },
  { community: 'delta', sysObjectID: '1.3.6.1.4.1.2254.2.4', mfr: 'Delta Electronics' },
  { community: 'gamatronic', sysObjectID: '1.3.6.1.4.1.6050.5', mfr: 'Gamatronic' },
  { community: 'linux', sysObjectID: '1.3.6.1.4.1.8072.3.2.10', mfr: 'EAST' },
  // Tripp Lite's own id, but only the UPS-MIB answers (no tlpUps tree): still what the card says it is.
  { community: 'tripplite-ietf', sysObjectID: '1.3.6.1.4.1.850.1', mfr: 'Minuteman' },
];

function upsMibOnly(sysObjectID: string, mfr: string): string {
  return readFileSync(fixture('huawei-gse200m'), 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('1.3.6.1.4.1.2011.'))
    .map((l) => (l.startsWith('1.3.6.1.2.1.1.2.0|') ? `1.3.6.1.2.1.1.2.0|6|${sysObjectID}` : l))
    .map((l) => (l.startsWith('1.3.6.1.2.1.33.1.1.1.0|') ? `1.3.6.1.2.1.33.1.1.1.0|4|${mfr}` : l))
    .join('\n') + '\n';
}

let sim: Snmpsim;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'rp-makers-'));
  const files = MAKERS.map((m) => {
    const file = path.join(dir, `${m.community}.snmprec`);
    writeFileSync(file, upsMibOnly(m.sysObjectID, m.mfr));
    return file;
  });
  // The same walk with a blank upsIdentManufacturer: no maker at all rather than somebody's constant.
  const blank = path.join(dir, 'nameless.snmprec');
  writeFileSync(blank, upsMibOnly('1.3.6.1.4.1.4555.1.1.1', ''));
  sim = await startSnmpsim([...files, blank]);
});
afterAll(async () => {
  await sim?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('UPS-MIB-only cards of makers no profile lists', () => {
  for (const m of MAKERS) {
    it(`${m.sysObjectID} → ietf-ups, manufacturer "${m.mfr}" as the card says`, async () => {
      const c = client(sim.port, m.community);
      try {
        const reader = new SnmpDeviceReader(c, { profiles: snmpProfiles() });
        const id = await reader.identify();
        expect(id).toMatchObject({ profile: 'ietf-ups', kind: 'ups', manufacturer: m.mfr, model: 'UPS5000' });
        const v = await reader.read();
        expect(v['device.mfr']).toBe(m.mfr);
        expect(v['ups.status']).toBe('OL');
      } finally {
        c.close();
      }
    });
  }

  it('a card that leaves upsIdentManufacturer blank has no manufacturer', async () => {
    const c = client(sim.port, 'nameless');
    try {
      const id = await new SnmpDeviceReader(c, { profiles: snmpProfiles() }).identify();
      expect(id.profile).toBe('ietf-ups');
      expect(id.manufacturer).toBeUndefined();
    } finally {
      c.close();
    }
  });
});

describe('profile rules that keep identity honest', () => {
  const profiles = snmpProfiles();
  const probes = (p: SnmpProfile): string[] => [...(p.match.probe ?? []), ...(p.match.probeAny ?? [])];

  it('no vendor profile probes a generic-MIB OID', () => {
    for (const p of profiles.filter((x) => !GENERIC.has(x.id))) {
      for (const oid of probes(p)) expect(oid.replace(/^\./u, ''), `${p.id} probes ${oid}`).toMatch(/^1\.3\.6\.1\.4\.1\./u);
    }
  });

  it('a profile that states a maker or model as a constant is only chosen on that vendor\'s own evidence', () => {
    for (const p of profiles) {
      const stated = IDENTITY.filter((n) => p.constants?.[n] !== undefined);
      if (!stated.length) continue;
      expect(GENERIC.has(p.id), `${p.id} is generic yet states ${stated.join(', ')}`).toBe(false);
      const evidence = [...probes(p), ...(p.match.sysObjectID ?? []), ...(p.match.sysObjectIDPrefix ?? [])];
      expect(evidence.length, p.id).toBeGreaterThan(0);
      for (const oid of evidence) expect(oid.replace(/^\./u, '').startsWith(ENTERPRISES), `${p.id}: ${oid}`).toBe(true);
    }
  });
});
