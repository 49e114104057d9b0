// Raw device numbers ⇄ NUT values. `decodeValue` is what the poller applies; `encodeValue` is its exact inverse,
// used by the simulator so it encodes values the way the real device does.
import type { Transform } from '../profiles/types';
import type { Value } from '../types';

const FAHRENHEIT_OFFSET = 32;

/** Applies a profile transform to one raw value; undefined means "absent, do not publish". */
export function decodeValue(raw: number | string, t: Transform): Value | undefined {
  if (typeof raw === 'string') {
    if (t.enum) return lookupEnum(raw, t.enum);
    return raw;
  }
  if (!Number.isFinite(raw)) return undefined;
  if (t.invalid?.includes(raw)) return undefined;
  if (t.negativeInvalid && raw < 0) return undefined;
  if (t.zeroInvalid && raw === 0) return undefined;
  if (t.enum) return lookupEnum(String(raw), t.enum);
  let value = raw * (t.scale ?? 1) + (t.offset ?? 0);
  value = convertUnit(value, t.convert);
  return round(value, t.decimals);
}

function lookupEnum(key: string, map: Record<string, string>): string | undefined {
  return Object.prototype.hasOwnProperty.call(map, key) ? map[key] : undefined;
}

/** A device's unit → NUT's (minutes → s, °F → °C, ...): the one place such a conversion is written. */
export function convertUnit(value: number, convert: Transform['convert']): number {
  switch (convert) {
    case 'timeticks-to-s':
      return value / 100;
    case 'minutes-to-s':
      return value * 60;
    case 'fahrenheit-to-celsius':
      return ((value - FAHRENHEIT_OFFSET) * 5) / 9;
    case 'kilo':
      return value * 1000;
    case 'milli':
      return value / 1000;
    default:
      return value;
  }
}

/** NUT's unit → the device's: the inverse of convertUnit (the simulator's wire values). */
export function unconvertUnit(value: number, convert: Transform['convert']): number {
  switch (convert) {
    case 'timeticks-to-s':
      return value * 100;
    case 'minutes-to-s':
      return value / 60;
    case 'fahrenheit-to-celsius':
      return (value * 9) / 5 + FAHRENHEIT_OFFSET;
    case 'kilo':
      return value / 1000;
    case 'milli':
      return value * 1000;
    default:
      return value;
  }
}

/** 10 ** n for the usual numbers of places, worked out once: every value of every poll is rounded. */
const POW10 = Array.from({ length: 16 }, (_, n) => 10 ** n);

/** Rounds away binary floating-point noise (0.1 × 2232 = 223.20000000000002). */
export function round(value: number, decimals?: number): number {
  const places = decimals ?? 6;
  const factor = POW10[places] ?? 10 ** places;
  return Math.round(value * factor) / factor;
}

/**
 * The raw number a device would send for a NUT value: inverse of decodeValue. For enums the value is the text and
 * the first key mapping to it is returned. Integers are rounded unless the transform keeps fractions.
 */
export function encodeValue(value: Value, t: Transform, integer = true): number | string {
  if (t.enum) {
    const key = Object.keys(t.enum).find((k) => t.enum![k] === value);
    if (key === undefined) throw new Error(`value "${value}" is not in the enum`);
    return /^-?\d+$/.test(key) ? Number(key) : key;
  }
  if (typeof value === 'string') return value;
  const unscaled = (unconvertUnit(value, t.convert) - (t.offset ?? 0)) / (t.scale ?? 1);
  // toPrecision first: 0.35 / 0.1 is 3.4999999999999996, which a device would send as 4.
  return integer ? Math.round(Number(unscaled.toPrecision(12))) : unscaled;
}
