// RFC 1628 agents in the wild are sloppy. Each quirk below is seen in real walks; ups-mib-sloppy.snmprec is the
// real ABB PowerScale walk edited to show them all at once (see test/fixtures/snmprec/SOURCES.md), and
// abbups_abbups.snmprec (in the ietf-ups package, profiles/snmp/ietf-ups/) is that walk as recorded. Oracle: the raw
// value in the walk read through RFC 1628.
// @module-tag peer: snmpsimd
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SnmpDeviceReader } from '../../src/polling/snmp-reader';
import type { SnmpClient } from '../../src/protocol/snmp/client';
import type { Values } from '../../src/types';
import { startSnmpsim, type Snmpsim } from '../harness/snmpsim';
import { client, fixture, reader } from '../profiles/recording-helpers';

let sim: Snmpsim;
const clients: SnmpClient[] = [];
beforeAll(async () => {
  sim = await startSnmpsim([fixture('ups-mib-sloppy'), fixture('abbups_abbups')]);
});
afterAll(async () => {
  for (const c of clients) c.close();
  await sim?.stop();
});

async function read(community: string): Promise<{ r: SnmpDeviceReader; v: Values }> {
  const c = client(sim.port, community);
  clients.push(c);
  const r = reader(c, { kind: 'ups' });
  await r.identify();
  await r.read();
  return { r, v: await r.read() };
}

describe('a sloppy UPS-MIB agent (edited ABB walk)', () => {
  it('is detected as ietf-ups although its scalars lack .0, among the UPS profiles and among every profile', async () => {
    const { r } = await read('ups-mib-sloppy');
    expect(r.profile?.id).toBe('ietf-ups');
    const c = client(sim.port, 'ups-mib-sloppy');
    clients.push(c);
    expect((await reader(c).detect()).id).toBe('ietf-ups');
  });

  it('hex-encoded identity strings padded with blanks and NULs are trimmed; an all-blank one is absent', async () => {
    const { r, v } = await read('ups-mib-sloppy');
    // upsIdentManufacturer "ABB   \0\0\0", upsIdentModel "PowerScale\0\0  ", upsIdentUPSSoftwareVersion "    "
    expect(await r.identify()).toMatchObject({ manufacturer: 'ABB', model: 'PowerScale', firmware: undefined });
    expect(v['ups.firmware']).toBeUndefined();
  });

  it('scalars recorded without their .0 are read', async () => {
    const { v } = await read('ups-mib-sloppy');
    // upsBatteryStatus 2, upsEstimatedChargeRemaining 100, upsBatteryVoltage 4348 (0.1 V), upsBatteryCurrent 0
    expect(v['battery.charge']).toBe(100);
    expect(v['battery.voltage']).toBe(434.8);
    expect(v['battery.current']).toBe(0);
  });

  it('TimeTicks where the MIB says INTEGER minutes: the number is taken as minutes', async () => {
    const { v } = await read('ups-mib-sloppy');
    // upsEstimatedMinutesRemaining|67|452: 452 min, as NUT reads it, not 4.52 s
    expect(v['battery.runtime']).toBe(452 * 60);
  });

  it('table rows with an extra .0 are the rows they name', async () => {
    const { v } = await read('ups-mib-sloppy');
    // upsInputVoltage.1.0 239, .2.0 239, .3.0 238; upsInputFrequency.N.0 500 (0.1 Hz)
    expect(v['input.L1-N.voltage']).toBe(239);
    expect(v['input.L2-N.voltage']).toBe(239);
    expect(v['input.L3-N.voltage']).toBe(238);
    expect(v['input.L3.frequency']).toBe(50);
    expect(Object.keys(v).filter((k) => k.startsWith('input.L0'))).toEqual([]);
  });

  it('upsOutputSource none(2) while the output carries 230 V on every line and the input 239 V: on line, not off', async () => {
    const { v } = await read('ups-mib-sloppy');
    expect(v['output.L1-N.voltage']).toBe(230);
    expect(v['ups.status']).toBe('OL');
  });
});

describe('ABB PowerScale 3-phase (UPS-MIB behind the generic Linux sysObjectID, no upsIdent, no line counts)', () => {
  it('is read with ietf-ups; the maker and model come from its own ident tree', async () => {
    const { r } = await read('abbups_abbups');
    // .53973.1.1.1.1.1.1.0 "ABB", .2.0 "PowerScale"
    expect(await r.identify()).toMatchObject({ profile: 'ietf-ups', kind: 'ups', manufacturer: 'ABB', model: 'PowerScale' });
  });

  it('walks the line tables although upsInputNumLines and upsOutputNumLines are missing', async () => {
    const { v } = await read('abbups_abbups');
    expect(v['input.phases']).toBeUndefined();
    expect(v).toMatchObject({
      'ups.status': 'OL', // upsOutputSource normal(3), upsBatteryStatus batteryNormal(2)
      'battery.charge': 100,
      'battery.runtime': 452 * 60,
      'battery.voltage': 434.8,
      'input.L1-N.voltage': 239, 'input.L2-N.voltage': 239, 'input.L3-N.voltage': 238,
      'input.L1.frequency': 50, 'input.L2.frequency': 50, 'input.L3.frequency': 50,
      'output.frequency': 50,
      'output.L1-N.voltage': 230, 'output.L2-N.voltage': 230, 'output.L3-N.voltage': 230,
      'output.L1.current': 0.7, 'output.L2.current': 0.8, 'output.L3.current': 0.5,
      'output.L1.power.percent': 6, 'output.L2.power.percent': 6, 'output.L3.power.percent': 4,
      'input.bypass.L1-N.voltage': 239, 'input.bypass.L2-N.voltage': 238, 'input.bypass.L3-N.voltage': 238,
      'input.bypass.frequency': 50,
    });
    // Single-phase names never appear on a 3-phase unit.
    for (const k of ['input.voltage', 'output.voltage', 'output.current', 'ups.load']) expect(v[k], k).toBeUndefined();
  });
});
