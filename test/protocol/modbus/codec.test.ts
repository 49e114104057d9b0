import { describe, expect, it } from 'vitest';
import type { RegisterType, WordOrder } from '../../../src/profiles/types';
import { decodeRegisters, encodeRegisters, registerCount } from '../../../src/protocol/modbus/codec';

const ORDERS: WordOrder[] = ['ABCD', 'CDAB', 'BADC', 'DCBA'];

describe('modbus codec', () => {
  it('counts registers per type', () => {
    expect(registerCount('int16')).toBe(1);
    expect(registerCount('uint16')).toBe(1);
    expect(registerCount('bits16')).toBe(1);
    expect(registerCount('int32')).toBe(2);
    expect(registerCount('uint32')).toBe(2);
    expect(registerCount('float32')).toBe(2);
    expect(registerCount('bits32')).toBe(2);
    expect(registerCount('string', 8)).toBe(8);
  });

  it('decodes an SDM120 voltage: 230.0 V is 0x4366 0x0000 (IEEE-754, high word first)', () => {
    expect(encodeRegisters(230, 'float32')).toEqual([0x4366, 0x0000]);
    expect(decodeRegisters([0x4366, 0x0000], 'float32')).toBe(230);
  });

  it('lays 0x11223344 out in each word order as Telegraf names them', () => {
    expect(encodeRegisters(0x11223344, 'uint32', 'ABCD')).toEqual([0x1122, 0x3344]);
    expect(encodeRegisters(0x11223344, 'uint32', 'CDAB')).toEqual([0x3344, 0x1122]);
    expect(encodeRegisters(0x11223344, 'uint32', 'BADC')).toEqual([0x2211, 0x4433]);
    expect(encodeRegisters(0x11223344, 'uint32', 'DCBA')).toEqual([0x4433, 0x2211]);
  });

  const samples: Array<[RegisterType, number[]]> = [
    ['int32', [0, 1, -1, 2147483647, -2147483648, -123456]],
    ['uint32', [0, 1, 4294967295, 305419896]],
    ['bits32', [0, 0x80000001, 0xffffffff]],
    ['float32', [0, 230.5, -1.25, 1e-3, 3.4e38]],
  ];
  for (const [type, values] of samples) {
    for (const order of ORDERS) {
      it(`round-trips ${type} in ${order}`, () => {
        for (const value of values) {
          const regs = encodeRegisters(value, type, order);
          expect(regs).toHaveLength(2);
          expect(decodeRegisters(regs, type, order)).toBe(type === 'float32' ? Math.fround(value) : value);
        }
      });
    }
  }

  it('round-trips the 16-bit types, with int16 sign extension', () => {
    for (const v of [0, 1, 32767, -1, -32768]) expect(decodeRegisters(encodeRegisters(v, 'int16'), 'int16')).toBe(v);
    for (const v of [0, 1, 65535]) expect(decodeRegisters(encodeRegisters(v, 'uint16'), 'uint16')).toBe(v);
    expect(decodeRegisters([0x8000], 'int16')).toBe(-32768);
    expect(decodeRegisters([0x8000], 'uint16')).toBe(32768);
    expect(decodeRegisters([0xa005], 'bits16')).toBe(0xa005);
  });

  it('round-trips strings, two characters per register, padding trimmed', () => {
    const regs = encodeRegisters('SMT750I', 'string', 'ABCD', 8);
    expect(regs).toHaveLength(8);
    expect(regs[0]).toBe(0x534d); // 'S' 'M': high byte first
    expect(decodeRegisters(regs, 'string')).toBe('SMT750I');
    expect(decodeRegisters([0x4142, 0x2020], 'string')).toBe('AB');
  });

  it('gives NaN for a NaN float (the reader drops it)', () => {
    expect(decodeRegisters([0x7fc0, 0x0000], 'float32')).toBeNaN();
  });
});
