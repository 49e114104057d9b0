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
  const model = new SimModel({ devices: [{ name: 'ups', kind: 'ups' }, { name: 'pdu', kind: 'pdu', outlets: 3 }] });

  it('serves RFC 1628 single-line tables as one-row tables with an index column', () => {
    const plan = planMib(findProfile('ietf-ups') as SnmpProfile, 'ups', model.values('ups'));
    const input = plan.tables.find((t) => t.oid === '1.3.6.1.2.1.33.1.3.3.1')!;
    expect([...input.rows.keys()]).toEqual([1]);
    expect(input.columns.map((c) => c.number)).toEqual([2, 3, 4, 5]);
    expect(input.indexColumn).toBe(1);
    expect(plan.scalars.has('1.3.6.1.2.1.33.1.4.1')).toBe(true);
    // Values the model does not have (ups.firmware.aux) are not served at all.
    expect(plan.cells.has('1.3.6.1.2.1.33.1.1.4.0')).toBe(false);
    expect(plan.cells.get('1.3.6.1.2.1.1.5.0')!.read({})).toBe('ups');
  });

  it('serves one row per outlet and index columns after the last column when column 1 is taken', () => {
    const profile: SnmpProfile = {
      id: 'x-pdu', protocol: 'snmp', kind: 'pdu', vendor: 'X', models: [], description: '', match: {}, variables: [],
      tables: [{ label: 'outlets', indexOffset: 1, columns: [{ name: 'outlet.{i}.current', oid: '1.3.6.1.4.1.99.1.1.1', scale: 0.1 }] }],
    };
    const plan = planMib(profile, 'pdu', model.values('pdu'));
    const outlets = plan.tables.find((t) => t.oid === '1.3.6.1.4.1.99.1.1')!;
    expect([...outlets.rows.keys()]).toEqual([0, 1, 2]); // 0-based: NUT outlet 1 is row 0
    expect(outlets.indexColumn).toBe(2);
    expect(plan.cells.get('1.3.6.1.2.1.1.2.0')!.read({})).toBe('1.3.6.1.4.1.8072.3.2.10');
  });

  it('refuses a profile whose OIDs nest inside each other', () => {
    const profile: SnmpProfile = {
      id: 'x-bad', protocol: 'snmp', kind: 'ups', vendor: 'X', models: [], description: '', match: {},
      variables: [
        { name: 'battery.charge', oid: '1.3.6.1.4.1.99.1.0' },
        { name: 'battery.runtime', oid: '1.3.6.1.4.1.99.1.0.5.1' },
      ],
    };
    expect(() => planMib(profile, 'ups', model.values('ups'))).toThrow(/cannot serve both 1\.3\.6\.1\.4\.1\.99\.1 and/);
  });
});
