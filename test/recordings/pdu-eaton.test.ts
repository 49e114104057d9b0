// Eaton ePDU input tables say per row what they measure (EATON-EPDU-MIB inputVoltageMeasType, inputCurrentMeasType,
// inputPowerMeasType); rows are named by that, not by their position: a wye unit's phase-to-phase voltages are
// never "L4-N", its neutral current is no line, its total power row is no phase. The walk is synthetic, laid out
// from the MIB (test/fixtures/snmprec/SOURCES.md); the oracle is the MIB's units (mV, mA, W, VA).
// @module-tag peer: snmpsimd
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSnmpsim, type Snmpsim } from '../harness/snmpsim';
import { client, fixture, reader } from '../profiles/recording-helpers';

let sim: Snmpsim;
beforeAll(async () => {
  sim = await startSnmpsim([fixture('eaton-epdu-wye')]);
});
afterAll(() => sim?.stop());

describe('Eaton ePDU, 3-phase wye (synthetic walk from the MIB)', () => {
  it('names voltages, line currents and phase power by their measurement type', async () => {
    const c = client(sim.port, 'eaton-epdu-wye');
    try {
      const r = reader(c, { kind: 'pdu' });
      expect(await r.identify()).toMatchObject({ profile: 'eaton-epdu', manufacturer: 'EATON', model: 'EMAB20', serial: 'G123A45678' });
      const v = await r.read();
      expect(v).toMatchObject({
        'input.L1-N.voltage': 230.1, 'input.L2-N.voltage': 229.8, 'input.L3-N.voltage': 231,
        'input.L1-L2.voltage': 398.5, 'input.L2-L3.voltage': 399.2, 'input.L3-L1.voltage': 398.9,
        'input.L1.current': 5.12, 'input.L2.current': 4.87, 'input.L3.current': 5.01, 'input.L1.load': 32,
        'input.L1.realpower': 1120, 'input.L3.power': 1157, 'input.realpower': 3280, 'input.power': 3457,
        'input.frequency': 50,
      });
      const names = Object.keys(v);
      expect(names.filter((k) => /^input\.L[4-9]/u.test(k)), 'rows past the third named as lines').toEqual([]);
      expect(v['input.current'], 'the neutral is no single-phase input').toBeUndefined();
    } finally {
      c.close();
    }
  });
});
