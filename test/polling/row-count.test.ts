// A count is the number of distinct rows published under it over every table naming it, whether the rows came as a
// learned list (all present, no set built) or one by one.
import { describe, expect, it } from 'vitest';
import { RowCount } from '../../src/polling/row-count';

describe('RowCount', () => {
  it('one learned list: its distinct NUT indexes (two SNMP rows may map to one index)', () => {
    const c = new RowCount();
    expect(c.size).toBe(0);
    c.addLearned(['1', '2', '3', '3']);
    expect(c.size).toBe(3);
    expect(c.size).toBe(3);
  });

  it('two tables naming the same count: the union of their rows', () => {
    const c = new RowCount();
    c.addLearned(['1', '2']);
    c.addLearned(['2', '3']);
    expect(c.size).toBe(3);
    const d = new RowCount();
    d.add('5');
    d.addLearned(['1', '5']);
    expect(d.size).toBe(2);
  });

  it('rows added one by one after a learned list: the union, the learned list left as it was', () => {
    const learned = ['1', '2'];
    const c = new RowCount();
    c.addLearned(learned);
    c.add('2');
    c.add('7');
    expect(c.size).toBe(3);
    expect(learned).toEqual(['1', '2']);
    const fresh = new RowCount();
    fresh.addLearned(learned);
    expect(fresh.size).toBe(2);
  });
});
