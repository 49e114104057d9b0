// The simulator's battery physics: what the battery-truth scenario and the learning tests rely on.
import { describe, expect, it } from 'vitest';
import { Battery, DEFAULT_BATTERY } from '../../src/sim/devices/battery';
import { loadScenario, parseScenario } from '../../src/sim/scenario';

const battery = (spec: Partial<typeof DEFAULT_BATTERY> = {}): Battery => new Battery({ ...DEFAULT_BATTERY, ...spec });

describe('simulated battery', () => {
  it('holds less when aged, and less at high power with a Peukert exponent above 1', () => {
    expect(battery({ health: 0.7 }).usableWh(1500, 25)).toBeCloseTo(455, 5);
    const peukert = battery({ peukert: 1.2 });
    expect(peukert.usableWh(3000, 25)).toBeCloseTo(650 * 0.5 ** 0.2, 5);
    expect(peukert.usableWh(750, 25)).toBeGreaterThan(650);
  });

  it('holds a little more warm and less cold, and ages twice as fast 8 °C warmer', () => {
    const b = battery();
    expect(b.usableWh(1500, 35)).toBeGreaterThan(b.usableWh(1500, 25));
    expect(b.usableWh(1500, 5)).toBeLessThan(b.usableWh(1500, 25));
    const cool = battery({ ageingPerDay: 0.001 });
    const warm = battery({ ageingPerDay: 0.001 });
    cool.age(86_400 * 100, 25);
    warm.age(86_400 * 100, 33);
    expect(1 - warm.health).toBeCloseTo(2 * (1 - cool.health), 6);
  });

  it('reports what its firmware believes: the truth, a new battery, or 0', () => {
    const spec = { health: 0.7, peukert: 1.2 };
    expect(battery({ ...spec, firmware: 'honest' }).firmwareRuntime(1700, 25)).toBeCloseTo(battery(spec).trueRuntime(1700, 25), 6);
    const lying = battery({ ...spec, firmware: 'new-battery' });
    expect(lying.firmwareRuntime(1700, 25)).toBeCloseTo((650 * 3600) / 1700, 6);
    expect(lying.firmwareRuntime(1700, 25) / lying.trueRuntime(1700, 25)).toBeGreaterThan(1.4);
    expect(battery({ firmware: 'zero' }).firmwareRuntime(1700, 25)).toBe(0);
  });

  it('is configured per UPS in a scenario, and a typo is named', () => {
    const truth = loadScenario('battery-truth');
    expect(truth.devices.find((d) => d.name === 'ups')?.battery).toMatchObject({ health: 0.7, firmware: 'new-battery' });
    const bad = (battery: unknown, device = 'ietf-ups') => () => parseScenario({ name: 'x', devices: [{ name: 'u', profile: device, battery }] }, 'x.json');
    expect(bad({ health: 1.5 })).toThrow(/devices\[0\]\.battery\.health: is a fraction/u);
    expect(bad({ firmware: 'fibs' })).toThrow(/battery\.firmware: must be one of honest, new-battery, zero/u);
    expect(bad({ capacity: 5 })).toThrow(/unknown property "capacity"/u);
    expect(bad({ health: 0.5 }, 'apc-rpdu2')).toThrow(/only a UPS has a battery/u);
  });
});
