// A calibration discharge, planned and stopped with care: it runs the battery down on purpose so rackpower can
// measure it, which leaves the load with less runtime if the mains fail meanwhile. So it starts only on line with a
// full battery and a sensible load, and stops at a charge floor, at a runtime floor, at low battery, or at once when
// the mains fail (the real outage then gets what is left).
import { statusTokens } from '../normalize/nut';
import type { Values } from '../types';
import { loadWatts } from './history';

export interface CalibrationLimits {
  /** Stop when battery.charge falls to this, % (default 50: half the battery stays for a real outage). */
  floorPct: number;
  /** Stop when the runtime (measured, else the UPS's) falls to this, s (default 600). */
  minRuntimeS: number;
  /** Start only with at least this charge, % (default 95). */
  startChargePct: number;
}

export const DEFAULT_LIMITS: CalibrationLimits = { floorPct: 50, minRuntimeS: 600, startChargePct: 95 };

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Why a calibration must not start now; empty when it may. */
export function refusals(values: Values, limits: CalibrationLimits = DEFAULT_LIMITS): string[] {
  const tokens = statusTokens(values['ups.status']);
  const why: string[] = [];
  if (!tokens.includes('OL') || tokens.includes('OB')) why.push(`the UPS is not on line (ups.status ${String(values['ups.status'] ?? 'unknown')})`);
  for (const token of ['LB', 'RB', 'OVER', 'BYPASS', 'FSD', 'CAL']) if (tokens.includes(token)) why.push(`ups.status has ${token}`);
  const charge = num(values['battery.charge']);
  if (charge === undefined) why.push('the UPS reports no battery.charge: the discharge could not be stopped at a floor');
  else if (charge < limits.startChargePct) why.push(`battery.charge ${charge} % is below ${limits.startChargePct} %: let it charge first`);
  const load = loadWatts(values);
  if (load === undefined) why.push('the UPS reports no load: the discharge would teach nothing');
  else if (load <= 0) why.push('the UPS carries no load: the discharge would teach nothing');
  const runtime = num(values['battery.runtime.measured']) ?? num(values['battery.runtime']);
  if (runtime !== undefined && runtime > 0 && runtime <= limits.minRuntimeS * 1.5) why.push(`runtime ${runtime} s leaves too little above the ${limits.minRuntimeS} s floor`);
  return why;
}

/** Why a running calibration must stop now, or undefined to let it run. */
export function stopReason(values: Values, limits: CalibrationLimits = DEFAULT_LIMITS): string | undefined {
  const tokens = statusTokens(values['ups.status']);
  if (tokens.includes('LB')) return 'low battery';
  const v = num(values['input.voltage']);
  const nominal = num(values['input.voltage.nominal']);
  const low = num(values['input.transfer.low']) ?? (nominal !== undefined ? nominal * 0.85 : undefined);
  if (v !== undefined && low !== undefined && v <= low) return `the mains failed (input.voltage ${v} V): the real outage gets what is left`;
  const charge = num(values['battery.charge']);
  if (charge === undefined) return 'battery.charge is no longer reported';
  if (charge <= limits.floorPct) return `battery.charge ${charge} % reached the ${limits.floorPct} % floor`;
  const runtime = num(values['battery.runtime.measured']) ?? num(values['battery.runtime']);
  if (runtime !== undefined && runtime > 0 && runtime <= limits.minRuntimeS) return `runtime ${runtime} s reached the ${limits.minRuntimeS} s floor`;
  return undefined;
}
