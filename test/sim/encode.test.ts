import { describe, expect, it } from 'vitest';
import { decodeRegisters } from '../../src/protocol/modbus/codec';
import { findProfile } from '../../src/profiles/load';
import type { SnmpProfile } from '../../src/profiles/types';
import { encodeModbusVariable, encodeSim } from '../../src/sim/encode';
import { SimModel } from '../../src/sim/model';
import { planMib } from '../../src/sim/snmp-mib';

const outputSource = { enum: { '1': '', '2': 'OFF', '3': 'OL', '4': 'OL BYPASS', '5': 'OB', '6': 'OL BOOST', '7': 'OL TRIM' } };
const batteryStatus = { enum: { '1': '', '2': '', '3': 'LB', '4': 'LB' } };

describe('simulator encoding', () => {
  it('splits a composite ups.status over the enums that each carry part of it', () => {
    expect(encodeSim('OB LB DISCHRG', outputSource)).toBe(5);
    expect(encodeSim('OB LB DISCHRG', batteryStatus)).toBe(3);
    expect(encodeSim('OL CHRG', outputSource)).toBe(3);
    expect(encodeSim('OL CHRG', batteryStatus)).toBe(1);
    expect(encodeSim('OL BOOST', outputSource)).toBe(6); // the entry naming the most tokens wins
    expect(encodeSim('OFF', outputSource)).toBe(2);
    expect(encodeSim('maybe', { enum: { '1': 'on', '2': 'off' } })).toBeUndefined();
  });

  it('applies scale and conversions like the inverse of decoding', () => {
    expect(encodeSim(1740, { convert: 'minutes-to-s' })).toBe(29);
    expect(encodeSim(12.5, { scale: 0.1 })).toBe(125);
    expect(encodeSim('web-01', {})).toBe('web-01');
  });

  it('encodes Modbus registers with the word order and status bits of the variable', () => {
    const regs = encodeModbusVariable(231.4, { name: 'input.voltage', register: 0, function: 4, type: 'float32', wordOrder: 'CDAB' })!;
    expect(decodeRegisters(regs, 'float32', 'CDAB')).toBeCloseTo(231.4, 3);
    expect(encodeModbusVariable(-3.5, { name: 't', register: 0, function: 4, type: 'int16', scale: 0.1 })).toEqual([0xffdd]);
    const bits = { '0': 'OL', '1': 'OB', '2': 'LB', '4': 'CHRG' };
    expect(encodeModbusVariable('OB LB DISCHRG', { name: 'ups.status', register: 0, function: 3, type: 'bits16', bits })).toEqual([0b110]);
  });
});

describe('SNMP tree layout', () => {
  const model = new SimModel({ devices: [{ name: 'ups', kind: 'ups' }, { name: 'pdu', kind: 'pdu', outlets: 3 }, { name: 'sensor', kind: 'sensor' }] });
  const plan = (id: string, device: string) => planMib(findProfile(id) as SnmpProfile, device, model.values(device));
  const served = (p: ReturnType<typeof planMib>, prefix: string): string[] => [...p.cells.keys()].filter((o) => o.startsWith(prefix + '.'));
  const read = (p: ReturnType<typeof planMib>, oid: string, device: string) => p.cells.get(oid)?.read(model.values(device));

  it('serves RFC 1628 single-line tables as one row, with no column of its own beside the profile\'s', () => {
    const p = plan('ietf-ups', 'ups');
    expect(served(p, '1.3.6.1.2.1.33.1.3.3.1')).toEqual(['2', '3', '4', '5'].map((c) => `1.3.6.1.2.1.33.1.3.3.1.${c}.1`));
    expect(p.cells.has('1.3.6.1.2.1.33.1.4.1.0')).toBe(true);
    // Values the model does not have (ups.firmware.aux) are not served at all.
    expect(p.cells.has('1.3.6.1.2.1.33.1.1.4.0')).toBe(false);
    expect(p.cells.get('1.3.6.1.2.1.1.5.0')!.read({})).toBe('ups');
  });

  it('numbers a 0-based table from 0 and names no vendor sysObjectID when the profile has none', () => {
    const profile: SnmpProfile = {
      id: 'x-pdu', protocol: 'snmp', kind: 'pdu', vendor: 'X', models: [], description: '', match: {}, variables: [],
      tables: [{ label: 'outlets', indexOffset: 1, columns: [{ name: 'outlet.{i}.current', oid: '1.3.6.1.4.1.99.1.1.1', scale: 0.1 }] }],
    };
    const p = planMib(profile, 'pdu', model.values('pdu'));
    expect(served(p, '1.3.6.1.4.1.99.1.1.1')).toEqual(['0', '1', '2'].map((i) => `1.3.6.1.4.1.99.1.1.1.${i}`));
    expect(p.cells.get('1.3.6.1.2.1.1.2.0')!.read({})).toBe('1.3.6.1.4.1.8072.3.2.10');
  });

  it('refuses a profile whose OIDs nest inside each other', () => {
    const profile: SnmpProfile = {
      id: 'x-bad', protocol: 'snmp', kind: 'ups', vendor: 'X', models: [], description: '', match: {},
      variables: [
        { name: 'battery.charge', oid: '1.3.6.1.4.1.99.1.0' },
        { name: 'battery.runtime', oid: '1.3.6.1.4.1.99.1.0.5.1' },
      ],
    };
    expect(() => planMib(profile, 'ups', model.values('ups'))).toThrow(/cannot serve both 1\.3\.6\.1\.4\.1\.99\.1\.0 and 1\.3\.6\.1\.4\.1\.99\.1\.0\.5\.1/);
  });

  it('reads line 1 of a single-phase model through per-phase names (HUAWEI-UPS-MIB column 1 is the L1 voltage)', () => {
    const p = plan('huawei-ups', 'ups');
    const l1 = findProfile('huawei-ups').variables.find((v) => v.name === 'input.L1-N.voltage')!;
    expect(read(p, '1.3.6.1.4.1.2011.6.174.1.3.100.1.1.1', 'ups')).toBe(encodeSim(model.values('ups')['input.voltage'], l1));
    expect(p.cells.has('1.3.6.1.4.1.2011.6.174.1.3.100.1.2.1')).toBe(false); // no line 2
  });

  it('types Raritan PX2 rows by their last index arc, with decimal digits and presence per row', () => {
    const p = plan('raritan-px2', 'pdu');
    const pdu = model.values('pdu');
    // Outlet sensors: index outlet.sensorType under pdu 1; rmsCurrent(1) in hundredths, activePower(5) in watts.
    expect(read(p, '1.3.6.1.4.1.13742.6.5.4.3.1.4.1.2.1', 'pdu')).toBe(Math.round(Number(pdu['outlet.2.current']) * 100));
    expect(read(p, '1.3.6.1.4.1.13742.6.3.5.4.1.7.1.2.1', 'pdu')).toBe(2);
    expect(read(p, '1.3.6.1.4.1.13742.6.5.4.3.1.4.1.2.5', 'pdu')).toBe(pdu['outlet.2.realpower']);
    expect(read(p, '1.3.6.1.4.1.13742.6.3.5.4.1.7.1.2.5', 'pdu')).toBe(0);
    expect(read(p, '1.3.6.1.4.1.13742.6.5.4.3.1.2.1.2.1', 'pdu')).toBe(1); // available
    // Inlet 1: index = sensor type; activeEnergy(8) in Wh for a profile entry that scales to kWh.
    expect(read(p, '1.3.6.1.4.1.13742.6.5.2.3.1.4.1.1.8', 'pdu')).toBe(Math.round(Number(pdu['input.energy']) * 1000));
    expect(p.cells.has('1.3.6.1.4.1.13742.6.5.2.3.1.4.1.1.23')).toBe(false); // no frequency in the PDU model
    // External sensors: typed by a type column (10 temperature), in °F (units 14) with one decimal digit.
    expect(read(p, '1.3.6.1.4.1.13742.6.3.6.3.1.2.1.1', 'pdu')).toBe(10);
    expect(read(p, '1.3.6.1.4.1.13742.6.3.6.3.1.16.1.1', 'pdu')).toBe(14);
    expect(read(p, '1.3.6.1.4.1.13742.6.5.5.3.1.4.1.1', 'pdu')).toBe(Math.round((Number(pdu['ambient.1.temperature']) * 9) / 5 * 10 + 320));
  });

  it('lays out ENTITY-SENSOR rows by type with scale units(9), a precision and operStatus ok(1)', () => {
    const p = plan('entity-sensor', 'sensor');
    const rows = served(p, '1.3.6.1.2.1.99.1.1.1.1').map((o) => o.split('.').pop());
    expect(rows.map((r) => read(p, `1.3.6.1.2.1.99.1.1.1.1.${r}`, 'sensor'))).toEqual([8, 9]);
    expect(rows.map((r) => read(p, `1.3.6.1.2.1.99.1.1.1.2.${r}`, 'sensor'))).toEqual([9, 9]);
    expect(rows.map((r) => read(p, `1.3.6.1.2.1.99.1.1.1.5.${r}`, 'sensor'))).toEqual([1, 1]);
    expect(read(p, `1.3.6.1.2.1.99.1.1.1.4.${rows[0]}`, 'sensor')).toBe(Math.round(Number(model.values('sensor')['ambient.1.temperature']) * 10));
  });

  it('labels ServerTech Sentry4 lines and phases so the label pattern yields the line, and sets the unit to °F', () => {
    const p = plan('servertech-sentry4', 'pdu');
    expect(read(p, '1.3.6.1.4.1.1718.4.1.4.2.1.4.1.1.1', 'pdu')).toBe('AA:L1');
    expect(read(p, '1.3.6.1.4.1.1718.4.1.5.2.1.4.1.1.1', 'pdu')).toBe('AA:L1-N');
    expect(read(p, '1.3.6.1.4.1.1718.4.1.9.1.10.0', 'pdu')).toBe(1);
  });

  it('serves one of the places a family keeps its probes, and answers a probe OID the model has no value for', () => {
    const env = plan('apc-env', 'sensor');
    expect(served(env, '1.3.6.1.4.1.318.1.1.10.2.3.2.1').length).toBeGreaterThan(0); // IEM, the first
    expect(served(env, '1.3.6.1.4.1.318.1.1.25.1.2.1')).toEqual([]); // UIO: same values, left out
    expect(read(env, '1.3.6.1.4.1.318.1.1.10.2.3.2.1.3.1', 'sensor')).toBe(2); // iemStatusProbeStatus connected(2)
    expect(read(plan('eaton-emp', 'sensor'), '1.3.6.1.4.1.534.6.8.1.1.1.0', 'sensor')).toBe(1);
  });
});
