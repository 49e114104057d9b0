// Line vs phase vs breaker on a 3-phase delta Vertiv/Geist PDU (VERTIV-V5-MIB): input.Lx.current is the current in
// the line conductor (pduLineTable, about the phase current times the square root of 3), the phase voltages are
// line-to-line and named so (input.L1-L2.voltage), the breakers are outlet groups. The walk is synthetic, laid out
// from the MIB with the magnitudes of a real MN03 walk (test/fixtures/snmprec/SOURCES.md).
// @module-tag peer: snmpsimd
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSnmpsim, type Snmpsim } from '../harness/snmpsim';
import { client, fixture, reader } from '../profiles/recording-helpers';

let sim: Snmpsim;
beforeAll(async () => {
  sim = await startSnmpsim([fixture('vertiv-v5-delta')]);
});
afterAll(() => sim?.stop());

describe('Vertiv rPDU, 3-phase delta (synthetic walk from the MIB)', () => {
  it('names lines, phases and breakers for what they are', async () => {
    const c = client(sim.port, 'vertiv-v5-delta');
    try {
      const r = reader(c, { kind: 'pdu' });
      expect(await r.identify()).toMatchObject({ profile: 'vertiv-geist-pdu', model: 'MN03EDR1', serial: '28DK123456', firmware: '5.4.1' });
      const v = await r.read();
      expect(v).toMatchObject({
        'input.L1.current': 12.26, 'input.L2.current': 12.31, 'input.L3.current': 12.4, // pduLineCurrent
        'input.L1-L2.voltage': 206.8, 'input.L2-L3.voltage': 207.1, 'input.L3-L1.voltage': 206.5, // pduPhaseVoltage
        'input.L1-L2.current': 7.12, // the current through the L1-L2 phase, not a line
        'input.realpower': 4310, 'input.power': 4420, 'input.powerfactor': 0.97, 'input.energy': 1234.567,
        'outlet.group.1.current': 4.02, 'outlet.group.count': 3, 'input.phases': 3,
      });
      for (const k of Object.keys(v)) expect(k, 'nothing line-to-neutral on a delta unit').not.toMatch(/-N\./u);
    } finally {
      c.close();
    }
  });
});
