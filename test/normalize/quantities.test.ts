// The one unit table for NUT names (src/normalize/quantities.ts): what each name measures and NUT's unit for it, and
// that the CLI's output, Discover's preview, the device node status and Home Assistant all show that same unit.
import { describe, expect, it } from 'vitest';
import { formatValues } from '../../src/cli/format';
import { entitySpecs } from '../../src/integrations/ha-entities';
import { NUT_UNITS, measureOf, unitOf } from '../../src/normalize/quantities';
import type { Values } from '../../src/types';
import { preview } from '../../nodes/lib/discover';
import { summary } from '../../nodes/lib/status';

const UNITS: [name: string, unit: string][] = [
  ['input.voltage', 'V'],
  ['input.voltage.nominal', 'V'],
  ['input.transfer.low', 'V'],
  ['input.L1-N.voltage', 'V'],
  ['outlet.3.current', 'A'],
  ['input.realpower', 'W'],
  ['ups.power', 'VA'],
  ['output.power.percent', '%'],
  ['input.reactivepower', 'var'],
  ['input.powerfactor', ''],
  ['input.frequency', 'Hz'],
  ['input.energy', 'kWh'],
  ['input.energy.import', 'kWh'],
  ['battery.capacity.measured', 'Wh'],
  ['ambient.1.temperature', '°C'],
  ['ambient.humidity', '%'],
  ['battery.charge', '%'],
  ['battery.charge.low', '%'],
  ['ups.load', '%'],
  ['battery.runtime', 's'],
  ['battery.runtime.low', 's'],
  ['ups.delay.shutdown', 's'],
  ['ups.timer.reboot', 's'],
  ['device.uptime', 's'],
  ['outlet.count', ''],
  ['battery.capacity', ''],
];

describe('NUT units', () => {
  it.each(UNITS)('%s is in "%s"', (name, unit) => {
    expect(unitOf(name, 1)).toBe(unit);
  });

  it('text has no unit, whatever its name', () => {
    expect(unitOf('input.transfer.reason', 'blackout')).toBe('');
    expect(unitOf('input.voltage', '230')).toBe('');
  });

  it('gives every quantity a unit entry, and settings the unit of their reading', () => {
    expect(measureOf('input.voltage.nominal')).toEqual({ quantity: 'voltage', setting: true });
    expect(measureOf('ambient.1.temperature')).toEqual({ quantity: 'temperature', setting: false });
    expect(Object.keys(NUT_UNITS).sort()).toEqual(
      ['charge', 'current', 'duration', 'energy', 'frequency', 'humidity', 'percent', 'power', 'powerfactor', 'reactivepower', 'realpower', 'stored', 'temperature', 'voltage'],
    );
  });
});

describe('every output shows the table\'s unit', () => {
  const values: Values = Object.fromEntries(UNITS.map(([name], i) => [name, i + 1]));

  it('the CLI', () => {
    const shown = new Map(formatValues(values).split('\n').map((l) => [l.split(/\s+/u)[0], l.split(/\s+/u).slice(1).join(' ')]));
    for (const [name, unit] of UNITS) expect(shown.get(name), name).toBe(`${values[name]}${unit ? ` ${unit}` : ''}`);
    expect(formatValues({ 'input.transfer.reason': 'blackout' })).toBe('input.transfer.reason  blackout');
  });

  it('Discover\'s preview', () => {
    for (const p of preview('ups', values)) expect(p.unit, p.name).toBe(unitOf(p.name, p.value));
    expect(preview('meter', { 'input.energy': 12.5, 'input.voltage': 230 })).toEqual([
      { name: 'input.voltage', value: 230, unit: 'V' },
      { name: 'input.energy', value: 12.5, unit: 'kWh' },
    ]);
  });

  it('the device node status', () => {
    const t = (key: string): string => key;
    expect(summary('meter', { 'input.voltage': 230, 'input.realpower': 120, 'input.energy': 1234.5 }, t)).toBe('230 V · 120 W · 1234.5 kWh');
    expect(summary('sensor', { 'ambient.1.temperature': 23.54, 'ambient.1.humidity': 41 }, t)).toBe('23.5 °C · 41 %');
  });

  it('Home Assistant', () => {
    const specs = entitySpecs('ups', UNITS.map(([name]) => name), values, { event: 'e', command: 'c' });
    for (const [name, unit] of UNITS) {
      const spec = specs.find((s) => s.key === name);
      if (!spec || spec.platform !== 'sensor') continue;
      expect(spec.unit_of_measurement, name).toBe(unit || undefined);
    }
    expect(specs.find((s) => s.key === 'input.energy')).toMatchObject({ device_class: 'energy', unit_of_measurement: 'kWh', state_class: 'total_increasing' });
  });
});
