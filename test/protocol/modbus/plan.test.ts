import { describe, expect, it } from 'vitest';
import { findProfile } from '../../../src/profiles/load';
import type { ModbusProfile, ModbusVariable, RegisterType } from '../../../src/profiles/types';
import { planReads } from '../../../src/protocol/modbus/plan';

const DEFAULTS = { maxGap: 8, maxRegisters: 125 };

function v(name: string, register: number, type: RegisterType = 'uint16', fn: 3 | 4 = 4, length?: number): ModbusVariable {
  return { name, register, function: fn, type, ...(length ? { length } : {}) };
}

const summary = (vars: ModbusVariable[], opts = DEFAULTS) =>
  planReads(vars, opts).map((b) => ({ fn: b.function, start: b.start, count: b.count, vars: b.variables.map((x) => x.name) }));

describe('planReads', () => {
  it('reads the SDM120 in exactly 3 requests', () => {
    const sdm = findProfile('eastron-sdm120') as ModbusProfile;
    expect(summary(sdm.variables).map(({ fn, start, count }) => ({ fn, start, count }))).toEqual([
      { fn: 4, start: 0, count: 32 }, // voltage .. power factor, 4 filler registers between each
      { fn: 4, start: 70, count: 6 }, // frequency, import, export
      { fn: 4, start: 342, count: 2 }, // total energy
    ]);
  });

  it('reads the XY-MD02 temperature and humidity in one request of 2 registers', () => {
    const md02 = findProfile('xy-md02') as ModbusProfile;
    expect(summary(md02.variables)).toEqual([
      { fn: 4, start: 1, count: 2, vars: ['ambient.1.temperature', 'ambient.1.humidity'] },
    ]);
  });

  it('merges across a gap of exactly maxGap filler registers and splits at one more', () => {
    const vars = [v('a.b', 0, 'float32'), v('c.d', 10, 'float32')]; // end of a.b is 2: gap of 8
    expect(summary(vars)).toHaveLength(1);
    expect(summary(vars)[0].count).toBe(12);
    expect(summary([v('a.b', 0, 'float32'), v('c.d', 11, 'float32')])).toHaveLength(2);
    expect(summary(vars, { maxGap: 0, maxRegisters: 125 })).toHaveLength(2);
  });

  it('never merges holding and input registers, and sorts by function then address', () => {
    const vars = [v('x.in', 5, 'uint16', 4), v('x.hold', 4, 'uint16', 3), v('y.hold', 1, 'uint16', 3)];
    expect(summary(vars)).toEqual([
      { fn: 3, start: 1, count: 4, vars: ['y.hold', 'x.hold'] },
      { fn: 4, start: 5, count: 1, vars: ['x.in'] },
    ]);
  });

  it('keeps every read at or under 125 registers, even when the profile allows more', () => {
    const vars = Array.from({ length: 100 }, (_, i) => v(`r.${i}`, i * 2, 'float32')); // 200 contiguous registers
    const blocks = planReads(vars, { maxGap: 8, maxRegisters: 500 });
    expect(blocks.map((b) => b.count)).toEqual([124, 76]);
    expect(blocks.flatMap((b) => b.variables)).toHaveLength(100);
  });

  it('never splits one value across two reads', () => {
    const vars = [v('s.one', 0, 'string', 3, 60), v('s.two', 60, 'string', 3, 60), v('f.x', 120, 'float32', 3)];
    for (const maxRegisters of [61, 64, 121, 122, 125]) {
      for (const block of planReads(vars, { maxGap: 8, maxRegisters })) {
        expect(block.count).toBeLessThanOrEqual(maxRegisters);
        for (const x of block.variables) {
          const size = x.type === 'string' ? x.length! : 2;
          expect(x.register).toBeGreaterThanOrEqual(block.start);
          expect(x.register + size).toBeLessThanOrEqual(block.start + block.count);
        }
      }
    }
    expect(summary(vars, { maxGap: 8, maxRegisters: 121 }).map((b) => b.count)).toEqual([120, 2]);
  });

  it('reads overlapping values once', () => {
    expect(summary([v('w.hi', 10), v('w.all', 10, 'uint32')])).toEqual([{ fn: 4, start: 10, count: 2, vars: ['w.hi', 'w.all'] }]);
  });

  it('refuses a value longer than one read', () => {
    expect(() => planReads([v('s.long', 0, 'string', 3, 100)], { maxGap: 8, maxRegisters: 50 })).toThrow(/s\.long spans 100/);
  });

  it('plans nothing for no variables', () => {
    expect(planReads([], DEFAULTS)).toEqual([]);
  });
});
