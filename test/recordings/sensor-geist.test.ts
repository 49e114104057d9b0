// Geist Watchdog 15 (real walk, snmpsim-data; its snmpsim `numeric` drift fixed to the initial values). NUT has no
// Geist mapping: GEIST-V4-MIB is the oracle (tenths of the unit in temperatureUnits, 1 = Celsius here).
// @module-tag peer: snmpsimd
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSnmpsim, type Snmpsim } from '../harness/snmpsim';
import { client, fixture, reader } from '../profiles/recording-helpers';

let sim: Snmpsim;
beforeAll(async () => {
  sim = await startSnmpsim([fixture('geist-temperature-sensor')]);
});
afterAll(() => sim?.stop());

describe('Geist Watchdog 15 recording', () => {
  it('is detected by its probe and reads internal and remote sensors in °C', async () => {
    const c = client(sim.port, 'geist-temperature-sensor');
    const r = reader(c);
    const id = await r.identify();
    // MIB productTitle "Geist WD15", productVersion "3.4.0"
    expect(id).toMatchObject({ profile: 'geist-watchdog', kind: 'sensor', manufacturer: 'Geist', model: 'Geist WD15', firmware: '3.4.0' });
    const before = r.requestCount;
    const v = await r.read();
    expect(r.requestCount - before).toBe(1);
    // MIB internalTemp 154 tenths (temperatureUnits 1 = Celsius) → 15.4 °C; internalHumidity 39 %
    expect(v['ambient.1.temperature']).toBe(15.4);
    expect(v['ambient.1.humidity']).toBe(39);
    expect(v['ambient.1.name']).toBe('Watchdog Rack 01');
    // MIB tempSensorTemp.2 185, .3 180 (remote probes keep the device's indexes 2 and 3)
    expect(v['ambient.2.temperature']).toBe(18.5);
    expect(v['ambient.3.temperature']).toBe(18);
    expect(v['ambient.2.name']).toBe('Above Rack 02');
    expect(v['ambient.count']).toBe(3);
    c.close();
  });
});
