import { describe, expect, it } from 'vitest';
import { isTextVariable } from '../../src/normalize/nut';

describe('isTextVariable', () => {
  it('judges by NUT suffix, with the two whole-name exceptions', () => {
    expect(isTextVariable('ups.status')).toBe(true);
    expect(isTextVariable('device.serial')).toBe(true);
    expect(isTextVariable('ups.beeper.status')).toBe(true);
    expect(isTextVariable('battery.charge')).toBe(false);
    expect(isTextVariable('outlet.3.current')).toBe(false);
  });

  it('still judges right after more names than it remembers (names a hostile server invents)', () => {
    for (let i = 0; i < 10_000; i++) {
      expect(isTextVariable(`x.${i}.voltage`)).toBe(false);
      expect(isTextVariable(`x.${i}.model`)).toBe(true);
    }
    expect(isTextVariable('x.9999.voltage')).toBe(false);
    expect(isTextVariable('x.9999.model')).toBe(true);
  });
});
