// Some UPS-MIB agents report upsOutputSource none(2), which reads as OFF, while the UPS plainly carries its load.
// The measurements of the same poll decide: an output with voltage on it is not off. Then the input says whether
// the load is fed from the line (OL) or from the battery (OB); without an input reading nothing replaces OFF.
import { statusTokens } from './nut';
import type { Values } from '../types';

const OUTPUT_VOLTAGE = /^output(\.L\d(-N)?)?\.voltage$/u;
const INPUT_VOLTAGE = /^input(\.L\d(-N)?)?\.voltage$/u;

/** The largest reading among the values named like `pattern` (output.voltage, output.L1-N.voltage ...). */
function largest(values: Values, pattern: RegExp): number | undefined {
  let max: number | undefined;
  for (const [name, value] of Object.entries(values)) {
    if (typeof value === 'number' && pattern.test(name) && (max === undefined || value > max)) max = value;
  }
  return max;
}

/**
 * The status parts with OFF dropped when the output carries voltage; OL or OB added from the input when no power
 * source token is left. OFF with BYPASS stays: the inverter may well be off while the bypass feeds the load.
 */
export function liveOutputStatus(parts: string[], valuesOrLater: Values | (() => Values)): string[] {
  // Every poll comes here and OFF is rare: no token split when no part even contains the letters.
  if (!parts.some((p) => p.includes('OFF'))) return parts;
  const tokens = parts.flatMap(statusTokens);
  if (!tokens.includes('OFF') || tokens.includes('BYPASS')) return parts;
  // A reader may hand the values over only when they are needed: OFF is rare.
  const values = typeof valuesOrLater === 'function' ? valuesOrLater() : valuesOrLater;
  if (!((largest(values, OUTPUT_VOLTAGE) ?? 0) > 0)) return parts;
  const kept = tokens.filter((t) => t !== 'OFF');
  if (!kept.includes('OL') && !kept.includes('OB')) {
    const input = largest(values, INPUT_VOLTAGE);
    if (input !== undefined) kept.unshift(input > 0 ? 'OL' : 'OB');
  }
  return kept;
}
