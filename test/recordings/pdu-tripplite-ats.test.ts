// A Tripp Lite ATS has two inputs: both are read, under NUT's ATS names (input.1.voltage, input.2.voltage,
// input.source), from tlpAtsInputPhaseTable (index device.input.phase). The walk is synthetic, laid out from the
// TRIPPLITE-PRODUCTS MIB (test/fixtures/snmprec/SOURCES.md); the oracle is the MIB's units (0.1 V, 0.1 Hz, 0.01 A).
// @module-tag peer: snmpsimd
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSnmpsim, type Snmpsim } from '../harness/snmpsim';
import { client, fixture, reader } from '../profiles/recording-helpers';

let sim: Snmpsim;
beforeAll(async () => {
  sim = await startSnmpsim([fixture('tripplite-ats-2in')]);
});
afterAll(() => sim?.stop());

describe('Tripp Lite ATS with two inputs (synthetic walk from the MIB)', () => {
  it('is detected as tripplite-ats and reads both inputs, the source in use, the output and the outlets', async () => {
    const c = client(sim.port, 'tripplite-ats-2in');
    try {
      const r = reader(c, { kind: 'pdu' });
      // tlpDeviceManufacturer / tlpDeviceModel / tlpDeviceIdentSerialNum / tlpDeviceIdentFirmwareVersion
      expect(await r.identify()).toMatchObject({ profile: 'tripplite-ats', manufacturer: 'Tripp Lite', model: 'PDUMH20ATNET', serial: '2716AV0PD123456789', firmware: '15.5.4' });
      const v = await r.read();
      expect(v).toMatchObject({
        'input.1.voltage': 120.1, 'input.1.frequency': 60, 'input.1.current': 0,
        'input.2.voltage': 118.7, 'input.2.frequency': 59.9,
        'input.source': '1', // tlpAtsInputSourceInUse inputSourceA(0)
        'output.voltage': 120, 'output.current': 5.12, 'output.realpower': 590, 'output.frequency': 60,
        'outlet.count': 4, 'outlet.3.status': 'off', 'outlet.1.name': 'Outlet 1',
      });
      // Two inputs are never folded into one plain input.voltage.
      expect(v['input.voltage']).toBeUndefined();
    } finally {
      c.close();
    }
  });
});
