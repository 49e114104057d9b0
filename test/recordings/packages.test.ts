// Every device package (profiles/<protocol>/<id>/, found by listing folders) against its own expect.json: each SNMP
// recording served by Debian's snmpsimd, each Modbus register dump by the test Modbus server, detected among every
// shipped profile and read with the package's profile, every value compared with the independent reading
// expect.json names (NUT, LibreNMS, the MIB or the register map). A new package is picked up with no other file.
// @module-tag peer: snmpsimd
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROFILE_DIR, shippedProfiles } from '../../src/profiles/load';
import { listPackages, PACKAGE_FILES, readExpect, RECORDING } from '../harness/packages';
import { startSnmpsim, type Snmpsim } from '../harness/snmpsim';
import { checkRecording, snmpRecordings } from './package-check';

const packages = listPackages(PROFILE_DIR);
const withRecordings = packages.filter((p) => p.recordings.length > 0);

let sim: Snmpsim;
beforeAll(async () => {
  sim = await startSnmpsim(snmpRecordings(packages));
});
afterAll(() => sim?.stop());

describe('device packages', () => {
  it('every shipped profile is a package, and every package folder holds only its profile, recordings, expect.json and SOURCE.md', () => {
    expect(packages.map((p) => p.id).sort()).toEqual(shippedProfiles().map((p) => p.id).sort());
    for (const p of packages) {
      expect(p.files.filter((f) => !PACKAGE_FILES.includes(f) && !RECORDING.test(f)), `${p.id}: stray files`).toEqual([]);
    }
  });

  it('a package with recordings has SOURCE.md and an expect.json entry for each recording, and no entry without one', () => {
    expect(withRecordings.length).toBeGreaterThan(20);
    for (const p of withRecordings) {
      expect(existsSync(path.join(p.dir, 'SOURCE.md')), `${p.id}/SOURCE.md`).toBe(true);
      expect(Object.keys(readExpect(p)).sort(), `${p.id}/expect.json recordings`).toEqual(p.recordings);
    }
  });

  it('a package without a recording says why in SOURCE.md and has no expect.json (nothing would check it)', () => {
    const bare = packages.filter((x) => x.recordings.length === 0);
    for (const p of bare) expect(p.files, p.id).toEqual(['SOURCE.md', 'profile.json']);
    console.log(`packages without a recording yet: ${bare.map((x) => x.id).join(', ')}`);
  });

  it('a recording copied into a second package is the same file in both (SOURCE.md says so; fixture() takes either)', () => {
    const byName = new Map<string, string>();
    for (const p of withRecordings) {
      for (const r of p.recordings) {
        const text = readFileSync(path.join(p.dir, r), 'utf8');
        const first = byName.get(r);
        if (first === undefined) byName.set(r, text);
        else expect(text === first, `${p.id}/${r} differs from the other package's copy`).toBe(true);
      }
    }
  });

  describe.each(withRecordings.map((p) => [p.id, p] as const))('%s', (_id, pkg) => {
    it.each(pkg.recordings)('%s', async (recording) => {
      const expected = readExpect(pkg)[recording];
      expect(expected, `${pkg.id}/expect.json has ${recording}`).toBeDefined();
      await checkRecording({ pkg, recording, expected, profiles: shippedProfiles(), snmpPort: sim.port });
    });
  });
});
