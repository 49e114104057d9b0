// APC AP8932 (real walk, snmpsim-data) through both APC PDU profiles: rPDU2 wins detection, the legacy sPDU/rPDU
// profile reads the same unit the way NUT's apc_pdu mapping does.
// @module-tag peer: snmpsimd
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSnmpsim, type Snmpsim } from '../harness/snmpsim';
import { client, fixture, reader } from '../profiles/recording-helpers';

let sim: Snmpsim;
beforeAll(async () => {
  sim = await startSnmpsim([fixture('apc-8932')]);
});
afterAll(() => sim?.stop());

describe('APC AP8932 recording', () => {
  it('detects rPDU2 over the legacy fallback and polls it in 2 requests', async () => {
    const c = client(sim.port, 'apc-8932');
    const r = reader(c, { kind: 'pdu' });
    expect((await r.identify()).profile).toBe('apc-rpdu2');
    const before = r.requestCount;
    const v = await r.read();
    // 1 GET (scalars, phase/bank/probe rows) + 1 GETBULK (24 switched outlets)
    expect(r.requestCount - before).toBe(2);
    // MIB: rPDU2SensorTempHumidityStatusTempC = -1 (no probe): the row is absent, so not counted either
    expect(v['ambient.count']).toBe(0);
    expect(v['ambient.1.temperature']).toBeUndefined();
    c.close();
  });

  it('reads the legacy sPDU/rPDU groups like NUT apc_pdu', async () => {
    const c = client(sim.port, 'apc-8932');
    const r = reader(c, { profile: 'apc-pdu-legacy' });
    const id = await r.identify();
    // NUT 2.8.0 (nut-readings/apc-8932.upsc.txt): device.model AP8932, device.serial 3F503A169043, ups.firmware v6.7.2
    expect(id).toMatchObject({ profile: 'apc-pdu-legacy', kind: 'pdu', manufacturer: 'APC', model: 'AP8932', serial: '3F503A169043', firmware: 'v6.7.2' });
    const before = r.requestCount;
    const v = await r.read();
    // NUT: input.current 1.40, input.realpower 160, outlet.count 24
    expect(v['input.current']).toBe(1.4);
    expect(v['input.realpower']).toBe(160);
    expect(v['outlet.count']).toBe(24);
    // NUT: outlet.1.desc "IBM Server 1 PS1", outlet.1.status on, outlet.13.status on, outlet.3.status off
    expect(v['outlet.1.desc']).toBe('IBM Server 1 PS1');
    expect(v['outlet.15.desc']).toBe('IBM Server 15 PS1');
    expect(v['outlet.1.status']).toBe('on');
    expect(v['outlet.13.status']).toBe('on');
    expect(v['outlet.3.status']).toBe('off');
    // MIB: sPDUOutletCtl.24 = 2 (off); NUT 2.8.0 lists outlets 1-23 only although it says outlet.count 24
    expect(v['outlet.24.status']).toBe('off');
    // MIB: rPDUIdentDeviceNumPhases = 1
    expect(v['input.phases']).toBe(1);
    // 1 GET + 1 GETBULK (outlet states)
    expect(r.requestCount - before).toBe(2);
    c.close();
  });
});
