// The Home Assistant mapping on real demo readings: discovery configs shaped as HA's device-based discovery wants
// them (ids, default_entity_id, bracket templates, HA NUT names and classes), availability, re-announce, removal.
import { beforeAll, describe, expect, it } from 'vitest';
import { deviceId, entityObjectId, HomeAssistantPublisher, type MqttMessage } from '../../src/integrations/home-assistant';
import type { Input } from '../../src/integrations/input';
import type { Reading } from '../../src/types';
import { demoReadings, event } from './helpers/demo';

let demo: Record<string, Reading>;
beforeAll(async () => {
  demo = await demoReadings();
});

const reading = (r: Reading): Input => ({ type: 'reading', ...r });
type Config = {
  dev: Record<string, unknown>;
  o: Record<string, unknown>;
  cmps: Record<string, Record<string, unknown>>;
  state_topic: string;
  availability: { topic: string }[];
  availability_mode: string;
};
const configOf = (messages: MqttMessage[], id: string): Config => JSON.parse(messages.find((m) => m.topic === `homeassistant/device/${id}/config`)!.payload);
const topics = (messages: MqttMessage[]) => messages.map((m) => m.topic);

describe('discovery configs', () => {
  it('announces the demo UPS as one device with HA NUT names, classes, units and state classes', () => {
    const ha = new HomeAssistantPublisher();
    const out = ha.handle([reading(demo.ups)]);
    const id = 'rackpower_rack_UPS'; // the simulated RFC 1628 UPS reports no serial: its name identifies it
    expect(deviceId(demo.ups.device)).toBe(id);
    expect(topics(out)).toEqual(['rackpower/bridge/status', `homeassistant/device/${id}/config`, 'rackpower/rack_UPS/availability', 'rackpower/rack_UPS']);
    expect(out.every((m) => m.retain)).toBe(true);
    const config = configOf(out, id);
    expect(config.dev).toEqual({ identifiers: [id], name: 'rack UPS', manufacturer: 'Rackpower', model: 'SIM-UPS 3000', sw_version: '2.1.0' });
    expect(config.o).toMatchObject({ name: 'rackpower', sw: expect.any(String) });
    expect(config.state_topic).toBe('rackpower/rack_UPS');
    expect(config.availability).toEqual([{ topic: 'rackpower/bridge/status' }, { topic: 'rackpower/rack_UPS/availability' }]);
    expect(config.availability_mode).toBe('all');
    const c = config.cmps;
    expect(c.battery_charge).toEqual({
      p: 'sensor',
      name: 'Battery charge',
      unique_id: `${id}_battery_charge`,
      default_entity_id: 'sensor.rack_ups_battery_charge',
      value_template: "{{ value_json['battery.charge'] | default(None) }}",
      device_class: 'battery',
      unit_of_measurement: '%',
      state_class: 'measurement',
    });
    expect(c.battery_runtime).toMatchObject({ name: 'Battery runtime', device_class: 'duration', unit_of_measurement: 's' });
    expect(c.input_voltage).toMatchObject({ name: 'Input voltage', device_class: 'voltage', unit_of_measurement: 'V', state_class: 'measurement' });
    expect(c.input_voltage_nominal).toMatchObject({ name: 'Nominal input voltage', entity_category: 'diagnostic' });
    expect(c.input_voltage_nominal).not.toHaveProperty('state_class');
    expect(c.output_current).toMatchObject({ device_class: 'current', unit_of_measurement: 'A' });
    expect(c.input_realpower).toMatchObject({ name: 'Input real power', device_class: 'power', unit_of_measurement: 'W' });
    expect(c.output_power_nominal).toMatchObject({ name: 'Nominal output power', device_class: 'apparent_power', unit_of_measurement: 'VA' });
    expect(c.input_frequency).toMatchObject({ device_class: 'frequency', unit_of_measurement: 'Hz' });
    expect(c.battery_temperature).toMatchObject({ device_class: 'temperature', unit_of_measurement: '°C' });
    expect(c.ups_load).toMatchObject({ name: 'Load', unit_of_measurement: '%', state_class: 'measurement' });
    expect(c.ups_status).toMatchObject({ p: 'sensor', name: 'Status data' });
    expect(c.ups_status_display).toMatchObject({ p: 'sensor', name: 'Status' });
    const binaries = Object.values(c).filter((e) => e.p === 'binary_sensor');
    expect(binaries.map((b) => [b.name, b.device_class])).toEqual([
      ['Online', 'power'],
      ['On battery', undefined],
      ['Low battery', 'battery'],
      ['Replace battery', 'problem'],
      ['Charging', 'battery_charging'],
      ['Overload', 'problem'],
    ]);
    expect(c.ups_status_on_battery.value_template).toBe(
      "{% if value_json['ups.status'] is defined %}{{ 'ON' if 'OB' in value_json['ups.status'].split() else 'OFF' }}{% else %}None{% endif %}",
    );
    expect(c.event).toMatchObject({ p: 'event', state_topic: 'rackpower/rack_UPS/event', event_types: expect.arrayContaining(['ONBATT', 'ONLINE', 'LOWBATT', 'COMMBAD']) });
    // Identity text is on the device card, not entities of its own.
    expect(c).not.toHaveProperty('device_mfr');
    expect(c).not.toHaveProperty('ups_firmware');
  });

  it('keeps every id to [a-zA-Z0-9_-], uses default_entity_id (never object_id) and bracket templates, and never repeats the device name', () => {
    const ha = new HomeAssistantPublisher();
    for (const r of Object.values(demo)) {
      const out = ha.handle([reading(r)]);
      const id = deviceId(r.device);
      expect(id).toMatch(/^[a-zA-Z0-9_-]+$/);
      const config = configOf(out, id);
      for (const [key, e] of Object.entries(config.cmps)) {
        expect(key).toMatch(/^[a-zA-Z0-9_-]+$/);
        expect(e.unique_id).toMatch(/^[a-zA-Z0-9_-]+$/);
        expect(e.unique_id).toBe(`${id}_${key}`);
        expect(e.default_entity_id).toMatch(new RegExp(`^${e.p}\\.[a-z0-9_]+$`));
        expect(e).not.toHaveProperty('object_id');
        expect(String(e.name).toLowerCase().startsWith(r.device.name.toLowerCase())).toBe(false);
        // Dotted NUT names read with attribute access would be value_json.battery.charge: wrong.
        expect(String(e.value_template)).not.toMatch(/value_json\.[a-z]+\.[a-z]/);
      }
    }
  });

  it('never doubles the words where the device name ends and the NUT key starts', () => {
    expect(entityObjectId('rack UPS', 'ups.load')).toBe('rack_ups_load');
    expect(entityObjectId('UPS', 'ups.status.display')).toBe('ups_status_display');
    expect(entityObjectId('rack input', 'input.voltage')).toBe('rack_input_voltage');
    expect(entityObjectId('rack PDU', 'outlet.1.current')).toBe('rack_pdu_outlet_1_current');
    // Never the whole key away: it would collide with the device's other ids.
    expect(entityObjectId('rack ups', 'ups')).toBe('rack_ups_ups');
  });

  it('core entities enabled; nominals, per-phase, battery internals and details disabled as diagnostics', () => {
    const ha = new HomeAssistantPublisher();
    const values = {
      'ups.status': 'OL', 'battery.charge': 90, 'battery.runtime': 1800, 'ups.load': 30, 'input.voltage': 230, 'input.voltage.nominal': 230,
      'battery.voltage': 27, 'ups.delay.shutdown': 20, 'input.L1.current': 3, 'input.current': 3, 'input.realpower': 500,
      'input.reactivepower': 40, 'input.powerfactor': 0.95, 'ambient.1.temperature': 24, 'outlet.count': 8,
    };
    const c = configOf(ha.handle([reading({ ...demo.ups, values })]), 'rackpower_rack_UPS').cmps;
    for (const core of ['battery_charge', 'battery_runtime', 'ups_load', 'input_voltage', 'input_current', 'input_realpower', 'ups_status']) {
      expect(c[core], core).not.toHaveProperty('enabled_by_default');
      expect(c[core], core).not.toHaveProperty('entity_category');
    }
    for (const secondary of ['input_voltage_nominal', 'battery_voltage', 'ups_delay_shutdown', 'input_L1_current', 'input_reactivepower', 'input_powerfactor', 'outlet_count']) {
      expect(c[secondary], secondary).toMatchObject({ enabled_by_default: false, entity_category: 'diagnostic' });
    }
    // A probe on a UPS: a diagnostic but enabled, as HA's NUT integration shows it; on a rack sensor, a reading.
    expect(c.ambient_1_temperature).toMatchObject({ entity_category: 'diagnostic' });
    expect(c.ambient_1_temperature).not.toHaveProperty('enabled_by_default');
    const sensor = configOf(ha.handle([reading(demo.sensor)]), 'rackpower_rack_sensor').cmps;
    expect(sensor.ambient_1_temperature).not.toHaveProperty('entity_category');
  });

  it('strips the device name where an HA NUT name starts with it', () => {
    const ha = new HomeAssistantPublisher();
    const ups = { ...demo.ups, device: { ...demo.ups.device, name: 'UPS' }, values: { 'ups.temperature': 30, 'battery.charge': 90 } };
    const cmps = configOf(ha.handle([reading(ups)]), 'rackpower_UPS').cmps;
    expect(cmps.ups_temperature.name).toBe('Temperature');
    expect(cmps.battery_charge.name).toBe('Battery charge');
  });

  it('gives the PDU a serial-based id, outlet sensors named after the outlets and outlet switches', () => {
    // An outlet node would switch outlet 8 (backup-01) and nothing else.
    const ha = new HomeAssistantPublisher({ outletControl: (device, outlet, name) => device.name === 'rack PDU' && outlet === '8' && name === 'backup-01' });
    const out = ha.handle([reading(demo.pdu)]);
    const id = 'rackpower_APC_SIM-PDU_8_SIM22276329';
    const config = configOf(out, id);
    expect(config.dev).toMatchObject({ manufacturer: 'APC', model: 'SIM-PDU 8', serial_number: 'SIM22276329', sw_version: 'v6.9.6' });
    const c = config.cmps;
    expect(c.outlet_1_current).toMatchObject({ name: 'Outlet web-01 current', device_class: 'current', unit_of_measurement: 'A', value_template: "{{ value_json['outlet.1.current'] | default(None) }}" });
    expect(c.outlet_1_realpower).toMatchObject({ name: 'Outlet web-01 real power', device_class: 'power', unit_of_measurement: 'W' });
    expect(c.outlet_1_energy).toMatchObject({ device_class: 'energy', unit_of_measurement: 'kWh', state_class: 'total_increasing' });
    expect(c.input_energy).toMatchObject({ device_class: 'energy', unit_of_measurement: 'kWh', state_class: 'total_increasing' });
    expect(c.input_powerfactor).toMatchObject({ device_class: 'power_factor', state_class: 'measurement' });
    expect(c.input_powerfactor).not.toHaveProperty('unit_of_measurement');
    expect(c.ambient_1_temperature).toMatchObject({ name: 'Rack inlet temperature', device_class: 'temperature', unit_of_measurement: '°C' });
    expect(c.ambient_1_humidity).toMatchObject({ device_class: 'humidity', unit_of_measurement: '%' });
    expect(c.outlet_8_load_poweronoff).toEqual({
      p: 'switch',
      name: 'Power outlet backup-01',
      unique_id: `${id}_outlet_8_load_poweronoff`,
      default_entity_id: 'switch.rack_pdu_outlet_8_load_poweronoff',
      device_class: 'outlet',
      value_template: "{{ value_json['outlet.8.status'] | default(None) }}",
      state_on: 'on',
      state_off: 'off',
      command_topic: 'rackpower/rack_PDU/command',
      payload_on: 'outlet.8.load.on',
      payload_off: 'outlet.8.load.off',
    });
    // A power-cycle button beside each switch: stateless, so no value_template.
    expect(c.outlet_8_load_cycle).toEqual({
      p: 'button',
      name: 'Power cycle outlet backup-01',
      unique_id: `${id}_outlet_8_load_cycle`,
      default_entity_id: 'button.rack_pdu_outlet_8_load_cycle',
      device_class: 'restart',
      command_topic: 'rackpower/rack_PDU/command',
      payload_press: 'outlet.8.load.cycle',
    });
    // Outlets nothing would switch: their state, read-only, and no switch or button that would do nothing.
    expect(c.outlet_1_status).toMatchObject({ p: 'binary_sensor', name: 'Outlet web-01 power', device_class: 'power' });
    expect(c).not.toHaveProperty('outlet_1_load_poweronoff');
    expect(c).not.toHaveProperty('outlet_1_load_cycle');
    expect(Object.values(c).filter((e) => e.p === 'switch').map((e) => e.key ?? e.unique_id)).toEqual([`${id}_outlet_8_load_poweronoff`]);
    expect(c.event.event_types).toEqual(['COMMOK', 'COMMBAD', 'NOCOMM']);
  });

  it('offers harmless UPS commands as buttons on the command topic, never a shutdown', () => {
    const ha = new HomeAssistantPublisher();
    const id = deviceId(demo.ups.device);
    const c = configOf(ha.handle([reading(demo.ups)]), id).cmps;
    const buttons = Object.values(c).filter((e) => e.p === 'button');
    expect(buttons.map((b) => b.payload_press).sort()).toEqual(['beeper.mute', 'test.battery.start']);
    for (const b of buttons) {
      expect(b.command_topic).toBe('rackpower/rack_UPS/command');
      expect(b).not.toHaveProperty('value_template');
    }
  });

  it('maps the meter and the sensor', () => {
    const ha = new HomeAssistantPublisher();
    const meter = configOf(ha.handle([reading(demo.meter)]), 'rackpower_rack_meter').cmps;
    expect(meter.input_energy).toMatchObject({ device_class: 'energy', unit_of_measurement: 'kWh', state_class: 'total_increasing' });
    // The total and the import of a meter that only draws are one value: one entity.
    expect(meter).not.toHaveProperty('input_energy_import');
    expect(meter.input_energy_export).toMatchObject({ device_class: 'energy' });
    expect(meter.input_reactivepower).toMatchObject({ device_class: 'reactive_power', unit_of_measurement: 'var' });
    expect(meter.input_power).toMatchObject({ name: 'Input power', device_class: 'apparent_power', unit_of_measurement: 'VA' });
    const sensor = configOf(ha.handle([reading(demo.sensor)]), 'rackpower_rack_sensor').cmps;
    expect(sensor.ambient_1_temperature).toMatchObject({ name: 'Ambient 1 temperature', device_class: 'temperature', state_class: 'measurement' });
  });

  it('publishes the flat NUT payload as the retained state, and again only the state when nothing about the entities changed', () => {
    const ha = new HomeAssistantPublisher();
    ha.handle([reading(demo.ups)]);
    const again = ha.handle([reading({ ...demo.ups, values: { ...demo.ups.values, 'input.voltage': 231 } })]);
    expect(again).toEqual([{ topic: 'rackpower/rack_UPS', payload: JSON.stringify({ ...demo.ups.values, 'input.voltage': 231 }), retain: true, qos: 1 }]);
  });

  it('announces a per-variable burst once, with every variable', () => {
    const ha = new HomeAssistantPublisher();
    const burst: Input[] = Object.entries(demo.meter.values).map(([variable, value]) => ({ type: 'variable', device: demo.meter.device, variable, value, timestamp: 1 }));
    const out = ha.handle(burst);
    expect(out.filter((m) => m.topic.endsWith('/config'))).toHaveLength(1);
    expect(Object.keys(configOf(out, 'rackpower_rack_meter').cmps)).toContain('input_energy');
    expect(JSON.parse(out.at(-1)!.payload)).toEqual(demo.meter.values);
  });

  it('removes the old HA device when a device comes back with another serial (a swapped card)', () => {
    const ha = new HomeAssistantPublisher();
    ha.handle([reading(demo.pdu)]);
    const swapped = { ...demo.pdu, device: { ...demo.pdu.device, serial: 'SIM99999999' } };
    const out = ha.handle([reading(swapped)]);
    expect(out[0]).toEqual({ topic: 'homeassistant/device/rackpower_APC_SIM-PDU_8_SIM22276329/config', payload: '', retain: true, qos: 1 });
    expect(topics(out)).toContain('homeassistant/device/rackpower_APC_SIM-PDU_8_SIM99999999/config');
  });
});

describe('availability and events', () => {
  it('turns COMMBAD into offline after the event and COMMOK into online before it', () => {
    const ha = new HomeAssistantPublisher();
    ha.handle([reading(demo.ups)]);
    const bad = ha.handle([{ type: 'event', event: event(demo.ups, 'COMMBAD') }]);
    expect(bad.map((m) => [m.topic, m.payload.startsWith('{') ? JSON.parse(m.payload).event : m.payload, m.retain])).toEqual([
      ['rackpower/rack_UPS/event', 'COMMBAD', false],
      ['rackpower/rack_UPS/availability', 'offline', true],
    ]);
    const ok = ha.handle([{ type: 'event', event: event(demo.ups, 'COMMOK') }]);
    expect(ok.map((m) => [m.topic, m.payload.startsWith('{') ? JSON.parse(m.payload).event : m.payload])).toEqual([
      ['rackpower/rack_UPS/availability', 'online'],
      ['rackpower/rack_UPS/event', 'COMMOK'],
    ]);
  });

  it('says online again on a reading after offline, even without COMMOK', () => {
    const ha = new HomeAssistantPublisher();
    ha.handle([reading(demo.ups)]);
    ha.handle([{ type: 'event', event: event(demo.ups, 'COMMBAD') }]);
    expect(topics(ha.handle([reading(demo.ups)]))).toEqual(['rackpower/rack_UPS/availability', 'rackpower/rack_UPS']);
  });

  it('passes the device node event payload through unchanged (ONBATT)', () => {
    const ha = new HomeAssistantPublisher();
    ha.handle([reading(demo.ups)]);
    const e = event(demo.ups, 'ONBATT');
    expect(ha.handle([{ type: 'event', event: e }])).toEqual([{ topic: 'rackpower/rack_UPS/event', payload: JSON.stringify(e), retain: false, qos: 1 }]);
  });
});

describe('birth, removal and closing', () => {
  it("announces everything again on Home Assistant's birth message", () => {
    const ha = new HomeAssistantPublisher();
    for (const r of Object.values(demo)) ha.handle([reading(r)]);
    const out = ha.birth();
    expect(out.filter((m) => m.topic.startsWith('homeassistant/device/'))).toHaveLength(4);
    expect(topics(out)).toContain('rackpower/bridge/status');
    expect(topics(out)).toContain('rackpower/rack_PDU');
  });

  it('removes a device with empty retained config, state and availability; others stay', () => {
    const ha = new HomeAssistantPublisher();
    ha.handle([reading(demo.ups), reading(demo.pdu)]);
    expect(ha.remove('rack UPS')).toEqual(
      ['homeassistant/device/rackpower_rack_UPS/config', 'rackpower/rack_UPS', 'rackpower/rack_UPS/availability'].map((topic) => ({ topic, payload: '', retain: true, qos: 1 })),
    );
    expect(ha.remove('rack UPS')).toEqual([]);
    expect(ha.size).toBe(1);
    // Its node keeps sending: it stays removed, nothing about it is published (events neither).
    expect(ha.handle([reading(demo.ups), { type: 'event', event: event(demo.ups, 'ONBATT') }])).toEqual([]);
    expect(ha.size).toBe(1);
    // Added back: its next reading announces it again.
    ha.add('rack UPS');
    expect(topics(ha.handle([reading(demo.ups)]))).toContain('homeassistant/device/rackpower_rack_UPS/config');
  });

  it('forgets a device without a word to the broker (a standby handing back): no later expiry unpublishes it', () => {
    const ha = new HomeAssistantPublisher();
    ha.handle([reading(demo.ups), reading(demo.pdu)], 0);
    ha.forget('rack UPS');
    expect(ha.size).toBe(1);
    expect(ha.expire(10 * 86_400_000, 1000).map((m) => m.topic)).not.toContain('homeassistant/device/rackpower_rack_UPS/config');
    // Taken over again later: announced afresh.
    expect(topics(ha.handle([reading(demo.ups)]))).toContain('homeassistant/device/rackpower_rack_UPS/config');
  });

  it('forgets devices not heard of for a while', () => {
    const ha = new HomeAssistantPublisher();
    ha.handle([reading(demo.ups)], 1000);
    ha.handle([reading(demo.pdu)], 5000);
    const out = ha.expire(1000 + 3600_000, 3600_000);
    expect(topics(out)).toEqual(['homeassistant/device/rackpower_rack_UPS/config', 'rackpower/rack_UPS', 'rackpower/rack_UPS/availability']);
    expect(ha.size).toBe(1);
  });

  it('on close says offline for each device, and for itself when asked; when deleted it removes them', () => {
    const stopped = new HomeAssistantPublisher();
    stopped.handle([reading(demo.ups)]);
    expect(stopped.close(false).map((m) => [m.topic, m.payload])).toEqual([['rackpower/rack_UPS/availability', 'offline']]);
    expect(stopped.offline().map((m) => [m.topic, m.payload])).toEqual([['rackpower/bridge/status', 'offline']]);
    expect(stopped.offline()).toEqual([]);
    const deleted = new HomeAssistantPublisher({ statusTopic: '' });
    deleted.handle([reading(demo.ups)]);
    expect(deleted.close(true).map((m) => [m.topic, m.payload])).toEqual([
      ['homeassistant/device/rackpower_rack_UPS/config', ''],
      ['rackpower/rack_UPS', ''],
      ['rackpower/rack_UPS/availability', ''],
    ]);
  });

  it('honours another discovery prefix, topic prefix and no status topic', () => {
    const ha = new HomeAssistantPublisher({ discoveryPrefix: 'ha/', base: 'dc1/power', statusTopic: '' });
    const out = ha.handle([reading(demo.sensor)]);
    expect(topics(out)).toEqual(['ha/device/rackpower_rack_sensor/config', 'dc1/power/rack_sensor/availability', 'dc1/power/rack_sensor']);
    expect(configOf(out.map((m) => ({ ...m, topic: m.topic.replace(/^ha\//, 'homeassistant/') })), 'rackpower_rack_sensor').availability).toEqual([
      { topic: 'dc1/power/rack_sensor/availability' },
    ]);
    expect(ha.birthTopic).toBe('ha/status');
  });
});
