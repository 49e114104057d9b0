// ServerTech Sentry PRO2 3-phase (real walk, LibreNMS tests/snmpsim/sentry4). NUT has no ServerTech mapping: the
// Sentry4-MIB (units and sentinels in its DESCRIPTIONs) is the oracle for every value.
// @module-tag peer: snmpsimd
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSnmpsim, type Snmpsim } from '../harness/snmpsim';
import { client, fixture, reader } from '../profiles/recording-helpers';

let sim: Snmpsim;
beforeAll(async () => {
  sim = await startSnmpsim([fixture('sentry4')]);
});
afterAll(() => sim?.stop());

describe('ServerTech Sentry4 recording', () => {
  it('is detected and reads cord, lines, phases and branches in one request per poll', async () => {
    const c = client(sim.port, 'sentry4');
    const r = reader(c);
    const id = await r.identify();
    expect(id).toMatchObject({ profile: 'servertech-sentry4', kind: 'pdu', manufacturer: 'Server Technology' });
    const before = r.requestCount;
    const v = await r.read();
    // every table is small enough to ride in the poll's single GET
    expect(r.requestCount - before).toBe(1);
    // MIB st4InputCordActivePower (W) 1701, ApparentPower (VA) 1790, PowerFactor (hundredths) 95,
    // Energy (tenth kWh) 8937, Frequency (tenth Hz) 600, PowerUtilized (tenth %) 165
    expect(v).toMatchObject({
      'input.realpower': 1701,
      'input.power': 1790,
      'input.powerfactor': 0.95,
      'input.energy': 893.7,
      'input.frequency': 60,
      'input.load': 16.5,
    });
    // MIB st4InputCordNominalVoltage (tenth V) 2080, CurrentCapacity (A) 30
    expect(v['input.voltage.nominal']).toBe(208);
    expect(v['input.current.nominal']).toBe(30);
    // MIB st4LineCurrent (hundredth A) 560 / 369 / 560, labels AA:L1..AA:L3
    expect(v['input.L1.current']).toBe(5.6);
    expect(v['input.L2.current']).toBe(3.69);
    expect(v['input.L3.current']).toBe(5.6);
    // MIB st4PhaseVoltage (tenth V) 2079 / 2089 / 2094, labels AA:L1-L2, AA:L2-L3, AA:L3-L1 (delta)
    expect(v['input.L1-L2.voltage']).toBe(207.9);
    expect(v['input.L2-L3.voltage']).toBe(208.9);
    expect(v['input.L3-L1.voltage']).toBe(209.4);
    expect(v['input.L3-L1.realpower']).toBe(848);
    expect(v['input.phases']).toBe(3);
    // MIB st4BranchLabel: 3 branches; st4BranchCurrent is not in this walk, so no current is invented
    expect(v['outlet.group.count']).toBe(3);
    expect(v['outlet.group.1.name']).toBe('AA:L1-L2-BR1');
    expect(v['outlet.group.1.current']).toBeUndefined();
    c.close();
  });

  it('omits absent probes (temperature -410, humidity -1) with their names and thresholds', async () => {
    const c = client(sim.port, 'sentry4');
    const r = reader(c, { profile: 'servertech-sentry4' });
    const v = await r.read();
    // MIB st4TempSensorValue -410 and st4HumidSensorValue -1 mean "no sensor"; their thresholds (1/5/45/50)
    // and the names Humid_Sensor_A1/A2 belong to absent probes and are not published
    expect(v['ambient.count']).toBe(0);
    for (const k of Object.keys(v)) expect(k.startsWith('ambient.')).toBe(k === 'ambient.count');
    c.close();
  });
});
