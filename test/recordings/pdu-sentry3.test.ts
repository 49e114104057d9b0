// A Sentry3 CDU with a linked expansion tower: both towers' infeeds are read, tower A under plain names and tower B
// under NUT's daisy-chain prefix (device.2.), with the unit's model and serial from the tower table. The walk is
// synthetic, laid out from the Sentry3-MIB text (test/fixtures/snmprec/SOURCES.md); the oracle is the MIB's units
// (infeedLoadValue 0.01 A, infeedVoltage 0.1 V line-to-line, W, VA, 0.1 kWh; towerEnergy kWh).
// @module-tag peer: snmpsimd
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSnmpsim, type Snmpsim } from '../harness/snmpsim';
import { client, fixture, reader } from '../profiles/recording-helpers';

let sim: Snmpsim;
beforeAll(async () => {
  sim = await startSnmpsim([fixture('sentry3-two-towers')]);
});
afterAll(() => sim?.stop());

describe('ServerTech Sentry3 CDU with two towers (synthetic walk from the MIB)', () => {
  it('reads every tower, the identity from the tower table, and the tower totals', async () => {
    const c = client(sim.port, 'sentry3-two-towers');
    try {
      const r = reader(c, { kind: 'pdu' });
      expect(await r.identify()).toMatchObject({ profile: 'servertech-sentry3', model: 'CW-24V2-L30M', serial: 'ABEF0001234', firmware: 'Sentry Switched CDU Version 7.0m' });
      const v = await r.read();
      expect(v).toMatchObject({
        'input.current': 6.48, 'input.voltage': 208.1, 'input.realpower': 1450, 'input.power': 1520, 'input.energy': 8123.4, 'input.frequency': 60, // one infeed: its 0.1 kWh reading is finer than towerEnergy's kWh
        'device.2.model': 'CX-24V2-L30M', 'device.2.serial': 'ABEF0005678', 'device.2.input.realpower': 880,
        'device.2.input.L1.current': 4.12, 'device.2.input.L1.voltage': 207.9,
      });
      // A line-to-line voltage is never named line-to-neutral.
      expect(Object.keys(v).filter((k) => k.includes('-N.'))).toEqual([]);
    } finally {
      c.close();
    }
  });
});
