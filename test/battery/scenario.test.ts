// The battery-truth scenario over real SNMP: the simulated UPS (aged to 70 %, firmware estimating for a new battery)
// read by the SNMP reader every 10 simulated seconds, and what the tracker learns against the simulator's truth.
// The clock is simulated, so five minutes of scenario take a second or two.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MessageBuilder } from '../../src/normalize/messages';
import { ReadingTracker } from '../../src/battery/tracker';
import { openDevice, type OpenDevice } from '../../src/device';
import { startRack, type RunningRack } from '../../src/sim/rack';
import { loadScenario } from '../../src/sim/scenario';
import type { Values } from '../../src/types';
import { parseTarget } from '../../src/url';
import { JsonStore, T0 } from './helpers';

const INTERVAL_S = 10;

let rack: RunningRack;
let device: OpenDevice;
beforeAll(async () => {
  rack = await startRack(loadScenario('battery-truth'), { speed: 0 });
  device = openDevice(parseTarget(`${rack.devices.find((d) => d.kind === 'ups')!.url}?timeout=2000&retries=1`));
});
afterAll(async () => {
  await device?.close();
  await rack?.close();
});

describe('battery-truth scenario', () => {
  it('learns the real runtime and health within five minutes while the firmware stays optimistic', async () => {
    const id = await device.reader.identify();
    const tracker = new ReadingTracker({ intervalMs: INTERVAL_S * 1000 }, new JsonStore());
    const rows: { t: number; values: Values; truth: ReturnType<RunningRack['model']['batteryTruth']> }[] = [];
    for (let t = 0; t <= 300; t += INTERVAL_S) {
      if (t > 0) rack.model.advance(INTERVAL_S);
      const values = await device.reader.read();
      const { reading } = tracker.observe({ device: { name: 'ups', kind: id.kind, profile: id.profile, serial: id.serial, address: device.address }, values, timestamp: T0 + t * 1000 });
      rows.push({ t, values: reading.values, truth: rack.model.batteryTruth('ups') });
    }
    const last = rows.at(-1)!;
    const measured = Number(last.values['battery.runtime.measured']);
    const reported = Number(last.values['battery.runtime']);
    expect(Math.abs(measured - last.truth.runtime) / last.truth.runtime).toBeLessThan(0.1);
    expect(Math.abs(Number(last.values['battery.health']) - last.truth.health)).toBeLessThanOrEqual(10);
    // The firmware still estimates for a new battery: some 40 % more than there is.
    expect(reported / last.truth.runtime).toBeGreaterThan(1.3);
    expect(Number(last.values['battery.runtime.error'])).toBeGreaterThan(30);
    // Learned from the first outage (30 s to 120 s): published before it ended, and never before it began.
    const first = rows.find((r) => r.values['battery.runtime.measured'] !== undefined)!;
    expect(first.t).toBeGreaterThan(30);
    expect(first.t).toBeLessThanOrEqual(120);
    // Every published value from then on is within 10 % of the truth.
    for (const r of rows.filter((row) => row.t >= first.t)) {
      expect(Math.abs(Number(r.values['battery.runtime.measured']) - r.truth.runtime) / r.truth.runtime, `t=${r.t}`).toBeLessThan(0.1);
    }
    // RFC 1628 gives the output's real power: its energy is counted too (300 s at ~1.7 kW: about 0.14 kWh).
    expect(Number(last.values['output.energy'])).toBeGreaterThan(0.1);
    // The added names obey the published message contract.
    const schema = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'schema', 'reading.schema.json'), 'utf8'));
    const validate = new Ajv({ allErrors: true }).compile(schema);
    const [msg] = new MessageBuilder({ mode: 'always' }).reading({ device: { name: 'ups', kind: id.kind, profile: id.profile, address: device.address }, values: last.values, timestamp: T0 });
    expect(validate(JSON.parse(JSON.stringify(msg))), JSON.stringify(validate.errors)).toBe(true);
  });
});
