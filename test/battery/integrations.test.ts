// What the measured values and energy counters become in Prometheus and Home Assistant.
import { describe, expect, it } from 'vitest';
import { entitySpecs } from '../../src/integrations/ha-entities';
import { variableMetric } from '../../src/integrations/prometheus';

const values = {
  'ups.status': 'OL',
  'ups.energy': 12.345,
  'output.energy': 11.5,
  'outlet.3.energy': 0.25,
  'outlet.3.name': 'db-01',
  'battery.runtime': 540,
  'battery.runtime.measured': 360,
  'battery.capacity.measured': 165.5,
  'battery.health': 67,
  'battery.runtime.error': 50,
  'battery.measured.confidence': 92,
};

describe('battery truth and energy in the integrations', () => {
  it('exports energy as _joules_total counters and the learned values as gauges in base units', () => {
    expect(variableMetric('ups.energy', 12.345)).toMatchObject({ name: 'rackpower_ups_energy_joules_total', type: 'counter', value: 44_442_000 });
    expect(variableMetric('output.energy', 11.5)).toMatchObject({ name: 'rackpower_output_energy_joules_total', type: 'counter' });
    expect(variableMetric('outlet.3.energy', 0.25)).toMatchObject({ name: 'rackpower_outlet_energy_joules_total', type: 'counter', labels: { outlet: '3' }, value: 900_000 });
    expect(variableMetric('battery.runtime.measured', 360)).toMatchObject({ name: 'rackpower_battery_runtime_measured_seconds', type: 'gauge', value: 360 });
    expect(variableMetric('battery.health', 67)).toMatchObject({ name: 'rackpower_battery_health_ratio', value: 0.67 });
    expect(variableMetric('battery.runtime.error', 50)).toMatchObject({ name: 'rackpower_battery_runtime_error_ratio', value: 0.5 });
    expect(variableMetric('battery.capacity.measured', 165.5)).toMatchObject({ name: 'rackpower_battery_capacity_measured_joules', type: 'gauge', value: 595_800 });
    expect(variableMetric('battery.measured.confidence', 92)).toMatchObject({ name: 'rackpower_battery_measured_confidence_ratio', value: 0.92 });
  });

  it('gives Home Assistant energy sensors that only grow, and measured battery sensors', () => {
    const specs = entitySpecs('ups', Object.keys(values), values, { event: 'e', command: 'c' });
    const by = (key: string) => specs.find((s) => s.key === key);
    for (const key of ['ups.energy', 'output.energy', 'outlet.3.energy']) {
      expect(by(key), key).toMatchObject({ platform: 'sensor', device_class: 'energy', unit_of_measurement: 'kWh', state_class: 'total_increasing' });
    }
    expect(by('outlet.3.energy')?.name).toBe('Outlet db-01 energy');
    expect(by('battery.runtime.measured')).toMatchObject({ name: 'Measured battery runtime', device_class: 'duration', unit_of_measurement: 's', state_class: 'measurement' });
    expect(by('battery.runtime.measured')?.entity_category).toBeUndefined();
    expect(by('battery.health')).toMatchObject({ name: 'Battery health', unit_of_measurement: '%', state_class: 'measurement' });
    expect(by('battery.runtime.error')).toMatchObject({ unit_of_measurement: '%', state_class: 'measurement' });
    expect(by('battery.capacity.measured')).toMatchObject({ device_class: 'energy_storage', unit_of_measurement: 'Wh', state_class: 'measurement' });
  });
});
