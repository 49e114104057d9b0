// OFF from a status source is contradicted by a live output measured in the same poll (a UPS-MIB agent reporting
// upsOutputSource none(2) while it carries its load): the edges of that rule.
import { describe, expect, it } from 'vitest';
import { liveOutputStatus } from '../../src/normalize/live-output';
import { joinStatus } from '../../src/normalize/nut';

describe('liveOutputStatus', () => {
  it('drops OFF when the output carries voltage; the input says OL', () => {
    expect(liveOutputStatus(['OFF', ''], { 'output.voltage': 230, 'input.voltage': 231 })).toEqual(['OL']);
    expect(liveOutputStatus(['OFF'], { 'output.L2-N.voltage': 229, 'input.L1-N.voltage': 230 })).toEqual(['OL']);
  });

  it('says OB when the output is live and the input reads 0 V', () => {
    expect(liveOutputStatus(['OFF', 'LB'], { 'output.voltage': 230, 'input.voltage': 0 })).toEqual(['OB', 'LB']);
  });

  it('adds no power source without an input reading, and keeps one already there', () => {
    expect(liveOutputStatus(['OFF'], { 'output.voltage': 230 })).toEqual([]);
    expect(liveOutputStatus(['OFF', 'OB'], { 'output.voltage': 230, 'input.voltage': 231 })).toEqual(['OB']);
  });

  it('leaves OFF alone when the output is dead, unknown, or on bypass', () => {
    expect(liveOutputStatus(['OFF'], { 'output.voltage': 0, 'input.voltage': 231 })).toEqual(['OFF']);
    expect(liveOutputStatus(['OFF'], { 'input.voltage': 231 })).toEqual(['OFF']);
    expect(liveOutputStatus(['OFF', 'BYPASS'], { 'output.voltage': 230, 'input.voltage': 231 })).toEqual(['OFF', 'BYPASS']);
    expect(liveOutputStatus(['OL'], { 'output.voltage': 230 })).toEqual(['OL']);
  });
});

describe('joinStatus', () => {
  it('one source with one token is its own join; anything else is split, deduplicated and joined', () => {
    expect(joinStatus(['OL'])).toBe('OL');
    expect(joinStatus([''])).toBe('');
    expect(joinStatus([' OL'])).toBe('OL');
    expect(joinStatus(['OL  OL\tCHRG'])).toBe('OL CHRG');
    expect(joinStatus(['OB', 'LB', 'OB'])).toBe('OB LB');
    expect(joinStatus([])).toBe('');
  });

  it('a poll without OFF gets its parts back untouched, the values never asked for', () => {
    const parts = ['OL', 'CHRG'];
    expect(liveOutputStatus(parts, () => expect.unreachable('values asked for'))).toBe(parts);
    expect(liveOutputStatus(['OL OFF'], { 'output.voltage': 230 })).toEqual(['OL']);
  });
});
