import { describe, expect, it } from 'vitest';
import { statusEvents } from '../../src/normalize/events';

describe('ups.status transitions → NUT notifications', () => {
  it('power cut and return', () => {
    expect(statusEvents('OL CHRG', 'OB DISCHRG')).toEqual(['ONBATT']);
    expect(statusEvents('OB DISCHRG', 'OB DISCHRG LB')).toEqual(['LOWBATT']);
    expect(statusEvents('OB LB', 'OL CHRG')).toEqual(['ONLINE']);
  });

  it('first reading reports only abnormal conditions', () => {
    expect(statusEvents(undefined, 'OL CHRG')).toEqual([]);
    expect(statusEvents(undefined, 'OB LB')).toEqual(['ONBATT', 'LOWBATT']);
    expect(statusEvents(undefined, 'OL RB')).toEqual(['REPLBATT']);
  });

  it('paired conditions raise and clear', () => {
    expect(statusEvents('OL', 'OL OVER')).toEqual(['OVER']);
    expect(statusEvents('OL OVER', 'OL')).toEqual(['NOTOVER']);
    expect(statusEvents('OL', 'OL BYPASS')).toEqual(['BYPASS']);
    expect(statusEvents('OL BYPASS', 'OL')).toEqual(['NOTBYPASS']);
    expect(statusEvents('OL', 'OL CAL')).toEqual(['CAL']);
    expect(statusEvents('OL CAL', 'OL')).toEqual(['NOTCAL']);
    expect(statusEvents('OL', 'OFF')).toEqual(['OFF']);
    expect(statusEvents('OFF', 'OL')).toEqual(['NOTOFF']);
  });

  it('unknown tokens and unchanged status are silent', () => {
    expect(statusEvents('OL', 'OL ECO')).toEqual([]);
    expect(statusEvents('OL CHRG', 'OL  CHRG')).toEqual([]);
  });
});
