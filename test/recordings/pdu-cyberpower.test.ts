// Line vs breaker on a CyberPower PDU: ePDULoadStatusTable lists the phases first and then the banks (each behind
// its own breaker), told apart by ePDULoadStatusBankNumber (0 on phase rows). A bank is not a line: its current
// is outlet.group.N.current, never input.L2.current. The walk is synthetic, laid out from the CPS-MIB text
// (test/fixtures/snmprec/SOURCES.md); the oracle is the MIB's units (0.1 A, 0.1 V, W, VA, 0.01, 0.1 kWh).
// @module-tag peer: snmpsimd
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSnmpsim, type Snmpsim } from '../harness/snmpsim';
import { client, fixture, reader } from '../profiles/recording-helpers';

let sim: Snmpsim;
beforeAll(async () => {
  sim = await startSnmpsim([fixture('cyberpower-pdu-banks')]);
});
afterAll(() => sim?.stop());

describe('CyberPower PDU with one phase and two banks (synthetic walk from the MIB)', () => {
  it('reads the phase as the input and the banks as outlet groups', async () => {
    const c = client(sim.port, 'cyberpower-pdu-banks');
    try {
      const r = reader(c, { kind: 'pdu' });
      expect(await r.identify()).toMatchObject({ profile: 'cyberpower-pdu', manufacturer: 'CyberPower', model: 'PDU41004', serial: 'NV4AB7000123' });
      const v = await r.read();
      expect(v).toMatchObject({
        'input.current': 9.4, 'input.voltage': 230.2, 'input.realpower': 198, 'input.power': 212, 'input.powerfactor': 0.93, 'input.energy': 1523.4,
        'input.phases': 1, 'input.voltage.nominal': 230,
        'outlet.group.1.current': 4.1, 'outlet.group.2.current': 5.3, 'outlet.group.2.realpower': 112, 'outlet.group.count': 2,
        'outlet.count': 8, 'outlet.5.status': 'off', 'outlet.1.status': 'on',
      });
      for (const k of Object.keys(v)) expect(k, 'a bank read as a line').not.toMatch(/^input\.L[2-9]/u);
    } finally {
      c.close();
    }
  });
});
