// Energy counters the device does not keep: `ups.energy`, `output.energy`, `input.energy`, `outlet.N.energy` in kWh,
// integrated from the real power it reports (trapezoids between polls). A gap longer than a few poll intervals is not
// bridged (nobody knows what was drawn meanwhile), a counter the device keeps itself is never replaced, and the
// counters only ever grow: their state is saved and restored, so a restart never makes them go backwards.
import type { Values } from '../types';

/** `<prefix>.realpower` → `<prefix>.energy`, for the prefixes whose energy NUT names (or extends in its style). */
const POWER_NAME = /^(ups|output|input|outlet\.\d+)\.realpower$/u;

export interface EnergyState {
  version: 1;
  /** kWh per variable name (`ups.energy`). */
  counters: Record<string, number>;
  /** The last power sample each counter integrated from: epoch ms and W. */
  last: Record<string, { t: number; w: number }>;
}

export interface EnergyOptions {
  /** The device's poll interval, ms. */
  intervalMs: number;
  /** A gap between readings longer than this many intervals is not bridged (default 3). */
  maxGapIntervals?: number;
}

/** Real power beyond this is a wrong reading, not a load (no rack feed carries 1 MW). */
const MAX_W = 1_000_000;

export class EnergyCounters {
  private readonly state: EnergyState;

  constructor(
    private readonly options: EnergyOptions,
    restored?: unknown,
  ) {
    this.state = isEnergyState(restored) ? restored : { version: 1, counters: {}, last: {} };
  }

  private get maxGapMs(): number {
    return this.options.intervalMs * (this.options.maxGapIntervals ?? 3);
  }

  /** Integrates one reading and returns the counters to publish (kWh, 3 decimals: one Wh) for the powers it carries. */
  observe(t: number, values: Values): Values {
    const out: Values = {};
    for (const [name, value] of Object.entries(values)) {
      const match = POWER_NAME.exec(name);
      if (!match) continue;
      const counter = `${match[1]}.energy`;
      // The device counts itself (a PDU's or meter's own kWh register): its counter is the truth.
      if (values[counter] !== undefined) continue;
      const w = typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= MAX_W ? value : undefined;
      const last = this.state.last[counter];
      if (w === undefined) continue;
      let kWh = this.state.counters[counter] ?? 0;
      if (last && t > last.t && t - last.t <= this.maxGapMs) kWh += ((last.w + w) / 2) * ((t - last.t) / 3_600_000_000);
      // A repeated reading adds nothing; a clock stepped back is a gap (nothing counted, counting resumes from here).
      if (!last || t !== last.t) this.state.last[counter] = { t, w };
      this.state.counters[counter] = kWh;
      // Whole Wh, rounded down (less a hair for binary fractions: 0.3 must not read 0.299).
      out[counter] = Math.floor(kWh * 1000 + 1e-6) / 1000;
    }
    return out;
  }

  /** What to save to survive a restart (a plain JSON object). */
  snapshot(): EnergyState {
    return this.state;
  }
}

function isEnergyState(value: unknown): value is EnergyState {
  const s = value as EnergyState | undefined;
  return (
    typeof s === 'object' &&
    s !== null &&
    s.version === 1 &&
    typeof s.counters === 'object' &&
    typeof s.last === 'object' &&
    Object.values(s.counters).every((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0)
  );
}
