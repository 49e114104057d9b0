// Facts about NUT's vocabulary that the engine needs: which variables hold text, and what ups.status tokens mean.
import type { StatusFlags, Values } from '../types';

// NUT publishes these suffixes as text; every other variable is a number in NUT units.
const TEXT_SUFFIXES = new Set([
  'status', 'name', 'mfr', 'model', 'serial', 'firmware', 'id', 'desc', 'description', 'location', 'contact',
  'type', 'date', 'alarm', 'version', 'part', 'macaddr', 'result', 'switchable', 'present', 'reason', 'mode',
  'designator', 'color', 'phase', 'aux', 'sensitivity', 'beeper', 'source', 'feed', 'preferred',
  // USB ids as usbhid-ups publishes them ("0764", "051d"): hex text, never numbers.
  'vendorid', 'productid',
]);

// Names already judged. Asked for per value of every Modbus poll; the names may come from a device (a hostile upsd
// can send endless new ones), so only the first MAX_REMEMBERED are kept.
const textNames = new Map<string, boolean>();
const MAX_REMEMBERED = 4096;

export function isTextVariable(name: string): boolean {
  let text = textNames.get(name);
  if (text === undefined) {
    const last = name.slice(name.lastIndexOf('.') + 1);
    text = name === 'ups.beeper.status' || name === 'battery.charger.status' || TEXT_SUFFIXES.has(last);
    if (textNames.size < MAX_REMEMBERED) textNames.set(name, text);
  }
  return text;
}

/** Splits `ups.status` into its tokens, tolerating doubled spaces and unknown tokens. */
export function statusTokens(status: unknown): string[] {
  return typeof status === 'string' ? status.split(/\s+/u).filter(Boolean) : [];
}

/** Joins tokens from several sources, first occurrence kept, in NUT's usual order (power source first). */
export function joinStatus(parts: string[]): string {
  // The usual poll: one source with one token ("OL"), which is its own join.
  if (parts.length === 1 && !/\s/u.test(parts[0])) return parts[0];
  const seen: string[] = [];
  for (const token of parts.flatMap(statusTokens)) if (!seen.includes(token)) seen.push(token);
  return seen.join(' ');
}

export function statusFlags(values: Values): StatusFlags {
  const t = new Set(statusTokens(values['ups.status']));
  return {
    online: t.has('OL'),
    onBattery: t.has('OB'),
    lowBattery: t.has('LB'),
    replaceBattery: t.has('RB'),
    charging: t.has('CHRG'),
    discharging: t.has('DISCHRG'),
    bypass: t.has('BYPASS'),
    overload: t.has('OVER'),
    off: t.has('OFF'),
    calibrating: t.has('CAL'),
    trim: t.has('TRIM'),
    boost: t.has('BOOST'),
    forcedShutdown: t.has('FSD'),
  };
}
