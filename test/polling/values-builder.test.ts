// The reading's object is cloned from the previous poll's template: it must never carry a value the poll did not
// set, and must read exactly as assigning the values one by one would (order, last value wins, statics first).
import { describe, expect, it } from 'vitest';
import { BulkColumns } from '../../src/polling/bulk-columns';
import { PollValues, ValuesBuilder } from '../../src/polling/values-builder';
import type { Values } from '../../src/types';

const poll = (entries: [string, number | string][]): PollValues => {
  const p = new PollValues();
  for (const [n, v] of entries) p.set(n, v);
  return p;
};
/** What assigning one by one over a copy of the statics gives: the behaviour the builder must keep. */
const assigned = (statics: Values, entries: [string, number | string][]): Values => {
  const out: Values = { ...statics };
  for (const [n, v] of entries) out[n] = v;
  return out;
};

describe('ValuesBuilder', () => {
  const statics: Values = { 'ups.mfr': 'APC', 'ups.model': 'Smart-UPS' };

  it('reuses the template only for the same names: a value left out of a poll is absent, never the last one', () => {
    const b = new ValuesBuilder();
    const polls: [string, number | string][][] = [
      [['battery.charge', 100], ['ups.load', 20]],
      [['battery.charge', 99], ['ups.load', 21]],
      [['battery.charge', 98]],
      [['ups.load', 22], ['battery.charge', 97]],
      [['battery.charge', 96], ['ups.load', 23]],
    ];
    for (const p of polls) {
      const { values, keys } = b.build(statics, poll(p));
      expect(values).toEqual(assigned(statics, p));
      expect(Object.keys(values)).toEqual(Object.keys(assigned(statics, p)));
      expect(keys).toBe(Object.keys(values).length);
    }
  });

  it('a name set twice keeps its first place and last value; a dynamic value over a static keeps the static place', () => {
    const b = new ValuesBuilder();
    const p: [string, number | string][] = [['ups.load', 1], ['ups.model', 'SMT1500'], ['ups.load', 2]];
    for (let i = 0; i < 2; i++) {
      const { values, keys } = b.build(statics, poll(p));
      expect(Object.entries(values)).toEqual(Object.entries(assigned(statics, p)));
      expect(keys).toBe(3);
    }
  });

  it('hands out a new object every poll, and new statics (a rediscovery) make a new template', () => {
    const b = new ValuesBuilder();
    const first = b.build(statics, poll([['ups.load', 1]])).values;
    first['ups.load'] = 999;
    first.extra = 'flow author wrote here';
    expect(b.build(statics, poll([['ups.load', 2]])).values).toEqual({ ...statics, 'ups.load': 2 });
    const rediscovered: Values = { 'ups.mfr': 'APC' };
    expect(b.build(rediscovered, poll([['ups.load', 3]])).values).toEqual({ 'ups.mfr': 'APC', 'ups.load': 3 });
  });

  it('PollValues.get sees the last value set in this poll', () => {
    const p = poll([['input.phases', 1], ['input.phases', 3]]);
    expect(p.get('input.phases')).toBe(3);
    expect(p.get('absent')).toBeUndefined();
  });
});

describe('BulkColumns', () => {
  const v = (n: number) => ({ value: n, numeric: true });
  const col = '1.3.6.1.4.1.318.1.1.26.9.4.3.1.6';

  it('gives a column by position only when it holds exactly the learned rows in order', () => {
    const rows = ['1', '2', '3'];
    const bulk = new BulkColumns(new Map([[col, rows.map((index, i) => ({ index, value: v(i) }))]]));
    expect(bulk.aligned(col, rows)?.map((r) => r.value.value)).toEqual([0, 1, 2]);
    expect(bulk.aligned(col, ['1', '2'])).toBeUndefined();
    expect(bulk.aligned(col, ['1', '3', '2'])).toBeUndefined();
    expect(bulk.aligned('1.3.6.1.9', rows)).toBeUndefined();
  });

  it('by row index otherwise: a repeated row keeps its last value, a later read of a column replaces it', () => {
    const bulk = new BulkColumns(new Map([[col, [{ index: '2', value: v(1) }, { index: '1', value: v(2) }, { index: '2', value: v(3) }]]]));
    expect(bulk.get(col, '2')?.value).toBe(3);
    expect(bulk.indexes(col)).toEqual(['2', '1']);
    expect(bulk.indexes('1.3.6.1.9')).toBeUndefined();
    bulk.add(new Map([[col, [{ index: '7', value: v(7) }]]]));
    expect(bulk.get(col, '2')).toBeUndefined();
    expect(bulk.get(col, '7')?.value).toBe(7);
  });
});
