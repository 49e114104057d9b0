// The Home Assistant discovery node in a Node-RED runtime (node-red-node-test-helper) with Node-RED's own mqtt out
// and mqtt in nodes, against a real Mosquitto (MQTT 5) started here and the simulated rack: what a Home Assistant
// would find on the broker. Discovery retained and well-formed, states, availability flipping on a dead device,
// re-announce on homeassistant/status online, no ghosts when a device or the node goes, offline when Node-RED stops.
// @module-tag peer: mosquitto
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { startRack, type RunningRack } from '../../src/sim/rack';
import { parseScenario } from '../../src/sim/scenario';
import { freeTcpPort } from '../harness/ports';
import { ROOT, helper, nodeModules } from '../nodes/harness';
import { record, retained, type Recorder } from './helpers/mqtt';
import { startMosquitto, type Peer } from './helpers/peers';

const nodeRequire = createRequire(__filename);
const Z = 'ha-flow';
const STATUS = 'rackpower/bridge/status';
const UPS_CONFIG = 'homeassistant/device/rackpower_rack_UPS/config';
const PDU_CONFIG = 'homeassistant/device/rackpower_APC_SIM-PDU_8_SIM22276329/config';

let broker: Peer;
let rack: RunningRack;
let recorder: Recorder;
let flow: Record<string, unknown>[];

// The UPS card goes silent 100 simulated seconds in, for 100 s: the test moves the clock.
const scenario = parseScenario(
  {
    name: 'ha-test',
    seed: 1,
    devices: [
      { name: 'ups', profile: 'ietf-ups' },
      { name: 'pdu', profile: 'apc-rpdu2', outlets: 8 },
    ],
    events: [{ at: 100, action: 'comms-lost', device: 'ups', duration: 100 }],
  },
  'ha-test',
);

beforeAll(async () => {
  broker = await startMosquitto();
  rack = await startRack(scenario, { speed: 0, basePort: await freeTcpPort() });
  const port = (name: string) => Number(new URL(rack.devices.find((d) => d.name === name)!.url).port);
  recorder = await record(broker.port);
  const birthClose = (payload: string) => ({ topic: STATUS, qos: '1', retain: 'true', payload, msg: {} });
  flow = [
    { id: Z, type: 'tab' },
    { id: 'ep-ups', type: 'rackpower-snmp-endpoint', host: '127.0.0.1', port: port('ups'), version: '2c', timeout: 300, retries: 0 },
    { id: 'ep-pdu', type: 'rackpower-snmp-endpoint', host: '127.0.0.1', port: port('pdu'), version: '2c', timeout: 300, retries: 0 },
    {
      id: 'broker', type: 'mqtt-broker', broker: '127.0.0.1', port: String(broker.port), clientid: '', autoConnect: true, usetls: false,
      protocolVersion: '5', keepalive: '15', cleansession: true,
      ...Object.fromEntries(Object.entries(birthClose('online')).map(([k, v]) => [`birth${k[0].toUpperCase()}${k.slice(1)}`, v])),
      ...Object.fromEntries(Object.entries(birthClose('offline')).map(([k, v]) => [`close${k[0].toUpperCase()}${k.slice(1)}`, v])),
      ...Object.fromEntries(Object.entries(birthClose('offline')).map(([k, v]) => [`will${k[0].toUpperCase()}${k.slice(1)}`, v])),
    },
    { id: 'ups', type: 'rackpower-ups', z: Z, name: 'rack UPS', transport: 'snmp', endpoint: 'ep-ups', profile: 'auto', interval: 1, outputMode: 'always', wires: [['ha'], ['ha']] },
    { id: 'pdu', type: 'rackpower-pdu', z: Z, name: 'rack PDU', transport: 'snmp', endpoint: 'ep-pdu', profile: 'apc-rpdu2', interval: 1, outputMode: 'change', wires: [['ha'], ['ha']] },
    { id: 'ha', type: 'rackpower-ha-discovery', z: Z, discoveryPrefix: 'homeassistant', base: 'rackpower', statusTopic: STATUS, expireAfter: 24, wires: [['out']] },
    { id: 'out', type: 'mqtt out', z: Z, topic: '', qos: '', retain: '', broker: 'broker', wires: [] },
    { id: 'in', type: 'mqtt in', z: Z, topic: 'homeassistant/status', qos: '1', datatype: 'utf8', broker: 'broker', nl: false, rap: true, rh: 0, inputs: 0, wires: [['ha']] },
  ];
  await helper.startServer();
  await helper.load(modules(), flow, { 'ep-ups': { community: 'public' }, 'ep-pdu': { community: 'public' } });
});

afterAll(async () => {
  await helper.unload();
  await helper.stopServer();
  await recorder?.close();
  await rack?.close();
  await broker?.stop();
});

function modules(): unknown[] {
  return [
    ...nodeModules(),
    nodeRequire(path.join(ROOT, 'dist', 'nodes', 'ha-discovery.js')),
    nodeRequire(path.join(ROOT, 'dist', 'nodes', 'outlet.js')),
    nodeRequire('@node-red/nodes/core/network/10-mqtt.js'),
  ];
}

const payloads = (topic: string) => recorder.on(topic).map((m) => m.payload);

it('publishes retained, well-formed discovery configs and the states for each device', async () => {
  await vi.waitFor(() => {
    expect(payloads(UPS_CONFIG).length).toBeGreaterThan(0);
    expect(payloads(PDU_CONFIG).length).toBeGreaterThan(0);
    expect(payloads('rackpower/rack_PDU').length).toBeGreaterThan(0);
  }, { timeout: 15_000 });
  // What Home Assistant finds when it subscribes now.
  const kept = await retained(broker.port);
  for (const topic of [UPS_CONFIG, PDU_CONFIG]) {
    const config = JSON.parse(kept.get(topic)!);
    expect(config.dev.identifiers).toEqual([topic.split('/')[2]]);
    expect(config.o.name).toBe('rackpower');
    for (const [key, entity] of Object.entries(config.cmps as Record<string, Record<string, unknown>>)) {
      expect(key).toMatch(/^[a-zA-Z0-9_-]+$/);
      expect(entity).toMatchObject({ p: expect.any(String), unique_id: expect.stringMatching(/^[a-zA-Z0-9_-]+$/), default_entity_id: expect.any(String) });
    }
    // Its state topic carries the values its templates read.
    const state = JSON.parse(kept.get(config.state_topic)!);
    expect(Object.keys(state)).toContain(topic === UPS_CONFIG ? 'battery.charge' : 'outlet.1.current');
  }
  expect(JSON.parse(kept.get(PDU_CONFIG)!).cmps.outlet_1_current.name).toBe('Outlet web-01 current');
  // Entity hygiene: core entities enabled, secondary ones disabled diagnostics, no doubled words in entity ids.
  const ups = JSON.parse(kept.get(UPS_CONFIG)!).cmps as Record<string, Record<string, unknown>>;
  for (const core of ['battery_charge', 'battery_runtime', 'ups_load', 'input_voltage', 'output_voltage', 'ups_status_display']) {
    expect(ups[core], core).toBeDefined();
    expect(ups[core], core).not.toHaveProperty('enabled_by_default');
    expect(ups[core], core).not.toHaveProperty('entity_category');
  }
  for (const secondary of ['input_voltage_nominal', 'output_power_nominal', 'battery_voltage', 'input_frequency', 'battery_temperature']) {
    expect(ups[secondary], secondary).toMatchObject({ enabled_by_default: false, entity_category: 'diagnostic' });
  }
  expect(ups.ups_load.default_entity_id).toBe('sensor.rack_ups_load');
  for (const e of Object.values(ups)) expect(String(e.default_entity_id)).not.toMatch(/(^|[._])(\w+)_\2(_|$)/);
  // No outlet node acts on the PDU: its outlets are read-only states, not switches that would do nothing.
  const pdu = JSON.parse(kept.get(PDU_CONFIG)!).cmps as Record<string, Record<string, unknown>>;
  expect(Object.values(pdu).filter((e) => e.p === 'switch' || e.p === 'button')).toEqual([]);
  expect(pdu.outlet_1_status).toMatchObject({ p: 'binary_sensor', device_class: 'power' });
  expect(kept.get('rackpower/rack_UPS/availability')).toBe('online');
  expect(kept.get(STATUS)).toBe('online');
  // States keep flowing with each poll.
  const before = payloads('rackpower/rack_UPS').length;
  await vi.waitFor(() => expect(payloads('rackpower/rack_UPS').length).toBeGreaterThan(before + 1), { timeout: 5000 });
});

it('turns a device that stops answering unavailable (COMMBAD), and available again (COMMOK)', async () => {
  rack.model.advance(101);
  await vi.waitFor(() => expect(payloads('rackpower/rack_UPS/availability').at(-1)).toBe('offline'), { timeout: 15_000 });
  expect(payloads('rackpower/rack_UPS/event').map((p) => JSON.parse(p).event)).toContain('COMMBAD');
  expect(payloads('rackpower/rack_PDU/availability').at(-1)).toBe('online');
  rack.model.advance(100);
  await vi.waitFor(() => expect(payloads('rackpower/rack_UPS/availability').at(-1)).toBe('online'), { timeout: 30_000 });
  // The event leaves the device node on its second output after the reading on the first: under load it can reach
  // the broker a moment after the availability the reading brought.
  await vi.waitFor(() => expect(payloads('rackpower/rack_UPS/event').map((p) => JSON.parse(p).event)).toContain('COMMOK'), { timeout: 5000 });
});

it('announces again when Home Assistant says homeassistant/status online', async () => {
  const configs = () => payloads(UPS_CONFIG).length + payloads(PDU_CONFIG).length;
  const before = configs();
  await recorder.client.publishAsync('homeassistant/status', 'online', { qos: 1 });
  await vi.waitFor(() => expect(configs()).toBeGreaterThanOrEqual(before + 2), { timeout: 5000 });
});

it('announces an outlet as a switch once an outlet node would act on it', async () => {
  // An outlet node on an SNMP agent node that allows control, outlet 1 allowlisted, no dry run.
  const port = Number(new URL(rack.devices.find((d) => d.name === 'pdu')!.url).port);
  flow = [
    ...flow,
    { id: 'ep-ctl', type: 'rackpower-snmp-endpoint', host: '127.0.0.1', port, version: '2c', timeout: 300, retries: 0, allowControl: true },
    { id: 'outlets', type: 'rackpower-outlet', z: Z, endpoint: 'ep-ctl', profile: 'auto', allow: '1', protect: '', dryRun: false, cycleDelay: 1, wires: [[]] },
  ];
  await helper.setFlows(flow, 'nodes', { 'ep-ctl': { community: 'public' } });
  // The next announcement (here: Home Assistant's birth message) carries it.
  await recorder.client.publishAsync('homeassistant/status', 'online', { qos: 1 });
  await vi.waitFor(() => {
    const cmps = JSON.parse(payloads(PDU_CONFIG).at(-1)!).cmps as Record<string, Record<string, unknown>>;
    expect(cmps.outlet_1_load_poweronoff).toMatchObject({ p: 'switch', command_topic: 'rackpower/rack_PDU/command', payload_off: 'outlet.1.load.off' });
    expect(cmps.outlet_1_load_cycle).toMatchObject({ p: 'button' });
    // Outlet 2 is not allowlisted: still read-only.
    expect(cmps).not.toHaveProperty('outlet_2_load_poweronoff');
    expect(cmps.outlet_2_status).toMatchObject({ p: 'binary_sensor' });
  }, { timeout: 10_000 });
});

it('removes a device on msg.remove for good while its node keeps polling, until msg.add', async () => {
  const configs = () => payloads(PDU_CONFIG).length;
  helper.getNode('ha').receive({ remove: 'rack PDU' });
  const gone = async (): Promise<void> => {
    const kept = await retained(broker.port, ['homeassistant/#', 'rackpower/#'], 200);
    expect(kept.has(PDU_CONFIG)).toBe(false);
    expect(kept.has('rackpower/rack_PDU')).toBe(false);
    expect(kept.has('rackpower/rack_PDU/availability')).toBe(false);
    expect(kept.has(UPS_CONFIG)).toBe(true);
  };
  await vi.waitFor(gone, { timeout: 5000 });
  expect(payloads(PDU_CONFIG).at(-1)).toBe('');
  const removedAt = configs();
  const states = payloads('rackpower/rack_PDU').length;
  // The PDU node polls every second and its values change: nothing about it reaches the broker again.
  for (let i = 0; i < 3; i++) {
    rack.model.advance(5);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  await gone();
  expect(configs()).toBe(removedAt);
  expect(payloads('rackpower/rack_PDU').length).toBe(states);
  // Added back: its next reading announces it.
  helper.getNode('ha').receive({ add: 'rack PDU' });
  rack.model.advance(5);
  await vi.waitFor(async () => {
    const kept = await retained(broker.port, ['homeassistant/#'], 200);
    expect(kept.has(PDU_CONFIG)).toBe(true);
  }, { timeout: 10_000 });
});

it('removes its devices when the node itself is deleted (the mqtt out node stays)', async () => {
  // Wires to it are left dangling (the runtime drops what they carry), so no other node is restarted or rewired.
  const ha = flow.find((n) => n.id === 'ha')!;
  flow = flow.filter((n) => n !== ha);
  await helper.setFlows(flow, 'nodes');
  await vi.waitFor(async () => {
    const kept = await retained(broker.port, ['homeassistant/#'], 200);
    expect([...kept.keys()]).toEqual([]);
  }, { timeout: 5000 });
  expect(payloads(STATUS).at(-1)).toBe('offline');
});

it('is shown offline once Node-RED stops: the broker node closes with offline on the status topic', async () => {
  // Bring a discovery node back, then stop everything as Node-RED does on shutdown.
  flow = [...flow, { id: 'ha', type: 'rackpower-ha-discovery', z: Z, statusTopic: STATUS, expireAfter: 0, wires: [['out']] }];
  await helper.setFlows(flow, 'nodes');
  await vi.waitFor(() => expect(payloads(STATUS).at(-1)).toBe('online'), { timeout: 10_000 });
  await helper.unload();
  await vi.waitFor(async () => expect((await retained(broker.port, [STATUS], 200)).get(STATUS)).toBe('offline'), { timeout: 5000 });
  await helper.load(modules(), [{ id: Z, type: 'tab' }]);
});
