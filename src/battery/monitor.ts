// Battery truth for one UPS: records its discharges, learns how long its battery really lasts, and publishes that
// beside the firmware's estimate as NUT-style extensions (docs/messages.md, "Battery truth"). Before the data say
// enough it publishes nothing and says why; a measured health below the threshold raises REPLBATT once.
import { statusTokens } from '../normalize/nut';
import type { Values } from '../types';
import { DischargeRecorder, loadWatts, restoreHistory, type BatteryHistory, type Discharge, type DischargeSource } from './history';
import { MIN_DROP, confidence, fit, predict, toPoint, type BatteryModel } from './model';

export interface BatteryOptions {
  /** The device's poll interval, ms: polls further apart than a few of these are not bridged. */
  intervalMs: number;
  /** REPLBATT when the measured health falls below this, % (default 80: a lead-acid battery's end of life). */
  replaceBelowPct?: number;
  /** Publish learned values only at this confidence or above, % (default 80: a standard error of about 10 %). */
  minConfidence?: number;
  /** Polls missing in a row before a discharge is split rather than bridged (default 3). */
  maxGapIntervals?: number;
}

export interface BatteryState {
  version: 1;
  history: BatteryHistory;
  /** The firmware's rated-battery estimate: full runtime (s) it implied at a load (W), when last seen. */
  vendor?: { fullS: number; loadW: number };
  /** The best the battery has measured (k, n of the law): health compares with it when it beats the firmware. */
  best?: { k: number; n: number };
  /** REPLBATT was raised and health has not recovered since: not raised again (also across restarts). */
  replaceRaised?: boolean;
}

/** Why nothing learned is published yet (or `ready`); `message` is for logs and the CLI, `code` for translations. */
export interface Learning {
  code: 'ready' | 'no-discharge' | 'too-little' | 'uncertain' | 'no-load' | 'no-charge';
  message: string;
  /** %: charge used so far (too-little), confidence (uncertain, ready). */
  value?: number;
}

export interface BatteryObservation {
  /** Values to add to the reading (a device's runtime of 0 or none is replaced by the learned one). */
  values: Values;
  learning: Learning;
  /** Measured health crossed below the threshold with this reading. */
  replace?: { health: number; threshold: number };
}

/** The firmware's estimate says something about the rated battery only with enough charge left (its law is rough low down). */
const VENDOR_MIN_CHARGE = 50;
/** Health must climb this far back above the threshold before REPLBATT can fire again (a new battery, not noise). */
const REARM_POINTS = 5;
/** A fit this uncertain (variance of ln K: 0.1² is ±10 %) cannot set the battery's best. */
const BEST_MAX_VARIANCE = 0.01;
/** A discharge lasting this much longer than predicted, known to ±10 % or better, means a new battery. */
const NEW_BATTERY_RATIO = 1.25;
const NEW_BATTERY_MAX_ERROR = 0.1;

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

export class BatteryMonitor {
  private readonly state: BatteryState;
  private readonly recorder: DischargeRecorder;
  private model: BatteryModel | undefined;

  constructor(
    private readonly options: BatteryOptions,
    restored?: unknown,
  ) {
    const s = restored as Partial<BatteryState> | undefined;
    this.state = { version: 1, history: restoreHistory(s?.history) };
    if (s?.vendor && [s.vendor.fullS, s.vendor.loadW].every((v) => Number.isFinite(v) && v > 0)) this.state.vendor = s.vendor;
    if (s?.best && [s.best.k, s.best.n].every((v) => Number.isFinite(v) && v > 0)) this.state.best = s.best;
    if (s?.replaceRaised === true) this.state.replaceRaised = true;
    this.recorder = new DischargeRecorder(this.state.history, options.intervalMs * (options.maxGapIntervals ?? 3));
    this.refit();
  }

  /** The next discharge is a battery test or calibration someone started, not an outage. */
  expect(source: DischargeSource): void {
    this.recorder.pending = source;
  }

  /** A new battery: the old one's discharges, best and REPLBATT are forgotten (the firmware's reference stays). */
  reset(): void {
    // In place: the recorder holds the same history object.
    this.state.history.discharges = [];
    this.state.history.active = undefined;
    this.state.best = undefined;
    this.state.replaceRaised = false;
    this.model = undefined;
  }

  /** What to save to survive a restart (a plain JSON object). */
  snapshot(): BatteryState {
    return this.state;
  }

  observe(t: number, values: Values): BatteryObservation {
    const ended = this.recorder.observe(t, values);
    // The discharge in progress counts too: an outage teaches the model while it lasts.
    if (ended || this.recorder.active) this.refit(ended);
    const loadW = loadWatts(values);
    const charge = num(values['battery.charge']);
    const vendor = num(values['battery.runtime']);
    if (vendor !== undefined && vendor > 0 && loadW && charge !== undefined && charge >= VENDOR_MIN_CHARGE) {
      this.state.vendor = { fullS: vendor / (charge / 100), loadW };
    }
    const learning = this.learning(loadW, charge);
    if (learning.code !== 'ready' || !this.model || !loadW || charge === undefined) return { values: {}, learning };

    const prediction = predict(this.model, loadW);
    const sure = confidence(prediction.error);
    if (sure < (this.options.minConfidence ?? 80)) {
      return { values: {}, learning: { code: 'uncertain', message: `learning the battery: confidence ${sure} % at ${Math.round(loadW)} W`, value: sure } };
    }
    const runtime = Math.round((prediction.fullS * charge) / 100);
    const out: Values = {
      'battery.runtime.measured': runtime,
      'battery.capacity.measured': Math.round((prediction.fullS * loadW) / 360) / 10,
      'battery.measured.confidence': sure,
    };
    const health = this.health(prediction.fullS, loadW);
    if (health !== undefined) out['battery.health'] = health;
    // The firmware's error, where it says anything: positive = it promises more than the battery holds.
    if (vendor !== undefined && vendor > 0 && runtime > 0) out['battery.runtime.error'] = Math.round(((vendor - runtime) / runtime) * 100);
    // No runtime, or 0 with charge left (and no LB): a firmware that does not estimate. The learned one stands in.
    const lowBattery = statusTokens(values['ups.status']).includes('LB');
    if (vendor === undefined || (vendor === 0 && !lowBattery && charge > 0)) out['battery.runtime'] = runtime;
    const replace = health === undefined ? undefined : this.replaceCheck(health, prediction.error);
    return { values: out, learning: { code: 'ready', message: `battery learned: ${this.model.points} discharge(s), confidence ${sure} %`, value: sure }, replace };
  }

  private refit(ended?: Discharge): void {
    if (ended) this.newBattery(ended);
    const { discharges, active } = this.state.history;
    this.model = fit(active ? [...discharges, active] : discharges);
    // "Best" only from completed discharges and a confident fit: a discharge in progress that has used 3 % of the
    // charge cannot claim a record. Compared at the loads the fit saw.
    const settled = fit(discharges);
    if (!settled || settled.varMean > BEST_MAX_VARIANCE) return;
    const at = Math.exp(settled.meanLnW);
    const best = this.state.best;
    if (!best || settled.k / at ** settled.n > best.k / at ** best.n) this.state.best = { k: settled.k, n: settled.n };
  }

  /**
   * A discharge that lasted far longer than the older ones predict, and says so clearly, is a new battery: the
   * history starts over with it (the old battery's discharges and its best would pull the new one down).
   */
  private newBattery(ended: Discharge): void {
    const point = toPoint(ended);
    const before = fit(this.state.history.discharges.filter((d) => d !== ended));
    if (!point || !before || point.error > NEW_BATTERY_MAX_ERROR) return;
    if (point.fullS < predict(before, point.loadW).fullS * NEW_BATTERY_RATIO) return;
    this.state.history.discharges = [ended];
    this.state.best = undefined;
    this.state.vendor = undefined;
    this.state.replaceRaised = false;
  }

  /**
   * Health (%): the full runtime measured at this load over the reference, the higher of what the firmware's
   * rated-battery estimate implies and the best this battery ever measured. Absent when neither exists.
   */
  private health(fullS: number, loadW: number): number | undefined {
    const n = this.model?.n ?? 1;
    const refs: number[] = [];
    if (this.state.vendor) refs.push(this.state.vendor.fullS * (this.state.vendor.loadW / loadW) ** n);
    if (this.state.best) refs.push(this.state.best.k / loadW ** this.state.best.n);
    if (!refs.length) return undefined;
    return Math.min(100, Math.round((100 * fullS) / Math.max(...refs)));
  }

  /** REPLBATT once the health is below the threshold even at the optimistic end of its error (one standard error). */
  private replaceCheck(health: number, error: number): BatteryObservation['replace'] {
    const threshold = this.options.replaceBelowPct ?? 80;
    if (health >= threshold + REARM_POINTS) this.state.replaceRaised = false;
    if (health * (1 + error) >= threshold || this.state.replaceRaised) return undefined;
    this.state.replaceRaised = true;
    return { health, threshold };
  }

  private learning(loadW: number | undefined, charge: number | undefined): Learning {
    if (loadW === undefined) return { code: 'no-load', message: 'cannot learn the battery: the UPS reports no load (W, or % with a nominal W)' };
    if (charge === undefined) return { code: 'no-charge', message: 'cannot learn the battery: the UPS reports no battery.charge' };
    if (this.model) return { code: 'ready', message: 'battery learned' };
    const { discharges, active } = this.state.history;
    const all = active ? [...discharges, active] : discharges;
    if (!all.length) return { code: 'no-discharge', message: 'learning the battery: no discharge seen yet' };
    const used = Math.max(0, ...all.map((d) => d.segments.reduce((a, s) => a + s.startCharge - s.endCharge, 0)));
    return { code: 'too-little', message: `learning the battery: ${used} % of the charge used so far, ${MIN_DROP} % needed`, value: used };
  }
}
