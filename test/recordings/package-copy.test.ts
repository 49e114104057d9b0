// "A new device is one folder": a shipped package copied into a user's profiles folder as a new device family (new
// id; for SNMP a new vendor tree in both the profile and the recording, for Modbus a new model name) is loaded, is
// what detection picks for its recording, and passes the same data-driven check as the shipped packages, with no
// other file touched. A wrong value in the copy's expect.json fails that check.
// @module-tag peer: snmpsimd
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProfiles, PROFILE_DIR, shippedProfiles } from '../../src/profiles/load';
import { readOnce } from '../../src/cli/read';
import { startModbusServer } from '../harness/modbus-server';
import { dumpAnswer, listPackages, readExpect, readRegisterDump, type DevicePackage } from '../harness/packages';
import { startSnmpsim, type Snmpsim } from '../harness/snmpsim';
import { copyShippedPackage } from '../harness/user-profiles';
import { checkRecording, snmpRecordings } from './package-check';

const root = mkdtempSync(path.join(os.tmpdir(), 'rp-user-packages-'));
// A PDU maker nobody ships a profile for: the Sentry4 package under enterprise 64999 (its walk rewritten to match).
copyShippedPackage(root, 'snmp', 'servertech-sentry4', 'acme-pdu', [['servertech-sentry4', 'acme-pdu'], ['1.3.6.1.4.1.1718.', '1.3.6.1.4.1.64999.']]);
// A meter model the SDM230 package describes, under its own id and model name.
copyShippedPackage(root, 'modbus', 'eastron-sdm230', 'acme-meter230', [['eastron-sdm230', 'acme-meter230'], ['sdm230', 'acme230']]);

const copies = listPackages(root);
let sim: Snmpsim;
beforeAll(async () => {
  sim = await startSnmpsim(snmpRecordings(copies));
});
afterAll(async () => {
  await sim?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('a device package copied under a new id', () => {
  const profiles = loadProfiles([PROFILE_DIR, root]);

  it('the loader finds both copies next to every shipped profile', () => {
    expect(copies.map((p) => p.id)).toEqual(['acme-meter230', 'acme-pdu']);
    expect(profiles.map((p) => p.id).sort()).toEqual([...shippedProfiles().map((p) => p.id), 'acme-meter230', 'acme-pdu'].sort());
  });

  it.each(copies.map((p) => [p.id, p] as const))('%s passes the data-driven check (detection, identity, values)', async (_id, pkg) => {
    for (const recording of pkg.recordings) {
      const expected = readExpect(pkg)[recording];
      await checkRecording({ pkg, recording, expected, profiles, snmpPort: sim.port });
    }
    if (pkg.protocol === 'snmp') expect(readExpect(pkg)[pkg.recordings[0]].detect).toBe(pkg.id);
  });

  it('rackpower read --profile-file takes the copied package folder', async () => {
    const pkg = copies.find((p) => p.id === 'acme-meter230') as DevicePackage;
    const server = await startModbusServer(dumpAnswer(readRegisterDump(path.join(pkg.dir, pkg.recordings[0]))));
    try {
      const reading = await readOnce(`modbus-tcp://127.0.0.1:${server.port}?unit=1`, { profileFile: pkg.dir, values: true });
      expect(reading.device).toMatchObject({ profile: 'acme-meter230', kind: 'meter' });
      expect(reading.values['input.voltage']).toBe(230.5);
    } finally {
      await server.close();
    }
  });

  it('fails the check when a value in the copy is wrong', async () => {
    const pkg = copies.find((p) => p.id === 'acme-pdu') as DevicePackage;
    const expected = readExpect(pkg)['sentry4.snmprec'];
    const wrong = structuredClone(expected);
    const values = wrong.checks?.[0]?.values as Record<string, number>;
    values['input.realpower'] += 1;
    await expect(checkRecording({ pkg, recording: 'sentry4.snmprec', expected: wrong, profiles, snmpPort: sim.port })).rejects.toThrow(/input\.realpower/u);
  });
});
