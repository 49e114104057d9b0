// The Prometheus exposition on real demo readings: names and base units, labels, status flags, up and events,
// removal, escaping, and Prometheus' own linter (promtool check metrics, Debian package prometheus) on the page.
// @module-tag peer: promtool
import { beforeAll, describe, expect, it } from 'vitest';
import type { Input } from '../../src/integrations/input';
import { MetricsRegistry, variableMetric } from '../../src/integrations/prometheus';
import type { Reading } from '../../src/types';
import { demoReadings, event } from './helpers/demo';
import { promtoolCheck } from './helpers/peers';

let demo: Record<string, Reading>;
beforeAll(async () => {
  demo = await demoReadings();
});

const reading = (r: Reading): Input => ({ type: 'reading', ...r });
const lines = (page: string, metric: string) => page.split('\n').filter((l) => l.startsWith(`${metric}{`));
const all = (): MetricsRegistry => {
  const registry = new MetricsRegistry();
  for (const r of Object.values(demo)) registry.handle(reading(r));
  return registry;
};

describe('names and units', () => {
  it.each([
    ['input.voltage', 230, 'rackpower_input_voltage_volts', {}, 230],
    ['input.L1-N.voltage', 231, 'rackpower_input_voltage_volts', { phase: 'L1-N' }, 231],
    ['outlet.3.current', 0.9, 'rackpower_outlet_current_amperes', { outlet: '3' }, 0.9],
    ['outlet.group.2.realpower', 400, 'rackpower_outlet_group_realpower_watts', { group: '2' }, 400],
    ['input.power', 1570, 'rackpower_input_power_volt_amperes', {}, 1570],
    ['input.reactivepower', 414.7, 'rackpower_input_reactivepower_volt_amperes_reactive', {}, 414.7],
    ['input.powerfactor', 0.95, 'rackpower_input_powerfactor_ratio', {}, 0.95],
    ['battery.charge', 100, 'rackpower_battery_charge_ratio', {}, 1],
    ['ups.load', 49, 'rackpower_ups_load_ratio', {}, 0.49],
    ['output.L2.power.percent', 12, 'rackpower_output_power_ratio', { phase: 'L2' }, 0.12],
    ['ambient.1.humidity', 39.8, 'rackpower_ambient_humidity_ratio', { sensor: '1' }, 0.398],
    ['ambient.2.temperature', 22.5, 'rackpower_ambient_temperature_celsius', { sensor: '2' }, 22.5],
    ['battery.runtime', 1440, 'rackpower_battery_runtime_seconds', {}, 1440],
    ['input.frequency', 50, 'rackpower_input_frequency_hertz', {}, 50],
    ['input.transfer.low', 170, 'rackpower_input_transfer_low_volts', {}, 170],
    ['input.3.current', 2.5, 'rackpower_input_current_amperes', { input: '3' }, 2.5],
    ['outlet.count', 8, 'rackpower_outlets', {}, 8],
    ['battery.packs', 2, 'rackpower_battery_packs', {}, 2],
  ])('%s → %s', (name, value, metric, labels, expected) => {
    expect(variableMetric(name, value)).toMatchObject({ name: metric, type: 'gauge', labels, value: expected });
  });

  it('counts energy in joules as a _total counter', () => {
    expect(variableMetric('input.energy', 4487)).toMatchObject({ name: 'rackpower_input_energy_joules_total', type: 'counter', value: 4487 * 3.6e6 });
    expect(variableMetric('outlet.2.energy', 0.001)).toMatchObject({ name: 'rackpower_outlet_energy_joules_total', labels: { outlet: '2' }, value: 3600 });
    expect(variableMetric('input.energy.import', 1)).toMatchObject({ name: 'rackpower_input_energy_import_joules_total', type: 'counter' });
  });

  it('leaves text to the dedicated series', () => {
    expect(variableMetric('ups.status', 'OL')).toBeUndefined();
  });
});

describe('the scrape page', () => {
  it('shows the demo rack with identity, up, flags, outlets and probes', () => {
    const page = all().render();
    expect(lines(page, 'rackpower_device_info')).toContain(
      'rackpower_device_info{device="rack PDU",device_id="APC_SIM-PDU_8_SIM22276329",kind="pdu",profile="apc-rpdu2",manufacturer="APC",model="SIM-PDU 8",serial="SIM22276329",firmware="v6.9.6"} 1',
    );
    expect(lines(page, 'rackpower_device_up')).toHaveLength(4);
    expect(lines(page, 'rackpower_input_voltage_volts')).toContain('rackpower_input_voltage_volts{device="rack UPS",device_id="rack_UPS"} 230');
    expect(lines(page, 'rackpower_battery_charge_ratio')).toEqual(['rackpower_battery_charge_ratio{device="rack UPS",device_id="rack_UPS"} 1']);
    expect(lines(page, 'rackpower_outlet_current_amperes')).toHaveLength(8);
    expect(lines(page, 'rackpower_outlet_current_amperes')[0]).toBe('rackpower_outlet_current_amperes{device="rack PDU",device_id="APC_SIM-PDU_8_SIM22276329",outlet="1"} 0.5');
    expect(lines(page, 'rackpower_outlet_info')[0]).toBe('rackpower_outlet_info{device="rack PDU",device_id="APC_SIM-PDU_8_SIM22276329",outlet="1",name="web-01"} 1');
    expect(lines(page, 'rackpower_outlet_on')).toContain('rackpower_outlet_on{device="rack PDU",device_id="APC_SIM-PDU_8_SIM22276329",outlet="8"} 1');
    expect(lines(page, 'rackpower_ambient_temperature_celsius')).toEqual([
      expect.stringMatching(/^rackpower_ambient_temperature_celsius\{device="rack PDU",device_id="APC_SIM-PDU_8_SIM22276329",sensor="1"\} [\d.]+$/),
      expect.stringMatching(/^rackpower_ambient_temperature_celsius\{device="rack sensor",device_id="rack_sensor",sensor="1"\} [\d.]+$/),
    ]);
    expect(lines(page, 'rackpower_sensor_info')).toEqual(['rackpower_sensor_info{device="rack PDU",device_id="APC_SIM-PDU_8_SIM22276329",sensor="1",name="Rack inlet"} 1']);
    expect(lines(page, 'rackpower_ups_status')).toContain('rackpower_ups_status{device="rack UPS",device_id="rack_UPS",flag="OL"} 1');
    expect(lines(page, 'rackpower_ups_status')).toContain('rackpower_ups_status{device="rack UPS",device_id="rack_UPS",flag="OB"} 0');
    expect(page).toContain('# TYPE rackpower_input_energy_joules_total counter\n');
    expect(lines(page, 'rackpower_input_energy_joules_total')).toContain(`rackpower_input_energy_joules_total{device="rack PDU",device_id="APC_SIM-PDU_8_SIM22276329"} ${4487 * 3.6e6}`);
    expect(lines(page, 'rackpower_last_reading_timestamp_seconds')[0]).toBe(`rackpower_last_reading_timestamp_seconds{device="rack UPS",device_id="rack_UPS"} ${demo.ups.timestamp / 1000}`);
  });

  it('labels every series with a device_id that survives a rename (serial-based where there is a serial)', () => {
    const before = new MetricsRegistry();
    before.handle(reading(demo.pdu));
    const after = new MetricsRegistry();
    after.handle(reading({ ...demo.pdu, device: { ...demo.pdu.device, name: 'row 3 PDU' } }));
    const ids = (page: string) => new Set(page.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => /device_id="([^"]*)"/u.exec(l)?.[1]));
    expect(ids(before.render())).toEqual(new Set(['APC_SIM-PDU_8_SIM22276329']));
    expect(ids(after.render())).toEqual(new Set(['APC_SIM-PDU_8_SIM22276329']));
  });

  it('starts events_total at 0 for every event the device kind can raise, before any happened', () => {
    const page = all().render();
    const ups = lines(page, 'rackpower_events_total').filter((l) => l.includes('device="rack UPS"'));
    for (const e of ['ONBATT', 'ONLINE', 'LOWBATT', 'REPLBATT', 'COMMBAD', 'COMMOK', 'NOCOMM']) expect(ups).toContain(`rackpower_events_total{device="rack UPS",device_id="rack_UPS",event="${e}"} 0`);
    const pdu = lines(page, 'rackpower_events_total').filter((l) => l.includes('device="rack PDU"'));
    expect(pdu.map((l) => /event="(\w+)"/u.exec(l)![1]).sort()).toEqual(['COMMBAD', 'COMMOK', 'NOCOMM']);
  });

  it('one energy series per counter: no import series beside the total it repeats', () => {
    const page = all().render();
    const meter = (metric: string) => lines(page, metric).filter((l) => l.includes('device="rack meter"'));
    expect(meter('rackpower_input_energy_joules_total')).toHaveLength(1);
    expect(page).not.toContain('rackpower_input_energy_import_joules_total');
    expect(meter('rackpower_input_energy_export_joules_total')).toHaveLength(1);
  });

  it('exports when the device booted instead of an ever-growing uptime', () => {
    const registry = new MetricsRegistry();
    registry.handle(reading({ ...demo.pdu, values: { ...demo.pdu.values, 'device.uptime': 3600 }, timestamp: 1_700_000_000_000 }));
    const page = registry.render();
    expect(page).not.toContain('rackpower_device_uptime');
    expect(page).toContain('# TYPE rackpower_device_boot_time_seconds gauge');
    expect(lines(page, 'rackpower_device_boot_time_seconds')).toEqual(['rackpower_device_boot_time_seconds{device="rack PDU",device_id="APC_SIM-PDU_8_SIM22276329"} 1699996400']);
  });

  it('keeps each family together under one HELP and TYPE', () => {
    const page = all().render();
    const names = page.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.slice(0, l.indexOf('{')));
    const runs = names.filter((n, i) => n !== names[i - 1]);
    expect(new Set(runs).size).toBe(runs.length);
    for (const name of new Set(names)) {
      expect(page.split('\n').filter((l) => l === `# TYPE ${name} gauge` || l === `# TYPE ${name} counter`)).toHaveLength(1);
    }
  });

  it('counts events, and drops the values (not the identity) of a device that stopped answering', () => {
    const registry = all();
    registry.handle({ type: 'event', event: event(demo.ups, 'ONBATT') });
    registry.handle({ type: 'event', event: event(demo.ups, 'COMMBAD') });
    const page = registry.render();
    const ups = lines(page, 'rackpower_events_total').filter((l) => l.includes('device="rack UPS"'));
    expect(ups).toContain('rackpower_events_total{device="rack UPS",device_id="rack_UPS",event="ONBATT"} 1');
    expect(ups).toContain('rackpower_events_total{device="rack UPS",device_id="rack_UPS",event="COMMBAD"} 1');
    expect(ups).toContain('rackpower_events_total{device="rack UPS",device_id="rack_UPS",event="LOWBATT"} 0');
    expect(lines(page, 'rackpower_device_up')).toContain('rackpower_device_up{device="rack UPS",device_id="rack_UPS"} 0');
    expect(lines(page, 'rackpower_battery_charge_ratio')).toEqual([]);
    expect(lines(page, 'rackpower_device_info').some((l) => l.includes('device="rack UPS"'))).toBe(true);
    registry.handle({ type: 'event', event: event(demo.ups, 'COMMOK') });
    registry.handle(reading(demo.ups));
    expect(lines(registry.render(), 'rackpower_battery_charge_ratio')).toHaveLength(1);
  });

  it('removes every series of a device that is gone', () => {
    const registry = new MetricsRegistry();
    registry.handle(reading(demo.ups), 0);
    registry.handle(reading(demo.pdu), 50_000);
    registry.expire(60_000, 60_000);
    expect(registry.render()).not.toContain('device="rack UPS"');
    expect(registry.render()).toContain('device="rack PDU"');
    registry.remove('rack PDU');
    expect(registry.render()).toBe('');
  });

  it('escapes awkward device and outlet names', () => {
    const registry = new MetricsRegistry();
    const name = 'rack "A" \\ row,1 = left\nside';
    registry.handle(reading({ ...demo.pdu, device: { ...demo.pdu.device, name }, values: { ...demo.pdu.values, 'outlet.1.name': 'db "primary"' } }));
    const page = registry.render();
    expect(page).toContain('rackpower_input_voltage_volts{device="rack \\"A\\" \\\\ row,1 = left\\nside",device_id="APC_SIM-PDU_8_SIM22276329"} 230');
    expect(page).toContain('name="db \\"primary\\""');
  });

  it('passes promtool check metrics, awkward names included', () => {
    const registry = all();
    registry.handle(reading({ ...demo.pdu, device: { ...demo.pdu.device, name: 'rack "B", row=2' }, values: { ...demo.pdu.values, 'outlet.1.name': 'a,b=c "d"' } }));
    registry.handle({ type: 'event', event: event(demo.ups, 'ONBATT') });
    const page = registry.render();
    const result = promtoolCheck(page);
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });
});
