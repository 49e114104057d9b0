// @module-tag peer: snmpsimd
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SnmpClient } from '../../src/protocol/snmp/client';
import { SNMP_DEFAULTS } from '../../src/protocol/snmp/target';
import { shippedProfiles } from '../../src/profiles/load';
import type { SnmpProfile } from '../../src/profiles/types';
import { SnmpDeviceReader } from '../../src/polling/snmp-reader';
import { startSnmpsim, type Snmpsim } from '../harness/snmpsim';
import { fixture } from '../profiles/recording-helpers';

const snmpProfiles = shippedProfiles().filter((p): p is SnmpProfile => p.protocol === 'snmp');

let sim: Snmpsim;
beforeAll(async () => {
  sim = await startSnmpsim(['apc-8932', 'eaton-93e-80', 'phoenixtec-power'].map(fixture));
});
afterAll(() => sim?.stop());

function client(community: string): SnmpClient {
  return new SnmpClient({ ...SNMP_DEFAULTS, host: '127.0.0.1', port: sim.port, version: 2, community });
}

describe('APC AP8932 recording (rPDU2) served by snmpsimd', () => {
  it('is detected as apc-rpdu2 and reads identity, power and 24 outlets', async () => {
    const c = client('apc-8932');
    const reader = new SnmpDeviceReader(c, { profiles: snmpProfiles });
    const id = await reader.identify();
    expect(id).toMatchObject({ profile: 'apc-rpdu2', kind: 'pdu', manufacturer: 'APC', model: 'AP8932', serial: '3F503A169043', firmware: '6.7.2' });
    const before = reader.requestCount;
    const v = await reader.read();
    // MIB: rPDU2DeviceStatusPower 16 hundredths of kW = 160 W (NUT: input.realpower 160 via rPDUIdentDevicePowerWatts)
    expect(v['input.realpower']).toBe(160);
    expect(v['input.power']).toBe(170);
    expect(v['input.powerfactor']).toBe(0.95);
    expect(v['input.energy']).toBe(642.6);
    // rPDU2PhaseStatusCurrent 14 tenths = 1.4 A (NUT input.current 1.40); one phase → un-indexed names
    expect(v['input.current']).toBe(1.4);
    expect(v['input.voltage']).toBe(121);
    expect(v['outlet.count']).toBe(24);
    expect(v['outlet.1.name']).toBe('SW-DC01-WEST-01-B');
    expect(v['outlet.13.status']).toBe('on');
    expect(v['outlet.3.status']).toBe('off');
    // rPDU2 temperature probe absent (-1): omitted, never published
    expect(v['ambient.1.temperature']).toBeUndefined();
    expect(v['ambient.1.humidity']).toBeUndefined();
    // One GET for scalars and small tables, one GETBULK for the 24 outlets: statics not re-read.
    expect(reader.requestCount - before).toBe(2);
    c.close();
  });
});

describe('the generic RFC 1628 profile', () => {
  it('reads the Phoenixtec card through its UPS-MIB as NUT does', async () => {
    const c = client('phoenixtec-power');
    // Forced: detection picks the card's vendor MIB (xppc-ups); this checks the generic fallback itself.
    const ietf = snmpProfiles.find((p) => p.id === 'ietf-ups')!;
    const reader = new SnmpDeviceReader(c, { profile: ietf });
    const id = await reader.identify();
    expect(id.profile).toBe('ietf-ups');
    const before = reader.requestCount;
    const v = await reader.read();
    // NUT 2.8.0 snmp-ups (mibs=ietf) on the same recording: battery.charge 100, battery.temperature 31,
    // input.voltage 238, output.voltage 231, input.frequency 50, output.power.nominal 1150, battery.runtime.low 7200
    expect(v).toMatchObject({
      'battery.charge': 100,
      'battery.temperature': 31,
      'input.voltage': 238,
      'output.voltage': 231,
      'input.frequency': 50,
      'output.power.nominal': 1150,
      'battery.runtime.low': 7200,
    });
    expect(String(v['ups.status'])).toMatch(/^(OL|OB)/);
    expect(reader.requestCount - before).toBe(1);
    c.close();
  });
});
