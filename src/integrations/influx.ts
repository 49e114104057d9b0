// rackpower readings and events → InfluxDB line protocol (the text InfluxDB 1.x `/write` and 2.x `/api/v2/write`
// take). One measurement per device kind (`rackpower_ups` ...), tags for the device and the instance (outlet,
// phase, sensor, group, input: names.ts), NUT names without the instance as field keys, numbers always as floats
// (an integer field once written as float would refuse the next write), nanosecond timestamps.
import type { DeviceEvent, DeviceIdentity, Values } from '../types';
import { stableId } from './devices';
import { INSTANCE_LABELS, splitName } from './names';

export const MEASUREMENT_PREFIX = 'rackpower_';

// Line protocol escaping (InfluxDB docs, "Special characters"): each element has its own set of characters to
// escape with a backslash. Names take other backslashes literally, except one right before a comma, equals sign,
// space or the end, which InfluxDB reads as an escape (1.x refuses the line): those become '/'. Tags and keys cannot
// hold line breaks at all: they become spaces.
const literal = (s: string): string => s.replace(/[\r\n]+/gu, ' ').replace(/\\+(?=[,= ]|$)/gu, (m) => '/'.repeat(m.length));
export const escapeMeasurement = (s: string): string => literal(s).replace(/[, ]/gu, (c) => `\\${c}`);
export const escapeKey = (s: string): string => literal(s).replace(/[,= ]/gu, (c) => `\\${c}`);
export const escapeString = (s: string): string => `"${s.replace(/[\\"]/gu, (c) => `\\${c}`)}"`;

/** Epoch milliseconds → nanoseconds as text: past 2^53, so BigInt keeps the digits exact. */
export const nanoseconds = (ms: number): string => (BigInt(Math.round(ms)) * 1_000_000n).toString();

function line(measurement: string, tags: Record<string, string>, fields: Record<string, number | string>, ms: number): string | undefined {
  const fieldText = Object.entries(fields)
    .filter(([, v]) => typeof v === 'string' || Number.isFinite(v))
    // A number without a suffix is a float (only `230i` would be an integer); exponents are valid too.
    .map(([k, v]) => `${escapeKey(k)}=${typeof v === 'number' ? String(v) : escapeString(v)}`);
  if (!fieldText.length) return undefined;
  // Sorted tag keys: what InfluxDB stores anyway, and the order it parses fastest.
  const tagText = Object.keys(tags)
    .filter((k) => tags[k] !== '')
    .sort()
    .map((k) => `,${escapeKey(k)}=${escapeKey(tags[k])}`)
    .join('');
  return `${escapeMeasurement(measurement)}${tagText} ${fieldText.join(',')} ${nanoseconds(ms)}`;
}

/** The body's type for InfluxDB's write endpoints (msg.headers of the http request node). */
export const CONTENT_TYPE = 'text/plain; charset=utf-8';

/**
 * NUT variables that only say who the device is: tags of every line (identity), not string fields on every point.
 * One value per device, so they add no series (a firmware upgrade starts new ones: worth seeing).
 */
const IDENTITY_VARIABLES = new Set(['device.mfr', 'ups.mfr', 'device.model', 'ups.model', 'device.serial', 'ups.serial', 'device.firmware', 'ups.firmware', 'device.type']);

/** The device's identity as tags: its name, its stable id (devices.ts) and what the profile identified. */
export function identityTags(device: DeviceIdentity): Record<string, string> {
  return {
    device: device.name,
    device_id: stableId(device),
    manufacturer: device.manufacturer ?? '',
    model: device.model ?? '',
    serial: device.serial ?? '',
    firmware: device.firmware ?? '',
  };
}

/** The label a device gives an outlet or probe (outlet.N.name, ambient.N.name), as an extra tag. */
function instanceNames(values: Values): Map<string, string> {
  const names = new Map<string, string>();
  for (const [name, value] of Object.entries(values)) {
    if (typeof value !== 'string' || !value.trim()) continue;
    const { base, labels } = splitName(name);
    if (base === 'outlet.name' && labels.outlet) names.set(`outlet=${labels.outlet}`, value);
    if (base === 'ambient.name' && labels.sensor) names.set(`sensor=${labels.sensor}`, value);
  }
  return names;
}

/** One line per instance (the device itself, each outlet, phase, probe ...) of one reading. */
export function readingLines(device: DeviceIdentity, values: Values, timestamp: number): string[] {
  const names = instanceNames(values);
  const identity = identityTags(device);
  const groups = new Map<string, { tags: Record<string, string>; fields: Record<string, number | string> }>();
  for (const [name, value] of Object.entries(values)) {
    const { base, labels } = splitName(name);
    // Names are tags of their outlet's or probe's line, not fields.
    if ((base === 'outlet.name' && labels.outlet) || (base === 'ambient.name' && labels.sensor) || IDENTITY_VARIABLES.has(name)) continue;
    const tags: Record<string, string> = { ...identity };
    for (const l of INSTANCE_LABELS) if (labels[l] !== undefined) tags[l] = labels[l]!;
    if (labels.outlet) tags.outlet_name = names.get(`outlet=${labels.outlet}`) ?? '';
    if (labels.sensor) tags.sensor_name = names.get(`sensor=${labels.sensor}`) ?? '';
    const key = JSON.stringify(tags);
    const group = groups.get(key) ?? { tags, fields: {} };
    group.fields[base] = value;
    groups.set(key, group);
  }
  const measurement = `${MEASUREMENT_PREFIX}${device.kind}`;
  return [...groups.values()].flatMap((g) => line(measurement, g.tags, g.fields, timestamp) ?? []);
}

/** An event as a point of its own measurement, for annotations ("ONBATT at 14:02"). */
export function eventLine(event: DeviceEvent): string {
  const fields: Record<string, string> = { message: event.message };
  if (event.previous !== undefined) fields.previous = event.previous;
  if (event.current !== undefined) fields.current = event.current;
  if (event.error) fields.error = `${event.error.code}: ${event.error.message}`;
  return line(`${MEASUREMENT_PREFIX}event`, { device: event.device.name, device_id: stableId(event.device), kind: event.device.kind, event: event.event }, fields, event.timestamp)!;
}
