// Human-readable output of the CLI: aligned tables, units from NUT's vocabulary.
import { unitOf } from '../normalize/quantities';
import type { DeviceIdentity, Values } from '../types';

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
  return table(sortNames(Object.keys(values)).map((k) => [k, `${values[k]}${unitOf(k, values[k]) ? ' ' + unitOf(k, values[k]) : ''}`]));
}
