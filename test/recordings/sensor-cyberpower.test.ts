// CyberPower OL2200RTXL2U RMCARD (real walk, LibreNMS tests/snmpsim/cyberpower) with an ENVIROSENSOR. NUT's
// cyberpower mapping does not read the probe: CPS-MIB (envirTemperature in tenths of °F) and LibreNMS's reading of
// the same walk (tests/data/cyberpower.json: 20.17 °C) are the oracles.
// @module-tag peer: snmpsimd
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSnmpsim, type Snmpsim } from '../harness/snmpsim';
import { client, fixture, reader } from '../profiles/recording-helpers';

let sim: Snmpsim;
beforeAll(async () => {
  sim = await startSnmpsim([fixture('cyberpower')]);
});
afterAll(() => sim?.stop());

describe('CyberPower ENVIROSENSOR on a UPS card', () => {
  it('a rack sensor node in auto mode finds the probe on the UPS card', async () => {
    const c = client(sim.port, 'cyberpower');
    const r = reader(c, { kind: 'sensor' });
    expect((await r.identify()).profile).toBe('cyberpower-envirosensor');
    const before = r.requestCount;
    const v = await r.read();
    expect(r.requestCount - before).toBe(1);
    // CPS-MIB envirTemperature 683 tenths of °F = 68.3 °F = 20.17 °C (LibreNMS: 20.17)
    expect(v['ambient.temperature']).toBe(20.17);
    // CPS-MIB envirHumidity 56 %
    expect(v['ambient.humidity']).toBe(56);
    c.close();
  });
});
