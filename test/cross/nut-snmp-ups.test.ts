// Cross-check with Network UPS Tools itself: NUT's snmp-ups driver (Debian package nut-snmp, `-d 1` dumps the
// variables once and exits) and `rackpower read` (readOnce, the function behind the command) read the simulated
// RFC 1628 UPS and must agree, on line power and during a power cut.
//
// NUT 2.8.0's ietf mapping (drivers/ietf-mib.c): upsOutputSource 3 → "OL", 5 → "OB", 4 → "OL BYPASS" ...;
// upsBatteryStatus 3 (batteryLow) → "LB"; upsEstimatedMinutesRemaining × 60 → battery.runtime. With mibs=ietf it
// prints ups.status (not blank), so the status is compared directly rather than through the raw OID.
// @module-tag peer: NUT's snmp-ups driver
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOnce } from '../../src/cli/read';
import { statusTokens } from '../../src/normalize/nut';
import { startRack, type RunningRack } from '../../src/sim/rack';
import { loadScenario, parseScenario } from '../../src/sim/scenario';
import type { Values } from '../../src/types';

const DRIVER = '/lib/nut/snmp-ups';

let rack: RunningRack;
let ups: string; // snmp://public@127.0.0.1:<port>
let state: string;
/** A UPS alone with a power cut that never ends: it drains to low battery. */
const OUTAGE = parseScenario(
  { name: 'outage', devices: [{ name: 'ups', profile: 'ietf-ups' }, { name: 'pdu', profile: 'apc-rpdu2', outlets: 8 }], events: [{ at: 10, action: 'power-cut' }] },
  'nut-snmp-ups.test.ts',
);

beforeAll(async () => {
  if (!existsSync(DRIVER)) throw new Error(`${DRIVER} not found: install nut-snmp (Debian package with NUT's snmp-ups driver; see .ci/run)`);
  state = mkdtempSync(path.join(os.tmpdir(), 'rp-nut-'));
  // speed 0: the model only moves when the test advances it, so both programs see the same numbers.
  rack = await startRack(loadScenario('demo'), { speed: 0 });
  ups = rack.devices.find((d) => d.name === 'ups')!.url;
});

afterAll(async () => {
  await rack?.close();
  if (state) rmSync(state, { recursive: true, force: true });
});

/** Runs snmp-ups once (-d 1: dump and exit) asynchronously (the agent answers from this process) and parses `name: value`. */
function nutDump(url = ups): Promise<Record<string, string>> {
  const port = new URL(url).port;
  const args = ['-s', 'rptest', '-x', `port=127.0.0.1:${port}`, '-x', 'community=public', '-x', 'snmp_version=v2c', '-x', 'mibs=ietf', '-d', '1'];
  // As root the driver drops privileges unless told to stay root; as anyone else it cannot switch user at all.
  if (process.getuid?.() === 0) args.push('-u', 'root');
  return new Promise((resolve, reject) => {
    const child = spawn(DRIVER, args, { env: { ...process.env, NUT_STATEPATH: state }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const vars: Record<string, string> = {};
      for (const line of out.split('\n')) {
        const m = /^([a-z][\w.-]*): (.*)$/u.exec(line);
        if (m) vars[m[1]] = m[2];
      }
      if (code !== 0 || !vars['device.model']) reject(new Error(`snmp-ups exited ${code}:\n${out}\n${err}`));
      else resolve(vars);
    });
  });
}

async function rackpowerRead(url = ups): Promise<Values> {
  return (await readOnce(url, { values: true })).values;
}

const NUMBERS = ['battery.charge', 'battery.runtime', 'input.voltage', 'output.voltage', 'input.frequency', 'output.frequency'];

function compare(nut: Record<string, string>, ours: Values): void {
  for (const name of NUMBERS) {
    expect(nut[name], `NUT ${name}`).toBeDefined();
    expect(typeof ours[name], `rackpower ${name}`).toBe('number');
    expect(ours[name], name).toBeCloseTo(Number(nut[name]), 6);
  }
  // NUT prints currents with two decimals ("7.20"); the values agree numerically
  for (const name of ['input.current', 'output.current', 'output.realpower', 'ups.load', 'battery.voltage']) {
    if (nut[name] !== undefined) expect(ours[name], name).toBeCloseTo(Number(nut[name]), 6);
  }
  expect(String(ours['device.mfr'])).toBe(nut['device.mfr']);
  expect(String(ours['device.model'])).toBe(nut['device.model']);
}

describe('NUT snmp-ups (mibs=ietf) and rackpower read the same simulated UPS', () => {
  it('on line power: ups.status OL and the same numbers', async () => {
    const [nut, ours] = await Promise.all([nutDump(), rackpowerRead()]);
    expect(nut['ups.status'], 'NUT 2.8.0 prints ups.status for the ietf MIB').toBeTruthy();
    expect(nut['ups.status']).toBe('OL');
    expect(ours['ups.status']).toBe(nut['ups.status']);
    compare(nut, ours);
    // NUT's battery.runtime is whole minutes × 60, as ours
    expect(Number(nut['battery.runtime']) % 60).toBe(0);
  });

  it('during the power cut (demo: at 60 s for 90 s): both say OB and agree on the draining battery', async () => {
    rack.model.advance(90); // 30 s into the cut
    expect(String(rack.model.values('ups')['ups.status'])).toMatch(/^OB/);
    const [nut, ours] = await Promise.all([nutDump(), rackpowerRead()]);
    expect(statusTokens(nut['ups.status'])).toContain('OB');
    expect(statusTokens(nut['ups.status'])).not.toContain('OL');
    expect(ours['ups.status']).toBe(nut['ups.status']);
    compare(nut, ours);
    expect(Number(nut['battery.charge'])).toBeLessThanOrEqual(100);
  });

  it('after the power returns: both back to OL', async () => {
    rack.model.advance(90); // 180 s: the cut ended at 150 s
    const [nut, ours] = await Promise.all([nutDump(), rackpowerRead()]);
    expect(nut['ups.status']).toBe('OL');
    expect(ours['ups.status']).toBe('OL');
    compare(nut, ours);
  });

  it('when the battery runs low: both say OB LB (upsBatteryStatus batteryLow)', async () => {
    const outage = await startRack(OUTAGE, { speed: 0 });
    try {
      const url = outage.devices.find((d) => d.name === 'ups')!.url;
      // ~25 min of battery at this load; step a minute at a time until the model reports LB (bounded: 2 h)
      for (let i = 0; i < 120 && !statusTokens(outage.model.values('ups')['ups.status']).includes('LB'); i++) outage.model.advance(60);
      expect(statusTokens(outage.model.values('ups')['ups.status'])).toContain('LB');
      const [nut, ours] = await Promise.all([nutDump(url), rackpowerRead(url)]);
      expect(statusTokens(nut['ups.status']).sort()).toEqual(['LB', 'OB']);
      expect(statusTokens(ours['ups.status']).sort()).toEqual(['LB', 'OB']);
      compare(nut, ours);
    } finally {
      await outage.close();
    }
  });
});
