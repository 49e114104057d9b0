// Scaling a value by helper OIDs the device serves beside it (decimal digits, an exponent code, a temperature unit):
// shared by the SNMP reader, which reads the helpers, and the simulator, which serves them.
import type { TypedValue } from '../protocol/snmp/client';
import type { Scaling, Transform } from '../profiles/types';
import { numberOf } from './value-class';

/**
 * The transform of one value once its helpers are known: digits and exponent fold into `scale`, a Fahrenheit unit
 * becomes the °F → °C conversion. Undefined when a helper the value needs says it cannot be read (unknown exponent).
 */
export function applyScaling(def: Transform & Scaling, helper: (oid: string) => TypedValue | undefined): Transform | undefined {
  if (!def.decimalsFrom && !def.exponentFrom && !def.unitFrom) return def;
  let power = 0;
  if (def.decimalsFrom) {
    const digits = helper(def.decimalsFrom);
    const n = digits ? numberOf(digits) : 0;
    if (!Number.isInteger(n)) return undefined;
    power -= n;
  }
  if (def.exponentFrom) {
    const got = helper(def.exponentFrom.oid);
    if (!got) return undefined;
    const key = String(got.value);
    const map = def.exponentFrom.map;
    const n = map ? (Object.prototype.hasOwnProperty.call(map, key) ? map[key] : NaN) : numberOf(got);
    if (!Number.isInteger(n)) return undefined;
    power += n;
  }
  const out: Transform = { ...def };
  if (power) out.scale = Number(((def.scale ?? 1) * 10 ** power).toPrecision(12));
  let fahrenheit = false;
  if (def.unitFrom) {
    const unit = helper(def.unitFrom.oid);
    fahrenheit = unit !== undefined && def.unitFrom.fahrenheit.includes(String(unit.value));
    if (fahrenheit) out.convert = 'fahrenheit-to-celsius';
  }
  // Digits read from the device also say how many places are meaningful (one more once converted from °F).
  if (def.decimals === undefined && power < 0) out.decimals = Math.min(6, -power + (fahrenheit ? 1 : 0));
  return out;
}
