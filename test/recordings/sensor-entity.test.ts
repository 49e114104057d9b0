// ENTITY-SENSOR-MIB (RFC 3433). No real walk at hand has the table, so test/fixtures/snmprec/entity-sensor.snmprec
// is SYNTHETIC: rows laid out as RFC 3433's entPhySensorTable (type, scale, precision, value, operStatus, units)
// with values chosen to exercise every rule. The RFC is the oracle: value × 10^scale × 10^-precision.
// @module-tag peer: snmpsimd
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSnmpsim, type Snmpsim } from '../harness/snmpsim';
import { client, fixture, reader } from '../profiles/recording-helpers';

let sim: Snmpsim;
beforeAll(async () => {
  sim = await startSnmpsim([fixture('entity-sensor')]);
});
afterAll(() => sim?.stop());

describe('ENTITY-SENSOR-MIB generic sensor profile (synthetic walk)', () => {
  it('names rows by entPhySensorType and scales by scale and precision', async () => {
    const c = client(sim.port, 'entity-sensor');
    // The agent reports net-snmp's generic Linux sysObjectID, which no vendor profile matches on its own (huawei-ups
    // needs its probe to answer): the ENTITY-SENSOR table answers, so the generic profile is confirmed.
    const r = reader(c);
    expect((await r.identify()).profile).toBe('entity-sensor');
    const before = r.requestCount;
    const v = await r.read();
    // 1 GET (uptime) + 1 GETBULK (9 rows of value and operStatus)
    expect(r.requestCount - before).toBe(2);
    // 1001: celsius(8), units(9), precision 1, 235 → 23.5 °C, the 1st celsius row
    expect(v['ambient.1.temperature']).toBe(23.5);
    // 1002: percentRH(9), units, precision 0, 41 → 41 %
    expect(v['ambient.1.humidity']).toBe(41);
    // 1003: celsius, operStatus unavailable(2) → omitted; its position (2nd celsius row) stays reserved
    expect(v['ambient.2.temperature']).toBeUndefined();
    // 1004: celsius, milli(8), precision 0, 27250 → 27.25 °C, the 3rd celsius row
    expect(v['ambient.3.temperature']).toBe(27.25);
    // 2001: voltsAC(3), units, precision 1, 2301 → 230.1 V (the only voltage row: un-indexed name)
    expect(v['input.voltage']).toBe(230.1);
    // 2002: amperes(5), milli, precision 0, 4250 → 4.25 A
    expect(v['input.current']).toBe(4.25);
    // 2003: watts(6), kilo(10), precision 2, 98 → 0.98 kW = 980 W
    expect(v['input.realpower']).toBe(980);
    // 3001 rpm(10) and 3002 truthvalue(12) have no NUT name: not published
    expect(Object.keys(v).filter((k) => /rpm|truth|\.value$/u.test(k))).toEqual([]);
    // two ambient sensors answer (1 and 3)
    expect(v['ambient.count']).toBe(2);
    c.close();
  });
});
