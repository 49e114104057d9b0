// The learned battery model: a Peukert-style power law t = K / P^n for the time a full battery lasts at a steady
// load P, fitted to the recorded discharges. A partial discharge says as much as a full one, scaled: a segment that
// used Δc % of the charge in D seconds at an average load P means a full battery would last D × 100 / Δc seconds at P.
//
// In logs the law is a line, ln t = ln K − n ln P, fitted by weighted least squares. Each discharge's weight is the
// inverse of its variance: the charge reads in whole percent, so a small drop is uncertain (1 / Δc), plus a floor
// for what the law does not capture. With every discharge at much the same load, n cannot be told from the data, so
// it is held near a prior (typical lead-acid) by a penalty that the data overrule once loads differ.
import type { Discharge } from './history';

/** Prior load exponent and how far (one standard deviation) the data are allowed to move it cheaply. */
const PRIOR_N = 1.1;
const PRIOR_N_SD = 0.15;
const MIN_N = 1;
const MAX_N = 1.6;
/** Relative error floor per discharge: what the law and the UPS's charge scale get wrong even with a big drop. */
const MODEL_FLOOR = 0.03;
/** A discharge that used less charge than this says too little (the charge reads in whole percent). */
export const MIN_DROP = 3;

/** One discharge reduced to what the fit uses. */
export interface Point {
  /** Average load, W. */
  loadW: number;
  /** Seconds a full battery lasts at that load. */
  fullS: number;
  /** Charge used, % (full discharges: down to 0). */
  drop: number;
  /** Relative standard error of fullS. */
  error: number;
}

export interface BatteryModel {
  /** t = k / P^n: t in s, P in W. */
  k: number;
  n: number;
  points: number;
  /** Charge used over all the discharges, %. */
  drop: number;
  /** Load range seen, W. */
  minW: number;
  maxW: number;
  /** For the prediction's error: ln-space mean load, the intercept's and the exponent's variances. */
  meanLnW: number;
  varMean: number;
  varN: number;
}

export interface Prediction {
  /** Seconds a full battery lasts at the load. */
  fullS: number;
  /** Relative standard error of the prediction (0.05 = 5 %). */
  error: number;
}

/** A discharge's summary, or undefined when it used too little charge to say anything. */
export function toPoint(d: Discharge): Point | undefined {
  let energyWh = 0;
  let seconds = 0;
  let drop = 0;
  for (const s of d.segments) {
    energyWh += s.energyWh;
    seconds += (s.end - s.start) / 1000;
    drop += s.startCharge - s.endCharge;
  }
  if (drop < MIN_DROP || seconds <= 0 || energyWh <= 0) return undefined;
  return { loadW: (energyWh * 3600) / seconds, fullS: (seconds * 100) / drop, drop, error: Math.hypot(1 / drop, MODEL_FLOOR) };
}

/** Fits the law to the discharges; undefined when none says enough. */
export function fit(discharges: readonly Discharge[]): BatteryModel | undefined {
  const points = discharges.map(toPoint).filter((p): p is Point => p !== undefined);
  if (!points.length) return undefined;
  const w = points.map((p) => 1 / p.error ** 2);
  const x = points.map((p) => Math.log(p.loadW));
  const y = points.map((p) => Math.log(p.fullS));
  const sw = w.reduce((a, b) => a + b, 0);
  const mx = w.reduce((a, wi, i) => a + wi * x[i], 0) / sw;
  const my = w.reduce((a, wi, i) => a + wi * y[i], 0) / sw;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < points.length; i++) {
    sxx += w[i] * (x[i] - mx) ** 2;
    sxy += w[i] * (x[i] - mx) * (y[i] - my);
  }
  const prior = 1 / PRIOR_N_SD ** 2;
  // Minimises Σ w (y − ln k + n x)² + prior (n − PRIOR_N)²: the slope is −n.
  const n = Math.min(MAX_N, Math.max(MIN_N, (prior * PRIOR_N - sxy) / (sxx + prior)));
  const lnK = my + n * mx;
  // Scatter beyond what the weights expect (a UPS whose charge scale wanders) widens the error bars, never narrows.
  let chi2 = 0;
  for (let i = 0; i < points.length; i++) chi2 += w[i] * (y[i] - lnK + n * x[i]) ** 2;
  const dof = points.length - 1;
  const scale = dof > 0 ? Math.max(1, chi2 / dof) : 1;
  return {
    k: Math.exp(lnK),
    n,
    points: points.length,
    drop: points.reduce((a, p) => a + p.drop, 0),
    minW: Math.min(...points.map((p) => p.loadW)),
    maxW: Math.max(...points.map((p) => p.loadW)),
    meanLnW: mx,
    varMean: scale / sw,
    varN: scale / (sxx + prior),
  };
}

/** How long a full battery lasts at `loadW`, and how sure the model is (it grows less sure away from the loads seen). */
export function predict(model: BatteryModel, loadW: number): Prediction {
  const lnW = Math.log(loadW);
  const fullS = model.k / loadW ** model.n;
  const error = Math.sqrt(model.varMean + (lnW - model.meanLnW) ** 2 * model.varN);
  return { fullS, error };
}

/** Confidence in %, from the relative error: 100 at 0, 50 at 25 %, 0 at 50 % or worse. */
export function confidence(error: number): number {
  return Math.max(0, Math.round(100 * (1 - 2 * error)));
}
