// `rackpower read|discover nut://…` against a real upsd serving real NUT device dumps, checked against upsc.
// @module-tag peer: upsd
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { ensureBuilt, ROOT } from '../harness/build';
import { runNode } from '../harness/process';
import { startUpsd, type Upsd } from '../harness/upsd';

const CLI = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
const DUMPS = {
  smartups: 'APC__Smart-UPS_1000__snmp-ups__2.7.4__01.dev',
  eaton5px: 'Eaton__5PX__snmp-ups__2.7.4__01.dev',
  cyberpower: 'Cyber_Power_Systems__PR2200LCDRT2U__snmp-ups__2.7.2__01.dev',
  smartups750: 'APC__Smart-UPS_750__apc_modbus__2.8.2__01.dev',
};
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)$/u;

let upsd: Upsd;
beforeAll(async () => {
  ensureBuilt();
  upsd = await startUpsd(DUMPS);
}, 120_000);
afterAll(async () => upsd?.stop());

describe('rackpower read nut://', () => {
  for (const ups of Object.keys(DUMPS)) {
    it(`agrees with upsc on ${ups}`, async () => {
      const r = await runNode([CLI, 'read', `nut://127.0.0.1:${upsd.port}/${ups}`, '--json'], { ...process.env, RACKPOWER_NUT_PASSWORD: '' });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout) as { device: Record<string, unknown>; values: Record<string, unknown> };
      const reference = await upsd.upsc(ups);
      let numeric = 0;
      for (const [name, text] of reference) {
        const ours = out.values[name];
        // upsc prints what upsd holds; we type numbers as numbers and keep the rest as upsd's text.
        if (NUMBER.test(text) && typeof ours === 'number') {
          numeric++;
          expect(ours, name).toBe(Number(text));
        } else expect(ours, name).toBe(text);
      }
      expect(Object.keys(out.values).sort()).toEqual([...reference.keys()].sort());
      expect(out.values['ups.status']).toBe(reference.get('ups.status'));
      expect(numeric).toBeGreaterThanOrEqual(4);
      expect(out.device).toMatchObject({ name: `${ups}@127.0.0.1`, kind: 'ups', profile: 'nut', address: `nut://127.0.0.1:${upsd.port}/${ups}` });
      expect(out.device.model).toBe(reference.get('device.model') ?? reference.get('ups.model'));
    }, 60_000);
  }

  it('types numbers as numbers and leaves names NUT keeps as text alone', async () => {
    const r = await runNode([CLI, 'read', `nut://127.0.0.1:${upsd.port}/smartups`, '--json']);
    const values = (JSON.parse(r.stdout) as { values: Record<string, unknown> }).values;
    expect(values['battery.charge']).toBe(93);
    expect(values['battery.runtime']).toBe(70680);
    expect(values['ups.status']).toBe('OB');
    expect(values['ups.serial']).toBe('AS0802331853');
    expect(values['battery.date']).toBe('12/01/22');
    expect(values['driver.parameter.port']).toBeTypeOf('string');
    // usbhid-style USB ids are hex text, even when they look like numbers.
    const r750 = await runNode([CLI, 'read', `nut://127.0.0.1:${upsd.port}/smartups750`, '--json']);
    const v750 = (JSON.parse(r750.stdout) as { values: Record<string, unknown> }).values;
    expect(v750['ups.productid']).toBe('0003');
    expect(v750['ups.vendorid']).toBe('051d');
  }, 60_000);

  it('says which UPS names exist when the name is wrong (exit 5, unknown device)', async () => {
    const r = await runNode([CLI, 'read', `nut://127.0.0.1:${upsd.port}/nosuch`, '--json']);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/unknown_device: .*UNKNOWN-UPS/u);
  }, 60_000);

  it('refuses a password on the command line and asks for the environment variable', async () => {
    const inUrl = await runNode([CLI, 'read', `nut://admin:pw@127.0.0.1:${upsd.port}/smartups`]);
    expect(inUrl.code).toBe(2);
    expect(inUrl.stderr).toMatch(/RACKPOWER_NUT_PASSWORD/u);
    const env = { ...process.env };
    delete env.RACKPOWER_NUT_PASSWORD;
    const none = await runNode([CLI, 'read', `nut://admin@127.0.0.1:${upsd.port}/smartups`], env);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/RACKPOWER_NUT_PASSWORD/u);
  }, 60_000);
});

describe('rackpower discover nut://host', () => {
  it('lists the UPS units the server has, as URLs to read', async () => {
    const r = await runNode([CLI, 'discover', `nut://127.0.0.1:${upsd.port}`, '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { server: string; ups: Array<{ name: string; description: string; url: string }> };
    expect(out.server).toBe(`nut://127.0.0.1:${upsd.port}`);
    expect(out.ups.map((u) => u.name).sort()).toEqual(Object.keys(DUMPS).sort());
    expect(out.ups.find((u) => u.name === 'eaton5px')).toMatchObject({ url: `nut://127.0.0.1:${upsd.port}/eaton5px`, description: `eaton5px from ${DUMPS.eaton5px}` });
    const upsc = await upsd.client('upsc', ['-l', `127.0.0.1:${upsd.port}`]);
    expect(out.ups.map((u) => u.name).sort()).toEqual(upsc.stdout.trim().split('\n').sort());
  }, 60_000);

  it('identifies one UPS like any other device', async () => {
    const r = await runNode([CLI, 'discover', `nut://127.0.0.1:${upsd.port}/eaton5px`, '--json']);
    expect(r.code).toBe(0);
    const reference = await upsd.upsc('eaton5px');
    expect(JSON.parse(r.stdout)).toMatchObject({ kind: 'ups', profile: 'nut', model: reference.get('device.model') ?? reference.get('ups.model') });
  }, 60_000);
});
