// The package file formats the data-driven recording test relies on: expect.json refused with the field named when
// it leaves out what a check needs, register dumps parsed exactly or refused with the line named, absent-name
// patterns matched as documented (docs/profiles.md, "Adding a device").
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listPackages, namePattern, parseRegisterDump, readExpect } from '../harness/packages';

/** A package folder holding the given expect.json, as listPackages finds it. */
function packageWith(expectJson: unknown) {
  const root = mkdtempSync(path.join(os.tmpdir(), 'rp-expect-'));
  const dir = path.join(root, 'snmp', 'x-ups');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'profile.json'), '{}');
  writeFileSync(path.join(dir, 'expect.json'), JSON.stringify(expectJson));
  return listPackages(root)[0];
}

const check = { source: 'NUT 2.8.0 upsc', values: { 'battery.charge': 100 } };

describe('expect.json', () => {
  it('accepts a recording with detection, identity and sourced values', () => {
    const entry = { detect: 'x-ups', identity: { source: 'MIB', model: 'X1', serial: null }, requests: { steady: 1 }, checks: [check] };
    expect(readExpect(packageWith({ recordings: { 'x.snmprec': entry } }))['x.snmprec']).toEqual(entry);
  });

  it.each([
    ['an SNMP recording without detect', { 'x.snmprec': { checks: [check] } }, /must have required property 'detect'/],
    ['a check without its source', { 'x.snmprec': { detect: 'x-ups', checks: [{ values: { 'battery.charge': 100 } }] } }, /source/],
    ['identity without its source', { 'x.snmprec': { detect: 'x-ups', identity: { model: 'X1' } } }, /source/],
    ['a misspelt field', { 'x.snmprec': { detect: 'x-ups', chekcs: [check] } }, /additional properties/],
    ['a name that is no NUT name', { 'x.snmprec': { detect: 'x-ups', checks: [{ source: 'MIB', values: { 'Battery Charge': 1 } }] } }, /recordings/],
    ['detection asked of a Modbus dump', { 'x.modbus': { detect: 'x-ups' } }, /must NOT be valid/],
    ['a file that is no recording', { 'x.txt': { detect: 'x-ups' } }, /property name/],
  ])('refuses %s, naming the file', (_what, recordings, message) => {
    expect(() => readExpect(packageWith({ recordings }))).toThrow(message);
    expect(() => readExpect(packageWith({ recordings }))).toThrow(/x-ups[/\\]expect\.json/);
  });
});

describe('register dumps', () => {
  it('reads unit, function, decimal or hex address and hex words, comments ignored', () => {
    const dump = parseRegisterDump('# a meter\n1,4,0x0010,4366 8000  # 230.5 V\n\n2,3,40,00ff\n');
    expect([...(dump.get(1)?.get(4) ?? [])]).toEqual([[16, 0x4366], [17, 0x8000]]);
    expect([...(dump.get(2)?.get(3) ?? [])]).toEqual([[40, 255]]);
  });

  it.each([
    ['a word of three digits', '1,3,0,fff'],
    ['function 6 (no register table)', '1,6,0,0001'],
    ['a missing address', '1,3,,0001'],
    ['an address past 65535', '1,3,70000,0001'],
    ['a register given twice', '1,3,0,0001 0002\n1,3,1,0003'],
  ])('refuses %s with the line named', (_what, text) => {
    expect(() => parseRegisterDump(text, 'x.modbus')).toThrow(/^x\.modbus:\d+: /);
  });
});

describe('absent-name patterns', () => {
  it('* is any run of characters, [..] one of a set, the rest literal', () => {
    expect(namePattern('ambient.*').test('ambient.1.temperature')).toBe(true);
    expect(namePattern('ambient.*').test('ambientXcount')).toBe(false);
    expect(namePattern('input.L[4-9]*').test('input.L4.current')).toBe(true);
    expect(namePattern('input.L[4-9]*').test('input.L3.current')).toBe(false);
    expect(namePattern('*-N.*').test('input.L1-N.voltage')).toBe(true);
    expect(namePattern('*-N.*').test('input.L1-L2.voltage')).toBe(false);
  });
});
