// Plausibility limits per NUT quantity: a value outside them cannot be a measurement (a sentinel the profile does
// not know, a scaling the firmware changed, a corrupted reply) and is left out rather than published. The limits
// are wide on purpose: big three-phase UPSes, 400 Hz aircraft ground power, battery strings of hundreds of volts
// all pass; a charge of 6553.5 % or a runtime of 45 days does not.
import { measureOf, type Quantity } from './quantities';

const LIMITS: Partial<Record<Quantity, [number, number]>> = {
  voltage: [0, 1000],
  current: [-5000, 5000], // battery.current is negative while discharging
  realpower: [-1e7, 1e7], // meters count exported power as negative
  power: [0, 1e7],
  reactivepower: [-1e7, 1e7],
  powerfactor: [-1.05, 1.05],
  frequency: [0, 500],
  temperature: [-60, 150],
  humidity: [0, 105],
  charge: [0, 105],
  percent: [0, 250], // a UPS in overload reports a load above 100 %
};

/** battery.runtime: at most a week (65535 minutes, a common "unknown", is 45 days). */
const MAX_RUNTIME_S = 7 * 86400;

/**
 * A nominal (rated) frequency is never 0 or a few hertz: AC supplies run from 16.7 Hz (railway) to 400 Hz. A Tripp
 * Lite card reports upsConfigOutputFreq 60 where RFC 1628 counts tenths, which reads as 6 Hz.
 */
const NOMINAL_FREQUENCY: [number, number] = [15, 500];

const cache = new Map<string, [number, number] | null>();

/** The limits of what the NUT variable `name` can be; null when its quantity has none. */
export function limitsOf(name: string): [number, number] | null {
  let limits = cache.get(name);
  if (limits === undefined) {
    const measure = measureOf(name);
    if (measure?.quantity === 'duration') limits = /(^|\.)runtime$/u.test(name) ? [0, MAX_RUNTIME_S] : null;
    else if (measure?.quantity === 'frequency' && name.endsWith('.frequency.nominal')) limits = NOMINAL_FREQUENCY;
    else limits = (measure && LIMITS[measure.quantity]) ?? null;
    cache.set(name, limits);
  }
  return limits;
}

/** True when `value` cannot be what the NUT variable `name` measures. */
export function implausible(name: string, value: number): boolean {
  return outside(value, limitsOf(name));
}

/** True when `value` is not a finite number within `limits` (from limitsOf). */
export function outside(value: number, limits: [number, number] | null): boolean {
  if (!Number.isFinite(value)) return true;
  return limits !== null && (value < limits[0] || value > limits[1]);
}
