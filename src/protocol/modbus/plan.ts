// Turns a profile's variables into the fewest register reads (Telegraf's request optimizer is the model): on a
// 9600-baud bus every request costs a round trip plus turnaround, so reading a few filler registers is cheaper
// than another request.
import { RackpowerError } from '../../errors';
import { registerCount, type RegisterType } from './codec';

/** What the planner needs of a variable (a profile's ModbusVariable has this shape). */
export interface PlannedRegister {
  name: string;
  /** 0-based protocol address. */
  register: number;
  function: 3 | 4;
  type: RegisterType;
  length?: number;
}

/** The Modbus spec's ceiling for one Read Holding/Input Registers request. */
export const MAX_READ_REGISTERS = 125;

export interface ReadBlock<V extends PlannedRegister = PlannedRegister> {
  function: 3 | 4;
  /** First register (0-based protocol address). */
  start: number;
  count: number;
  /** The variables inside this block, by address. */
  variables: V[];
}

export interface PlanOptions {
  /** Filler registers allowed between the end of one value and the start of the next. */
  maxGap: number;
  /** Largest read the device accepts; capped at 125. */
  maxRegisters: number;
}

/** Coalesces variables into reads, one function code per read, never splitting a value across two reads. */
export function planReads<V extends PlannedRegister>(variables: V[], opts: PlanOptions): ReadBlock<V>[] {
  const limit = Math.min(opts.maxRegisters, MAX_READ_REGISTERS);
  const sorted = [...variables].sort((a, b) => a.function - b.function || a.register - b.register);
  const blocks: ReadBlock<V>[] = [];
  let current: ReadBlock<V> | undefined;
  for (const v of sorted) {
    const size = registerCount(v.type, v.length);
    if (size > limit) {
      throw new RackpowerError('CONFIG', `${v.name} spans ${size} registers, more than one read of ${limit} can carry`);
    }
    const end = v.register + size;
    if (current && current.function === v.function) {
      const currentEnd = current.start + current.count;
      const gap = v.register - currentEnd; // negative when values overlap, which merges for free
      const mergedCount = Math.max(end, currentEnd) - current.start;
      if (gap <= opts.maxGap && mergedCount <= limit) {
        current.count = mergedCount;
        current.variables.push(v);
        continue;
      }
    }
    current = { function: v.function, start: v.register, count: size, variables: [v] };
    blocks.push(current);
  }
  return blocks;
}
