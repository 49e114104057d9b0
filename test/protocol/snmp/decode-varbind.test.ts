// decodeVarbind shares one value per small INTEGER and Gauge32 (most readings): the shared values must carry the type
// the agent sent and the number it sent, never another type's or another number's, and be safe to share.
import snmp from 'net-snmp';
import { describe, expect, it } from 'vitest';
import { decodeVarbind } from '../../../src/protocol/snmp/client';

const T = snmp.ObjectType;
const vb = (type: number, value: unknown) => ({ oid: '1.3.6.1.4.1.318.1.1.26.9.4.3.1.6.1', type, value }) as snmp.Varbind;

describe('decodeVarbind', () => {
  it('small integers of each numeric type keep their own type and value, shared or not', () => {
    for (const [type, name] of [[T.Integer, 'integer'], [T.Gauge, 'gauge'], [T.Counter, 'counter'], [T.TimeTicks, 'timeticks']] as const) {
      for (const n of [-2, -1, 0, 1, 7, 230, 1023, 1024, 65535, 2 ** 31 - 1]) {
        expect(decodeVarbind(vb(type, n))).toEqual({ value: n, numeric: true, type: name });
        expect(decodeVarbind(vb(type, n))).toEqual(decodeVarbind(vb(type, n)));
      }
    }
    // an INTEGER 5 and a Gauge32 5 are not the same answer
    expect(decodeVarbind(vb(T.Integer, 5)).type).toBe('integer');
    expect(decodeVarbind(vb(T.Gauge, 5)).type).toBe('gauge');
  });

  it('a shared value cannot be changed by whoever got it', () => {
    const a = decodeVarbind(vb(T.Integer, 42));
    expect(() => Object.assign(a, { value: 43 })).toThrow();
    expect(decodeVarbind(vb(T.Integer, 42)).value).toBe(42);
  });

  it('what is not a finite number where a number belongs is malformed, never a number', () => {
    for (const bad of [Number.NaN, Infinity, '5', undefined, Buffer.from([5])]) expect(decodeVarbind(vb(T.Integer, bad)).type).toBe('malformed');
  });
});
