// What a numeric NUT variable measures, read from its name, and NUT's unit for it: the one unit table behind the
// CLI's output, Discover's preview, the node status, Home Assistant's units and device classes, Prometheus' base units
// and the plausibility limits, so they never disagree.
import type { Value } from '../types';

export type Quantity =
  | 'voltage' // V
  | 'current' // A
  | 'realpower' // W
  | 'power' // VA (NUT's `power` is apparent power)
  | 'reactivepower' // var
  | 'powerfactor' // 0-1
  | 'frequency' // Hz
  | 'energy' // kWh, a counter
  | 'stored' // Wh a battery holds (rackpower's battery.capacity.measured), not a counter
  | 'temperature' // °C
  | 'humidity' // %
  | 'charge' // battery %
  | 'percent' // % of something (load, efficiency, power.percent)
  | 'duration'; // s

// The segment that names the quantity. Read from the end, so `output.power.percent` is a percentage and
// `input.voltage.low.warning` a voltage; `input.transfer.low` and `.high` are NUT's transfer voltages.
const SEGMENTS: Record<string, Quantity> = {
  voltage: 'voltage',
  transfer: 'voltage',
  current: 'current',
  realpower: 'realpower',
  power: 'power',
  reactivepower: 'reactivepower',
  powerfactor: 'powerfactor',
  frequency: 'frequency',
  energy: 'energy',
  temperature: 'temperature',
  humidity: 'humidity',
  charge: 'charge',
  load: 'percent',
  efficiency: 'percent',
  percent: 'percent',
  runtime: 'duration',
  // rackpower's battery truth (docs/messages.md): battery.health, battery.runtime.error, battery.measured.confidence.
  health: 'percent',
  error: 'percent',
  confidence: 'percent',
  uptime: 'duration',
  delay: 'duration',
  timer: 'duration',
  interval: 'duration',
};

/** NUT's unit per quantity (docs/messages.md); '' for the power factor, a ratio 0-1. */
export const NUT_UNITS: Record<Quantity, string> = {
  voltage: 'V',
  current: 'A',
  realpower: 'W',
  power: 'VA',
  reactivepower: 'var',
  powerfactor: '',
  frequency: 'Hz',
  energy: 'kWh',
  stored: 'Wh',
  temperature: '°C',
  humidity: '%',
  charge: '%',
  percent: '%',
  duration: 's',
};

/** Trailing segments that still describe a live measurement, not a setting (`input.energy.import`, `battery.runtime.measured`). */
const LIVE_QUALIFIERS = new Set(['import', 'export', 'measured']);

export interface Measure {
  quantity: Quantity;
  /**
   * A threshold, rating or delay (`input.voltage.nominal`, `battery.charge.low`, `ups.delay.shutdown`) rather than a
   * reading: the quantity segment is followed by a qualifier.
   */
  setting: boolean;
}

/**
 * The quantity of a numeric variable, given its name (instance numbers may stay: `outlet.3.current`; integrations
 * pass the base name of src/integrations/names.ts); undefined if unknown.
 */
export function measureOf(base: string): Measure | undefined {
  // NUT's own battery.capacity is in Ah; rackpower's measured one is the energy the battery holds, Wh.
  if (base === 'battery.capacity.measured') return { quantity: 'stored', setting: false };
  const parts = base.split('.');
  for (let i = parts.length - 1; i >= 0; i--) {
    const quantity = SEGMENTS[parts[i]];
    if (!quantity) continue;
    const after = parts.slice(i + 1);
    // Of the durations only the battery runtime is a reading; uptime only grows, delays and timers are settings.
    const live = after.every((p) => LIVE_QUALIFIERS.has(p));
    const setting = quantity === 'duration' ? parts[i] !== 'runtime' || !live : !live;
    return { quantity, setting };
  }
  return undefined;
}

/** The unit of a NUT variable's value as people read it: '' for text and for names that say nothing of one. */
export function unitOf(name: string, value: Value): string {
  if (typeof value !== 'number') return '';
  const measure = measureOf(name);
  return measure ? NUT_UNITS[measure.quantity] : '';
}

/**
 * A total that a device also splits into import and export (Eastron's "total active energy" beside import and
 * export): outputs publish the total, `X.import` would be the same value again for a rack that only draws.
 */
export function redundantVariable(name: string, seen: { has(name: string): boolean }): boolean {
  return name.endsWith('.import') && seen.has(name.slice(0, -'.import'.length));
}
