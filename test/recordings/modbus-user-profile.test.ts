// The user-defined register map path: a user writes their own profile JSON (registers, type, word order, scale, NUT
// name) for a meter nobody ships a profile for, and reads it with `rackpower read --profile-file FILE` (no profile= in
// the URL). The file is validated like the shipped profiles; a mistake is refused with the file and field named.
// The device is a real Modbus/TCP server (test/harness/modbus-server.ts) holding hand-written words.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOnce } from '../../src/cli/read';
import { startModbusServer, type TestModbusServer } from '../harness/modbus-server';
import { ensureBuilt } from '../harness/build';
import { runNode } from '../harness/process';

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');

/** What a user writes for a 3-phase DIN-rail meter: int32 in little-endian word order, tenths and hundredths. */
const MY_METER = {
  $schema: 'https://github.com/rackpower/node-red-contrib-rackpower/schema/profile.schema.json',
  id: 'my-meter',
  protocol: 'modbus',
  kind: 'meter',
  vendor: 'ACME',
  models: ['PM-3'],
  description: 'ACME PM-3 meter, from its manual (holding registers 40001-40020)',
  match: { model: ['pm-3'] },
  constants: { 'device.mfr': 'ACME', 'device.model': 'PM-3' },
  variables: [
    { name: 'input.voltage', register: 0, function: 3, type: 'uint16', scale: 0.1, decimals: 1 },
    { name: 'input.current', register: 1, function: 3, type: 'uint16', scale: 0.01, decimals: 2 },
    { name: 'input.realpower', register: 2, function: 3, type: 'int32', wordOrder: 'CDAB' },
    { name: 'input.frequency', register: 4, function: 3, type: 'uint16', scale: 0.01, decimals: 2, invalid: [65535] },
    { name: 'input.energy', register: 10, function: 3, type: 'uint32', wordOrder: 'CDAB', scale: 0.001, decimals: 3 },
    { name: 'device.serial', register: 16, function: 3, type: 'string', length: 4, static: true },
  ],
};

const REGISTERS = new Map<number, number>([
  [0, 2304], // 230.4 V
  [1, 512], // 5.12 A
  [2, 0xfb50], // -1200 W, low word first (CDAB): 0xFFFFFB50
  [3, 0xffff],
  [4, 4998], // 49.98 Hz
  [10, 0xe240], // 123456 Wh = 123.456 kWh, low word first: 0x0001E240
  [11, 0x0001],
  [16, 0x4142], // "AB12CD" NUL-padded
  [17, 0x3132],
  [18, 0x4344],
]);

let dir: string;
let file: string;
let server: TestModbusServer;
beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'rp-userprof-'));
  file = path.join(dir, 'my-meter.json');
  writeFileSync(file, JSON.stringify(MY_METER, null, 2));
  server = await startModbusServer(async (fn, _unit, address, count) => {
    if (fn !== 3) throw Object.assign(new Error('illegal function'), { modbusErrorCode: 1 });
    return Array.from({ length: count }, (_, i) => REGISTERS.get(address + i) ?? 0);
  });
});
afterAll(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const url = (): string => `modbus-tcp://127.0.0.1:${server.port}?unit=1`;

describe('a user-defined register map (--profile-file)', () => {
  it('reads the meter with the user profile: types, word order, scale, sentinels, strings', async () => {
    const reading = await readOnce(url(), { profileFile: file, values: true });
    expect(reading.device).toMatchObject({ profile: 'my-meter', kind: 'meter', manufacturer: 'ACME', model: 'PM-3', serial: 'AB12CD' });
    expect(reading.values).toMatchObject({
      'input.voltage': 230.4,
      'input.current': 5.12,
      'input.realpower': -1200,
      'input.frequency': 49.98,
      'input.energy': 123.456,
    });
  });

  it('refuses a broken file with the file and field named, and a profile= that contradicts it', async () => {
    const bad = path.join(dir, 'bad-meter.json');
    writeFileSync(bad, JSON.stringify({ ...MY_METER, id: 'bad-meter', variables: [{ ...MY_METER.variables[0], wordOrder: 'BACD' }] }));
    await expect(readOnce(url(), { profileFile: bad, values: true })).rejects.toThrow(/bad-meter\.json: variables\/0\/wordOrder: must be equal to one of the allowed values/u);
    await expect(readOnce(`${url()}&profile=sdm120`, { profileFile: file, values: true })).rejects.toThrow(/profile=sdm120 names another profile/u);
    await expect(readOnce(url(), { profile: 'sdm120', profileFile: file, values: true })).rejects.toThrow(/exclude each other/u);
  });

  it('works from the built command: rackpower read --profile-file FILE --json', async () => {
    ensureBuilt();
    const r = await runNode([CLI, 'read', url(), '--profile-file', file, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { device: Record<string, unknown>; values: Record<string, unknown> };
    expect(out.device).toMatchObject({ profile: 'my-meter', serial: 'AB12CD' });
    expect(out.values).toMatchObject({ 'input.voltage': 230.4, 'input.energy': 123.456 });
    const missing = await runNode([CLI, 'read', url(), '--profile-file', path.join(dir, 'nope.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^rackpower: config: profile .*nope\.json: ENOENT/u);
  });
});
