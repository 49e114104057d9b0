// Discharges on purpose: the UPS command node's battery test (UpsCommander, the same engine) and `rackpower
// calibrate`, against a simulated UPS with a tiny aged battery that answers the RFC 1628 test SETs. Both end up in
// the battery history, marked as such.
// @module-tag slow: battery tests discharging a simulated UPS in real time
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatteryState } from '../../src/battery/monitor';
import { ReadingTracker } from '../../src/battery/tracker';
import { runCalibrate } from '../../src/cli/calibrate';
import { Guard } from '../../src/control/guards';
import { upsRequest } from '../../src/control/messages';
import { UpsCommander } from '../../src/control/ups';
import { controlFor } from '../../src/control/profile-control';
import { openDevice } from '../../src/device';
import { SnmpClient } from '../../src/protocol/snmp/client';
import { startRack, type RunningRack } from '../../src/sim/rack';
import { parseScenario } from '../../src/sim/scenario';
import { parseTarget } from '../../src/url';
import { JsonStore, T0 } from './helpers';

// 30 Wh at 70 %: about 45 s at this load. The firmware reports no runtime, so LB comes from the charge alone (below
// 20 %) and the calibration reaches its own floor first.
const scenario = parseScenario(
  {
    name: 'selftest',
    seed: 13,
    devices: [
      { name: 'ups', profile: 'ietf-ups', battery: { capacityWh: 30, health: 0.7, firmware: 'zero', chargerW: 1500 } },
      { name: 'pdu', profile: 'apc-rpdu2' },
    ],
  },
  'selftest.test.ts',
);

let rack: RunningRack | undefined;
afterAll(async () => rack?.close());

const upsUrl = (r: RunningRack): string => r.devices.find((d) => d.kind === 'ups')!.url;

describe('a battery test from the UPS command engine', () => {
  let r: RunningRack;
  beforeAll(async () => {
    r = await startRack(scenario, { speed: 0, control: true });
  });
  afterAll(async () => r.close());

  it('records the test discharge in the history as a test, not an outage', async () => {
    const target = parseTarget(`${upsUrl(r)}?timeout=2000`);
    const device = openDevice(target);
    const client = new SnmpClient(target.protocol === 'snmp' ? target.snmp : (undefined as never));
    try {
      const id = await device.reader.identify();
      const store = new JsonStore();
      const tracker = new ReadingTracker({ intervalMs: 2000 }, store);
      const poll = async (t: number): Promise<void> => {
        tracker.observe({ device: { name: 'ups', kind: id.kind, profile: id.profile, address: device.address }, values: await device.reader.read(), timestamp: T0 + t * 1000 });
      };
      await poll(0);
      const commander = new UpsCommander(client, controlFor('ietf-ups', 'ups').ups!, new Guard({ enabled: true, allow: ['test.battery.start'] }));
      await commander.execute({ command: 'test.battery.start' });
      for (let t = 2; t <= 30; t += 2) {
        r.model.advance(2);
        await poll(t);
      }
      const history = (store.get('battery_name_ups') as BatteryState).history;
      expect(history.discharges).toHaveLength(1);
      expect(history.discharges[0].source).toBe('test');
      // The quick test lasts 10 s: long enough on this battery for the charge to move.
      const seconds = (history.discharges[0].end - history.discharges[0].start) / 1000;
      expect(seconds).toBeGreaterThanOrEqual(6);
      expect(seconds).toBeLessThanOrEqual(12);
    } finally {
      client.close();
      await device.close();
    }
  });
});

describe('rackpower calibrate', () => {
  const run = async (args: string[]): Promise<Record<string, unknown>[]> => {
    let out = '';
    await runCalibrate(args, { out: { write: (t: string) => (out += t) }, err: { write: () => 0 }, until: new Promise(() => undefined) });
    return out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  };

  it('is a dry run without --yes, and refuses with a half-empty battery', async () => {
    rack = await startRack(scenario, { speed: 1, control: true });
    const lines = await run([upsUrl(rack), '--state', 'none', '--min-runtime', '5']);
    expect(lines.at(-1)).toMatchObject({ calibrate: 'dry run' });
    expect(rack.setRequests()).toBe(0);
    rack.model.control('ups', (u) => ((u as unknown as { battery: { soc: number } }).battery.soc = 0.5));
    await expect(run([upsUrl(rack), '--state', 'none', '--min-runtime', '5', '--yes'])).rejects.toThrow(/calibration refused: battery.charge 50 % is below 95 %/u);
    expect(rack.setRequests()).toBe(0);
    await rack.close();
    rack = undefined;
  });

  it('discharges down to the floor, stops, and files the discharge as a calibration that teaches the model', async () => {
    rack = await startRack(scenario, { speed: 1, control: true });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'rackpower-calibrate-'));
    const state = path.join(dir, 'state.json');
    const lines = await run([`${upsUrl(rack)}#ups`, '--yes', '--floor', '60', '--min-runtime', '5', '--interval', '1', '--state', state]);
    expect(lines.find((l) => l.calibrate === 'stop')?.reason).toMatch(/battery.charge \d+ % reached the 60 % floor/u);
    const done = lines.find((l) => l.calibrate === 'done')!;
    expect(done['battery.runtime.measured']).toEqual(expect.any(Number));
    // 21 Wh in the battery, some 92 % of it reaching the load through the inverter and past the UPS's own draw.
    expect(done['battery.capacity.measured']).toBeGreaterThan(16);
    expect(done['battery.capacity.measured']).toBeLessThan(22);
    const saved = JSON.parse(readFileSync(state, 'utf8')) as Record<string, BatteryState>;
    const [discharge] = saved.battery_name_ups.history.discharges;
    expect(discharge.source).toBe('calibration');
    expect(discharge.segments[0].endCharge).toBeGreaterThanOrEqual(55);
  }, 120_000);
});

describe('calibrate.start from the UPS command node', () => {
  const ready = { 'ups.status': 'OL', 'battery.charge': 100, 'output.realpower': 900, 'battery.runtime': 2400 };

  it('needs the UPS reading and checks it as rackpower calibrate does', () => {
    expect(upsRequest({ payload: 'calibrate.start', ups: ready }, 60)).toMatchObject({ command: 'calibrate.start' });
    expect(() => upsRequest({ payload: 'calibrate.start' }, 60)).toThrow(/needs msg.ups/u);
    expect(() => upsRequest({ payload: 'calibrate.start', ups: { ...ready, 'ups.status': 'OB DISCHRG' } }, 60)).toThrow(/calibration refused: the UPS is not on line/u);
    expect(() => upsRequest({ payload: 'calibrate.start', ups: { ...ready, 'battery.runtime.measured': 700 } }, 60)).toThrow(/runtime 700 s leaves too little/u);
    // Stopping needs no reading: it only ever makes the battery safer.
    expect(upsRequest({ payload: 'calibrate.stop' }, 60)).toMatchObject({ command: 'calibrate.stop' });
  });
});
