import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listProfileFiles, loadProfileFile, loadProfiles, PROFILE_DIR, shippedProfiles } from '../../src/profiles/load';

function tempProfileDir(file: string, body: unknown): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rp-prof-'));
  mkdirSync(path.join(dir, 'snmp'));
  writeFileSync(path.join(dir, 'snmp', file), JSON.stringify(body));
  return dir;
}

const minimal = {
  id: 'x-ups', protocol: 'snmp', kind: 'ups', vendor: 'X', models: ['X1'], description: 'test',
  match: { probe: ['1.3.6.1.4.1.99.1.0'] },
  variables: [{ name: 'battery.charge', oid: '1.3.6.1.4.1.99.2.0' }],
};

/** A user profiles folder holding one device package: snmp/<folder>/profile.json plus the package's other files. */
function tempPackageDir(folder: string, body: unknown): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rp-pkg-'));
  mkdirSync(path.join(dir, 'snmp', folder), { recursive: true });
  writeFileSync(path.join(dir, 'snmp', folder, 'profile.json'), JSON.stringify(body));
  writeFileSync(path.join(dir, 'snmp', folder, 'expect.json'), JSON.stringify({ recordings: {} }));
  writeFileSync(path.join(dir, 'snmp', folder, 'SOURCE.md'), '# test\n');
  return dir;
}

describe('profile loading', () => {
  it('validates every shipped profile against the schema', () => {
    const ids = shippedProfiles().map((p) => p.id);
    expect(ids).toEqual(expect.arrayContaining(['ietf-ups', 'apc-rpdu2', 'xy-md02', 'eastron-sdm120']));
  });

  it('accepts a minimal valid profile', () => {
    expect(loadProfiles([tempProfileDir('x-ups.json', minimal)])[0].id).toBe('x-ups');
  });

  it('names the file and the field of a wrong type', () => {
    const bad = { ...minimal, variables: [{ name: 'battery.charge', oid: '1.3.6.1.4.1.99.2.0', scale: 'ten' }] };
    expect(() => loadProfiles([tempProfileDir('x-ups.json', bad)])).toThrow(/x-ups\.json: variables\/0\/scale: must be number/);
  });

  it('names an unknown field', () => {
    const bad = { ...minimal, variables: [{ name: 'battery.charge', oid: '1.3.6.1.4.1.99.2.0', sclae: 0.1 }] };
    expect(() => loadProfiles([tempProfileDir('x-ups.json', bad)])).toThrow(/variables\/0: must NOT have additional properties "sclae"/);
  });

  it('refuses a name that is not a NUT-style name', () => {
    const bad = { ...minimal, variables: [{ name: 'Battery Charge', oid: '1.3.6.1.4.1.99.2.0' }] };
    expect(() => loadProfiles([tempProfileDir('x-ups.json', bad)])).toThrow(/variables\/0\/name/);
  });

  it('refuses an id that differs from the file name', () => {
    expect(() => loadProfiles([tempProfileDir('other.json', minimal)])).toThrow(/other\.json: id: "x-ups" must equal/);
  });

  it('loads a device package folder by its profile.json and nothing else in it', () => {
    expect(loadProfiles([tempPackageDir('x-ups', minimal)]).map((p) => p.id)).toEqual(['x-ups']);
  });

  it('loads flat profile files and package folders side by side in one user folder', () => {
    const dir = tempPackageDir('x-ups', minimal);
    writeFileSync(path.join(dir, 'snmp', 'y-ups.json'), JSON.stringify({ ...minimal, id: 'y-ups' }));
    expect(loadProfiles([dir]).map((p) => p.id).sort()).toEqual(['x-ups', 'y-ups']);
  });

  it('loads one package folder given as the profile file (rackpower read --profile-file <folder>)', () => {
    const dir = tempPackageDir('x-ups', minimal);
    expect(loadProfileFile(path.join(dir, 'snmp', 'x-ups')).id).toBe('x-ups');
    expect(() => loadProfileFile(path.join(dir, 'snmp'))).toThrow(/snmp[/\\]profile\.json: ENOENT/);
  });

  it('refuses a package whose profile id differs from its folder name', () => {
    expect(() => loadProfiles([tempPackageDir('other', minimal)])).toThrow(/other[/\\]profile\.json: id: "x-ups" must equal the folder name "other"/);
  });

  it('every shipped profile lives in its own package folder profiles/<protocol>/<id>/profile.json', () => {
    for (const file of listProfileFiles(PROFILE_DIR)) {
      const rel = path.relative(PROFILE_DIR, file).split(path.sep);
      expect(rel, file).toHaveLength(3);
      expect(rel[2]).toBe('profile.json');
    }
    expect(listProfileFiles(PROFILE_DIR)).toHaveLength(shippedProfiles().length);
  });
});
