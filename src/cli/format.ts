// Human-readable output of the CLI: aligned tables, units from NUT's vocabulary.
import type { DeviceIdentity, Values } from '../types';

const UNITS: [RegExp, string][] = [
  [/\.voltage(\.nominal)?$/u, 'V'],
  [/\.current(\.nominal)?$/u, 'A'],
  [/\.realpower(\.nominal)?$/u, 'W'],
  [/\.power(\.nominal)?$/u, 'VA'],
  [/\.reactivepower$/u, 'var'],
  [/\.frequency(\.nominal)?$/u, 'Hz'],
  [/\.temperature$/u, '°C'],
  [/\.humidity$/u, '%'],
  [/^battery\.charge/u, '%'],
  [/^ups\.load$/u, '%'],
  [/\.runtime(\.low)?$|\.uptime$|\.delay\.|\.timer\./u, 's'],
  [/\.energy(\.import|\.export)?$/u, 'kWh'],
];

export function unitOf(name: string): string {
  return UNITS.find(([re]) => re.test(name))?.[1] ?? '';
}

export function table(rows: [string, string][]): string {
  const width = Math.max(0, ...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}

/** NUT order: natural sort so outlet.2 comes before outlet.10. */
export function sortNames(names: string[]): string[] {
  return names.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

export function formatIdentity(d: DeviceIdentity): string {
  return table([
    ['device', d.name],
    ['kind', d.kind],
    ['profile', d.profile],
    ['manufacturer', d.manufacturer ?? '-'],
    ['model', d.model ?? '-'],
    ['serial', d.serial ?? '-'],
    ['firmware', d.firmware ?? '-'],
    ['address', d.address],
  ]);
}

export function formatValues(values: Values): string {
  return table(sortNames(Object.keys(values)).map((k) => [k, `${values[k]}${unitOf(k) ? ' ' + unitOf(k) : ''}`]));
}
