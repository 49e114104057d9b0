import { describe, expect, it } from 'vitest';
import { decodeValue, encodeValue } from '../../src/normalize/transform';

describe('raw → NUT value', () => {
  it('scales and removes float noise', () => expect(decodeValue(2232, { scale: 0.1 })).toBe(223.2));
  it('TimeTicks to seconds', () => expect(decodeValue(174000, { convert: 'timeticks-to-s' })).toBe(1740));
  it('minutes to seconds', () => expect(decodeValue(29, { convert: 'minutes-to-s' })).toBe(1740));
  it('tenths of °F to °C', () => expect(decodeValue(725, { scale: 0.1, convert: 'fahrenheit-to-celsius', decimals: 1 })).toBe(22.5));
  it('drops sentinels', () => {
    expect(decodeValue(-1, { negativeInvalid: true })).toBeUndefined();
    expect(decodeValue(65535, { invalid: [65535] })).toBeUndefined();
    expect(decodeValue(-410, { negativeInvalid: true, scale: 0.1 })).toBeUndefined();
    expect(decodeValue(0, { zeroInvalid: true })).toBeUndefined();
  });
  it('enum: mapped, and unknown codes dropped rather than guessed', () => {
    expect(decodeValue(5, { enum: { '3': 'OL', '5': 'OB' } })).toBe('OB');
    expect(decodeValue(9, { enum: { '3': 'OL' } })).toBeUndefined();
  });
  it('encode is the inverse', () => {
    for (const [value, t] of [
      [223.2, { scale: 0.1 }],
      [1740, { convert: 'minutes-to-s' as const }],
      [1740, { convert: 'timeticks-to-s' as const }],
      [22.5, { scale: 0.1, convert: 'fahrenheit-to-celsius' as const, decimals: 1 }],
      ['OB', { enum: { '3': 'OL', '5': 'OB' } }],
    ] as const) {
      expect(decodeValue(encodeValue(value, t), t)).toBe(value);
    }
  });
});
