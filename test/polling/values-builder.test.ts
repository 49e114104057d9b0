// The reading's object is cloned from the previous poll's template: it must never carry a value the poll did not
// set, and must read exactly as assigning the values one by one would (order, last value wins, statics first).
import snmp from 'net-snmp';
import { describe, expect, it } from 'vitest';
import { BulkColumns } from '../../src/polling/bulk-columns';
import type { Varbind } from '../../src/protocol/snmp/client';
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

  it('a poll with fewer or more values than its lists were made for: exactly the values set', () => {
    const b = new ValuesBuilder();
    b.build(statics, poll([['a.x', 1], ['a.y', 2], ['a.z', 3]]));
    const fewer = b.poll();
    expect(fewer.names.length).toBe(3);
    fewer.set('a.x', 4);
    expect(fewer.get('a.y')).toBeUndefined();
    expect(b.build(statics, fewer).values).toEqual({ ...statics, 'a.x': 4 });
    const more = b.poll();
    for (const [n, v] of [['a.x', 5], ['a.y', 6], ['a.z', 7], ['a.w', 8]] as const) more.set(n, v);
    expect(b.build(statics, more)).toEqual({ values: { ...statics, 'a.x': 5, 'a.y': 6, 'a.z': 7, 'a.w': 8 }, keys: 6 });
    const same = b.poll();
    for (const [n, v] of [['a.x', 9], ['a.y', 10], ['a.z', 11]] as const) same.set(n, v);
    expect(b.build(statics, same).values).toEqual({ ...statics, 'a.x': 9, 'a.y': 10, 'a.z': 11 });
  });

  it('PollValues.get sees the last value set in this poll', () => {
    const p = poll([['input.phases', 1], ['input.phases', 3]]);
    expect(p.get('input.phases')).toBe(3);
    expect(p.get('absent')).toBeUndefined();
  });
});

describe('BulkColumns', () => {
  const col = '1.3.6.1.4.1.318.1.1.26.9.4.3.1.6';
  /** A varbind of `col` at row `index`, as net-snmp hands it over. */
  const vb = (index: string, n: number): Varbind => ({ oid: `${col}.${index}`, type: snmp.ObjectType.Integer, value: n });
  const read = (rows: Varbind[], column = col) => new Map([[column, rows]]);

  it('gives a column by position only when its OIDs are exactly the learned cells in order', () => {
    const bulk = new BulkColumns();
    bulk.add(read([vb('1', 0), vb('2', 1), vb('3', 2)]));
    const cells = (...rows: string[]) => rows.map((r) => `${col}.${r}`);
    expect(bulk.aligned(col, cells('1', '2', '3'))?.map((r) => r.value)).toEqual([0, 1, 2]);
    expect(bulk.aligned(col, cells('1', '2'))).toBeUndefined();
    expect(bulk.aligned(col, cells('1', '3', '2'))).toBeUndefined();
    expect(bulk.aligned('1.3.6.1.9', cells('1', '2', '3'))).toBeUndefined();
  });

  it('by row index otherwise, decoded: a repeated row keeps its last value, a later read of a column replaces it', () => {
    const bulk = new BulkColumns();
    bulk.add(read([vb('2', 1), vb('1', 2), vb('2', 3)]));
    expect(bulk.get(col, '2')).toEqual({ value: 3, numeric: true, type: 'integer' });
    expect(bulk.indexes(col)).toEqual(['2', '1']);
    expect(bulk.indexes('1.3.6.1.9')).toBeUndefined();
    bulk.add(read([vb('7', 7)]));
    expect(bulk.get(col, '2')).toBeUndefined();
    expect(bulk.get(col, '7')?.value).toBe(7);
  });
});
