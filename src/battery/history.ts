// Discharge recording: every stretch a UPS spends on battery, with load, charge and battery voltage at the poll
// rate, kept as a bounded history that is plain JSON (the caller saves it: Node-RED context, the CLI's state file).
//
// A discharge is split into segments wherever polls are missing for longer than the gap limit: within a segment the
// energy delivered (load integrated over time) and the charge drop are both known; across a gap neither is, so the
// gap is left out of both rather than guessed.
import { statusTokens } from '../normalize/nut';
import type { Values } from '../types';

export type DischargeSource = 'outage' | 'test' | 'calibration';

export interface Segment {
  /** Epoch ms of the first and last poll of the segment. */
  start: number;
  end: number;
  /** battery.charge (%) at those polls. */
  startCharge: number;
  endCharge: number;
  /** Energy delivered to the load between them, Wh. */
  energyWh: number;
}

/** [seconds since the discharge began, load W, charge %, battery V or null]. */
export type Sample = [number, number, number, number | null];

export interface Discharge {
  /** Epoch ms of the first and last poll on battery. */
  start: number;
  end: number;
  source: DischargeSource;
  segments: Segment[];
  /** The battery ran out: the UPS switched its output off after low battery. Its last segment ends at charge 0. */
  full: boolean;
  /** The polls, thinned to at most MAX_SAMPLES (for plots and audits; the model uses the segments). */
  samples: Sample[];
}

interface Active extends Discharge {
  lowBattery: boolean;
  /** Load at the last poll, W (the start of the next trapezoid). */
  lastW: number;
}

export interface BatteryHistory {
  version: 1;
  /** Oldest first, at most MAX_DISCHARGES. */
  discharges: Discharge[];
  /** A discharge in progress (saved too: a restart in the middle of an outage continues it). */
  active?: Active;
}

export const MAX_DISCHARGES = 24;
const MAX_SAMPLES = 240;
/** A discharge shorter than this with less charge used is a blip (a transfer test), not worth keeping. */
const MIN_KEEP_S = 20;
const MIN_KEEP_DROP = 1;

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** The UPS's output load in W: real power, or load % of the nominal real power. */
export function loadWatts(values: Values): number | undefined {
  const w = num(values['output.realpower']) ?? num(values['ups.realpower']);
  // No UPS carries a megawatt: such a reading is garbage, not a load.
  if (w !== undefined) return w >= 0 && w < 1_000_000 ? w : undefined;
  const pct = num(values['ups.load']);
  const nominal = num(values['ups.realpower.nominal']) ?? num(values['output.realpower.nominal']);
  return pct !== undefined && nominal !== undefined && pct >= 0 && nominal > 0 ? (pct / 100) * nominal : undefined;
}

/** Whether the battery feeds the load now (on battery, or discharging during a test on line). */
export function discharging(values: Values): boolean {
  const tokens = statusTokens(values['ups.status']);
  return tokens.includes('OB') || (tokens.includes('DISCHRG') && !tokens.includes('CHRG'));
}

/**
 * Why a discharge began, as far as the UPS tells: calibrating (CAL), a test (on battery while the mains are fine,
 * between the transfer points or within 15 % of nominal), else an outage.
 */
function sourceOf(values: Values): DischargeSource {
  if (statusTokens(values['ups.status']).includes('CAL')) return 'calibration';
  const v = num(values['input.voltage']);
  const nominal = num(values['input.voltage.nominal']);
  const low = num(values['input.transfer.low']) ?? (nominal !== undefined ? nominal * 0.85 : undefined);
  const high = num(values['input.transfer.high']) ?? (nominal !== undefined ? nominal * 1.15 : undefined);
  return v !== undefined && low !== undefined && high !== undefined && v > low && v < high ? 'test' : 'outage';
}

const finite = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);

function isSegment(s: unknown): s is Segment {
  const g = s as Segment;
  return typeof g === 'object' && g !== null && [g.start, g.end, g.startCharge, g.endCharge, g.energyWh].every(finite) && g.end >= g.start && g.energyWh >= 0;
}

function isDischarge(d: unknown): d is Discharge {
  const x = d as Discharge;
  return (
    typeof x === 'object' &&
    x !== null &&
    finite(x.start) &&
    finite(x.end) &&
    Array.isArray(x.segments) &&
    x.segments.length > 0 &&
    x.segments.every(isSegment) &&
    Array.isArray(x.samples) &&
    ['outage', 'test', 'calibration'].includes(x.source)
  );
}

/**
 * The history from saved state, keeping only well-formed discharges (state files are edited, context stores get
 * corrupted): a damaged entry is dropped rather than fed to the model. Anything unreadable gives an empty history.
 */
export function restoreHistory(value: unknown): BatteryHistory {
  const h = value as BatteryHistory | undefined;
  if (typeof h !== 'object' || h === null || h.version !== 1 || !Array.isArray(h.discharges)) return { version: 1, discharges: [] };
  const history: BatteryHistory = { version: 1, discharges: h.discharges.filter(isDischarge).slice(-MAX_DISCHARGES) };
  const active = h.active;
  if (isDischarge(active) && finite(active.lastW) && typeof active.lowBattery === 'boolean') history.active = active;
  return history;
}

export class DischargeRecorder {
  /** Source to give discharges that begin while it is set (a battery test or calibration someone started). */
  pending: DischargeSource | undefined;

  constructor(
    readonly history: BatteryHistory,
    /** Polls further apart than this are not bridged, ms. */
    private readonly maxGapMs: number,
  ) {}

  get active(): Discharge | undefined {
    return this.history.active;
  }

  /** Records one poll; returns the discharge that ended with it, if one did. */
  observe(t: number, values: Values): Discharge | undefined {
    const active = this.history.active;
    if (active && t === active.end) return undefined;
    if (!discharging(values)) return active ? this.finish(t, values) : undefined;
    const w = loadWatts(values);
    const charge = num(values['battery.charge']);
    // A poll without load or charge is a missing poll: the next good one decides whether the gap is bridged.
    if (w === undefined || charge === undefined || charge < 0 || charge > 100) return undefined;
    const voltage = num(values['battery.voltage']) ?? null;
    const low = statusTokens(values['ups.status']).includes('LB');
    if (!active) {
      this.history.active = {
        start: t,
        end: t,
        source: this.pending ?? sourceOf(values),
        segments: [{ start: t, end: t, startCharge: charge, endCharge: charge, energyWh: 0 }],
        full: false,
        samples: [[0, round(w), charge, voltage]],
        lowBattery: low,
        lastW: w,
      };
      this.pending = undefined;
      return undefined;
    }
    const segment = active.segments[active.segments.length - 1];
    // A gap, or a clock stepped back: a new segment, nothing bridged.
    if (t - active.end > this.maxGapMs || t < active.end) {
      active.segments.push({ start: t, end: t, startCharge: charge, endCharge: charge, energyWh: 0 });
    } else {
      segment.energyWh += ((active.lastW + w) / 2) * ((t - active.end) / 3_600_000);
      segment.end = t;
      segment.endCharge = charge;
    }
    active.end = t;
    active.lastW = w;
    active.lowBattery ||= low;
    active.samples.push([Math.round((t - active.start) / 1000), round(w), charge, voltage]);
    // Thin by half when full: the shape of a long discharge survives, the history stays small.
    if (active.samples.length > MAX_SAMPLES) active.samples = active.samples.filter((_, i) => i % 2 === 0 || i === active.samples.length - 1);
    return undefined;
  }

  private finish(t: number, values: Values): Discharge | undefined {
    const active = this.history.active!;
    this.history.active = undefined;
    const { lowBattery, lastW, ...discharge } = active;
    // Ran out: the UPS is off now, after low battery, within one gap of the last poll. The battery emptied somewhere
    // between that poll and this one: count half the interval at the last load.
    const off = statusTokens(values['ups.status']).includes('OFF') || num(values['output.voltage']) === 0;
    if (lowBattery && off && t - active.end <= this.maxGapMs) {
      const last = discharge.segments[discharge.segments.length - 1];
      const half = (t - active.end) / 2;
      last.energyWh += (lastW * half) / 3_600_000;
      last.end += half;
      last.endCharge = 0;
      discharge.end = last.end;
      discharge.full = true;
    }
    const seconds = (discharge.end - discharge.start) / 1000;
    const drop = discharge.segments.reduce((sum, s) => sum + s.startCharge - s.endCharge, 0);
    if (seconds < MIN_KEEP_S && drop < MIN_KEEP_DROP) return undefined;
    this.history.discharges.push(discharge);
    if (this.history.discharges.length > MAX_DISCHARGES) this.history.discharges.splice(0, this.history.discharges.length - MAX_DISCHARGES);
    return discharge;
  }
}

function round(w: number): number {
  return Math.round(w * 10) / 10;
}
