// What changed since the last reported reading, with per-variable deadbands so a wobbling 229.9/230.1 V does not
// count as a change. Compared against the last *reported* value, so a slow drift is still reported once it adds up.
import type { Change, Values } from '../types';

/** Keys are NUT names or patterns with `*` for one or more name parts (`*.voltage`, `outlet.*.current`). */
export type Deadbands = Record<string, number>;

export const DEFAULT_DEADBANDS: Deadbands = {
  '*.voltage': 1,
  '*.frequency': 0.2,
  '*.current': 0.1,
  '*.realpower': 5,
  '*.power': 5,
  '*.powerfactor': 0.02,
  '*.temperature': 0.5,
  '*.humidity': 1,
  '*.energy': 0.1,
  'battery.runtime': 60,
  'battery.voltage': 0.2,
  'ups.load': 2,
  // Uptime grows every poll; a reboot shows up as ups.status/COMM events, not as a reading change.
  'device.uptime': Number.POSITIVE_INFINITY,
};

/** A NUT name or a pattern with `*` standing for one or more characters. */
export function namePattern(pattern: string): RegExp {
  const escaped = pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/gu, '\\$&'));
  return new RegExp(`^${escaped.join('.+')}$`, 'u');
}

export class ChangeTracker {
  private readonly exact = new Map<string, number>();
  private readonly patterns: [RegExp, number][] = [];
  private readonly cache = new Map<string, number>();
  private reported: Values | undefined;

  constructor(deadbands: Deadbands = DEFAULT_DEADBANDS) {
    for (const [key, band] of Object.entries(deadbands)) {
      if (key.includes('*')) this.patterns.push([namePattern(key), band]);
      else this.exact.set(key, band);
    }
  }

  deadband(name: string): number {
    let band = this.exact.get(name) ?? this.cache.get(name);
    if (band === undefined) {
      band = this.patterns.find(([re]) => re.test(name))?.[1] ?? 0;
      this.cache.set(name, band);
    }
    return band;
  }

  /** Changes of `values` against the last reported reading; all values count as changed the first time. */
  diff(values: Values): Record<string, Change> {
    const changes: Record<string, Change> = {};
    const before = this.reported ?? {};
    for (const [name, to] of Object.entries(values)) {
      const from = before[name];
      if (from === to) continue;
      if (typeof from === 'number' && typeof to === 'number' && Math.abs(to - from) < this.deadband(name)) continue;
      // An infinite deadband means "never a change on its own" (uptime): still reported on the first reading.
      if (from !== undefined && this.deadband(name) === Number.POSITIVE_INFINITY) continue;
      changes[name] = { from, to };
    }
    for (const name of Object.keys(before)) if (!(name in values)) changes[name] = { from: before[name], to: undefined };
    return changes;
  }

  /** Marks these changes as reported: later diffs compare against them. */
  commit(values: Values, changes: Record<string, Change>): void {
    const next: Values = { ...(this.reported ?? {}) };
    for (const [name, c] of Object.entries(changes)) {
      if (c.to === undefined) delete next[name];
      else next[name] = values[name];
    }
    this.reported = next;
  }
}
