// What a simulated device puts on the wire besides its NUT values: which model value a profile name stands for
// (a single-phase model read through per-phase names, a lone probe read through device-wide names) and the values of
// the helper OIDs a profile reads to interpret other values (decimal digits, exponent, unit, presence, type, label).
// Every choice here is checked by reading it back with the real reader (test/recordings/sim-every-profile.test.ts).
import type { ExponentFrom, PresentIf, UnitFrom } from '../profiles/types';
import type { Values } from '../types';

/** `input.L1-N.voltage`, `output.L1.current`, `input.bypass.L1-N.voltage`: line 1 of a single-phase model. */
const LINE_ONE = /^(input|output|input\.bypass)\.L1(?:-N)?\.(.+)$/u;
/** `ambient.temperature` (a device-wide probe, mUpsEnviron, ENVIROSENSOR): the model's first probe. */
const DEVICE_AMBIENT = /^ambient\.([a-z].*)$/u;
/** `outlet.3.desc`: what the outlet is labelled, the model's outlet name. */
const OUTLET_DESC = /^outlet\.(\d+)\.desc$/u;

/**
 * The model key a profile name reads: the name itself, or the value it stands for on this model (line 1 of a
 * single-phase unit, probe 1 as the device's probe, an outlet's name as its label). Undefined when the model has
 * no such value (the OID is then not served).
 */
export function modelKey(values: Values, name: string): string | undefined {
  if (values[name] !== undefined) return name;
  let m = LINE_ONE.exec(name);
  if (m && values[`${m[1]}.${m[2]}`] !== undefined) return `${m[1]}.${m[2]}`;
  m = DEVICE_AMBIENT.exec(name);
  if (m && values[`ambient.1.${m[1]}`] !== undefined) return `ambient.1.${m[1]}`;
  m = OUTLET_DESC.exec(name);
  if (m && values[`outlet.${m[1]}.name`] !== undefined) return `outlet.${m[1]}.name`;
  return undefined;
}

/** The model's value for a profile name (see modelKey). */
export function modelValue(values: Values, name: string): Values[string] | undefined {
  const key = modelKey(values, name);
  return key === undefined ? undefined : values[key];
}

/**
 * Decimal digits a device reports for a quantity (Raritan `*SensorDecimalDigits`, ENTITY-SENSOR precision): as many
 * as the model keeps, so the value reads back unrounded; whole watts and watt-hours, as PX2 cards report them.
 */
const DIGITS: ReadonlyArray<[RegExp, number]> = [
  [/\.(realpower|power|energy)(\.|$)/u, 0],
  [/\.(current|powerfactor)(\.|$)/u, 2],
];
export function digitsFor(name: string): number {
  return DIGITS.find(([pattern]) => pattern.test(name))?.[1] ?? 1;
}

/** The exponent code meaning "units" (ENTITY-SENSOR `units(9)`), else the one closest to it; 0 without a map. */
export function exponentCode(e: ExponentFrom): number | string {
  if (!e.map) return 0;
  const [key] = Object.entries(e.map).sort(([, a], [, b]) => Math.abs(a) - Math.abs(b))[0] ?? ['0'];
  return raw(key);
}

/**
 * The unit setting a device reports: the profile's Fahrenheit code, the one value whose meaning the profile states
 * (a Celsius code is only "anything else"), so the temperature goes on the wire in °F and reads back in °C.
 */
export function unitCode(u: UnitFrom): number | string {
  return raw(u.fahrenheit[0] ?? '0');
}

/**
 * A present row's presence flag: the first listed value; with only values meaning "absent" (`not`), the code below
 * the lowest of them when they are positive (EATON-SENSOR 2 yes / 3 no), else 1 (Geist `…Avail` 1).
 */
export function presentCode(p: PresentIf): number | string {
  if (p.values?.length) return raw(p.values[0]);
  const not = (p.not ?? []).map(Number);
  const lowest = Math.min(...not);
  if (not.length && not.every((n) => Number.isInteger(n) && n > 0) && lowest > 1) return lowest - 1;
  let code = 1;
  while (not.includes(code)) code++;
  return code;
}

/** Line labels tried for a label column (`indexFrom`), one group per physical line: wye first, then the bare line. */
const LINES: readonly (readonly string[])[] = [
  ['L1-N', 'L1', '1'],
  ['L2-N', 'L2', '2'],
  ['L3-N', 'L3', '3'],
  ['N'],
];
const LABEL_SHAPES: ReadonlyArray<(line: string) => string> = [(l) => `AA:${l}`, (l) => l];

/**
 * The labels of a label column whose pattern yields `{i}` (ServerTech `AA:L1-N`): per physical line, the first
 * spelling the pattern accepts and `wanted` says the model has values for, with the label text that yields it.
 */
export function lineLabels(pattern: string, wanted: (line: string) => boolean): Array<{ line: string; label: string }> {
  const re = new RegExp(pattern, 'u');
  const out: Array<{ line: string; label: string }> = [];
  for (const group of LINES) {
    for (const line of group) {
      const label = LABEL_SHAPES.map((shape) => shape(line)).find((text) => re.exec(text)?.[1] === line);
      if (label !== undefined && wanted(line)) {
        out.push({ line, label });
        break;
      }
    }
  }
  return out;
}

/** A helper's raw value as a device sends it: numbers as INTEGER, anything else as text. */
export function raw(text: string): number | string {
  return /^-?\d+$/u.test(text) ? Number(text) : text;
}
