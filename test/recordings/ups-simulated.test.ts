// Every vendor UPS profile served by the simulator (src/sim encodes the model's NUT values through the profile into
// an SNMP agent) and read back by `rackpower read` (readOnce) with detection among all shipped profiles. This is the
// check for the profiles without a real walk in the shared recordings (APC PowerNet, Tripp Lite, Liebert) and a
// structural check for all: each is detected as itself (never as ietf-ups or a sibling), and the values come back as
// the model holds them, at the profile's resolution. Oracle: the simulator's model; the OIDs themselves are checked
// against real walks by their packages' expect.json (packages.test.ts) where walks exist.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOnce } from '../../src/cli/read';
import { statusTokens } from '../../src/normalize/nut';
import { startRack, type RunningRack } from '../../src/sim/rack';
import { parseScenario } from '../../src/sim/scenario';

const PROFILES = ['apc-powernet-ups', 'eaton-xups', 'mge-ups', 'cyberpower-ups', 'tripplite-ups', 'liebert-ups', 'huawei-ups', 'xppc-ups'];

const racks = new Map<string, RunningRack>();
beforeAll(async () => {
  for (const id of PROFILES) {
    const scenario = parseScenario({ name: id, seed: 7, devices: [{ name: 'ups', profile: id }] }, 'ups-simulated.test.ts');
    racks.set(id, await startRack(scenario, { speed: 0 }));
  }
});
afterAll(async () => {
  for (const rack of racks.values()) await rack.close();
});

describe.each(PROFILES)('%s, simulated', (id) => {
  it('is detected as itself and reads back what the UPS model holds', async () => {
    const rack = racks.get(id)!;
    rack.model.advance(5);
    const model = rack.model.values('ups');
    const reading = await readOnce(rack.devices[0].url, { values: true });
    expect(reading.device.profile).toBe(id);
    expect(reading.device.kind).toBe('ups');
    const v = reading.values;
    expect(v['battery.charge']).toBe(model['battery.charge']);
    // The power source survives every profile's status encoding (NUT tokens the MIB can express).
    expect(statusTokens(v['ups.status'])).toContain('OL');
    // huawei-ups reads only per-phase names: the simulator answers line 1 with the single-phase model's values.
    for (const [name, modelName] of [['input.voltage', 'input.voltage'], ['output.voltage', 'output.voltage'], ['input.L1-N.voltage', 'input.voltage'], ['output.L1-N.voltage', 'output.voltage']]) {
      if (v[name] === undefined) continue;
      expect(Math.abs(Number(v[name]) - Number(model[modelName])), `${name} ${v[name]} vs ${String(model[modelName])}`).toBeLessThanOrEqual(0.5);
    }
    expect(v['output.voltage'] ?? v['input.voltage'] ?? v['output.L1-N.voltage'] ?? v['input.L1-N.voltage'], 'a voltage').toBeDefined();
    if (v['device.serial'] !== undefined) expect(v['device.serial']).toBe(model['device.serial']);
    expect(reading.device.model).toBe(model['device.model']);
  });

  it('follows a power cut: on battery, not on line', async () => {
    const scenario = parseScenario({ name: `${id}-cut`, seed: 7, devices: [{ name: 'ups', profile: id }], events: [{ at: 1, action: 'power-cut' }] }, 'ups-simulated.test.ts');
    const cut = await startRack(scenario, { speed: 0 });
    try {
      cut.model.advance(30);
      const v = (await readOnce(cut.devices[0].url, { values: true })).values;
      expect(statusTokens(v['ups.status']), id).toContain('OB');
      expect(statusTokens(v['ups.status'])).not.toContain('OL');
    } finally {
      await cut.close();
    }
  });
});
