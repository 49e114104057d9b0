// Profile files beyond sane sizes or with Modbus registers claimed twice are refused at load with the field named,
// both by the loader and by `rackpower read --profile-file` (exit 2, before any request); every shipped profile
// still loads.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadProfileFile, loadProfiles, PROFILE_DIR } from '../../src/profiles/load';
import { ensureBuilt, ROOT } from '../harness/build';
import { runNode } from '../harness/process';

const dir = mkdtempSync(path.join(tmpdir(), 'rackpower-profiles-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base = JSON.parse(readFileSync(path.join(PROFILE_DIR, 'modbus', 'xy-md02', 'profile.json'), 'utf8'));
const snmpBase = JSON.parse(readFileSync(path.join(PROFILE_DIR, 'snmp', 'ietf-ups', 'profile.json'), 'utf8'));

/** Writes a profile as `<id>.json` (the loader wants the file named after the id) and returns its path. */
function write(profile: object, id = 'test-profile'): string {
  const file = path.join(dir, `${id}.json`);
  writeFileSync(file, JSON.stringify({ ...profile, id }));
  return file;
}
const modbus = (variables: object[]): string => write({ ...base, variables });
const v = (name: string, register: number, type = 'uint16', extra: object = {}) => ({ name, register, function: 3, type, ...extra });

describe('profile limits and register overlaps', () => {
  it('every shipped profile loads', () => {
    expect(loadProfiles().length).toBeGreaterThan(20);
  });

  it('neighbouring registers and the same address in the other table are fine', () => {
    expect(() => loadProfileFile(modbus([v('input.voltage', 100, 'uint32'), v('input.current', 102), { ...v('input.frequency', 100), function: 4 }]))).not.toThrow();
  });

  it.each([
    ['a 32-bit value over the next one', [v('input.voltage', 100, 'int32'), v('input.current', 101)], 'variables/1/register: input.current (holding register 101) overlaps variables/0 input.voltage (holding registers 100-101)'],
    ['the same register twice', [v('input.voltage', 7), v('input.current', 3), v('output.voltage', 7)], 'variables/2/register: output.voltage (holding register 7) overlaps variables/0 input.voltage (holding register 7)'],
    ['a string over later values', [v('device.model', 10, 'string', { length: 8 }), v('input.voltage', 30), v('device.serial', 17)], 'variables/2/register: device.serial (holding register 17) overlaps variables/0 device.model (holding registers 10-17)'],
    ['a value past the last register', [v('input.voltage', 65_535, 'float32')], 'variables/0/register: holding registers 65535-65536 runs past register 65535'],
  ])('%s is refused with the field named', (_what, variables, reason) => {
    const file = modbus(variables);
    expect(() => loadProfileFile(file)).toThrow(`profile ${file}: ${reason}`);
  });

  it('thousands of variables are refused with their count', () => {
    const file = modbus(Array.from({ length: 2000 }, (_, i) => v('input.voltage', i)));
    expect(() => loadProfileFile(file)).toThrow(`profile ${file}: variables: 2000 variables, at most 1000`);
  });

  it('a file beyond 1 MiB (a million variables would be 50 MB) is refused before it is parsed', () => {
    const file = write({ ...base, description: 'x'.repeat(2 * 1024 * 1024) });
    expect(() => loadProfileFile(file)).toThrow(/^profile .*: \d+ bytes, at most 1048576$/u);
  });

  it('an SNMP profile with thousands of tables is refused', () => {
    const tables = Array.from({ length: 100 }, () => ({ label: 'rows', columns: [{ name: 'outlet.{i}.current', oid: '1.3.6.1.4.1.1.1' }] }));
    const file = write({ ...snmpBase, tables });
    expect(() => loadProfileFile(file)).toThrow(`profile ${file}: tables: 100 tables, at most 64`);
  });
});

describe('rackpower read --profile-file', () => {
  it('refuses an overlapping profile with exit 2 and the field named, before contacting the device', async () => {
    ensureBuilt();
    const file = modbus([v('input.voltage', 100, 'int32'), v('input.current', 101)]);
    // Port 9 on loopback: nothing listens there, so a request would fail with another code (unreachable).
    const r = await runNode([path.join(ROOT, 'dist', 'src', 'cli', 'main.js'), 'read', 'modbus-tcp://127.0.0.1:9?unit=1', '--profile-file', file]);
    expect(r.stderr).toContain('variables/1/register: input.current (holding register 101) overlaps variables/0 input.voltage (holding registers 100-101)');
    expect(r.code).toBe(2);
  }, 60_000);
});
