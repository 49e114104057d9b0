// The example flows (examples/flows/home-assistant.json, prometheus.json, influxdb.json) in a Node-RED runtime
// against the simulated rack and real peers (Mosquitto, InfluxDB 1.x), with only their addresses moved to the test's
// free ports; plus the prometheus node the npm start demo flow (simulated-rack.json) is to get.
// @module-tag peer: mosquitto, influxd and promtool
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startRack, type RunningRack } from '../../src/sim/rack';
import { loadScenario } from '../../src/sim/scenario';
import { freeTcpPort } from '../harness/ports';
import { ROOT, helper, nodeModules } from '../nodes/harness';
import { record, retained } from './helpers/mqtt';
import { promtoolCheck, startInfluxd, startMosquitto, type Peer } from './helpers/peers';

const nodeRequire = createRequire(__filename);
type FlowNode = { id: string; type: string; name?: string; [key: string]: unknown };
type RedApi = { httpNode: (req: unknown, res: unknown) => void };

let rack: RunningRack;
let mosquitto: Peer;
let influx: Peer;
let server: Server;
let httpNode: RedApi['httpNode'] | undefined;
let base: string;

beforeAll(async () => {
  [mosquitto, influx] = await Promise.all([startMosquitto(), startInfluxd()]);
  rack = await startRack(loadScenario('demo'), { speed: 0, basePort: await freeTcpPort() });
  server = createServer((req, res) => (httpNode ? httpNode(req, res) : res.writeHead(503).end()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await helper.startServer();
}, 60_000);
afterAll(async () => {
  await helper.stopServer();
  await new Promise((resolve) => server.close(resolve));
  await rack?.close();
  await Promise.all([mosquitto?.stop(), influx?.stop()]);
});
afterEach(() => helper.unload());

function modules(): unknown[] {
  const devices = nodeModules(); // first: it rebuilds dist/ when a source changed
  const prometheus = nodeRequire(path.join(ROOT, 'dist', 'nodes', 'prometheus.js'));
  return [
    ...devices,
    nodeRequire(path.join(ROOT, 'dist', 'nodes', 'ha-discovery.js')),
    nodeRequire(path.join(ROOT, 'dist', 'nodes', 'influx.js')),
    // home-assistant.json routes outlet switches and UPS buttons to (dry-run) outlet and UPS command nodes.
    nodeRequire(path.join(ROOT, 'dist', 'nodes', 'outlet.js')),
    nodeRequire(path.join(ROOT, 'dist', 'nodes', 'ups-command.js')),
    (RED: RedApi) => {
      httpNode = RED.httpNode;
      return prometheus(RED);
    },
    nodeRequire('@node-red/nodes/core/network/10-mqtt.js'),
    nodeRequire('@node-red/nodes/core/network/21-httprequest.js'),
  ];
}

/** An example as shipped, pointed at this test's ports; inject and comment nodes out, debug nodes as helpers. */
function example(file: string): { flow: FlowNode[]; credentials: Record<string, object> } {
  const simPort = (name: string) => new URL(rack.devices.find((d) => d.name === name)!.url).port;
  const ports: Record<string, string> = { 'sim UPS card': simPort('ups'), 'sim PDU card': simPort('pdu'), 'sim Modbus gateway': simPort('sensor') };
  const nodes: FlowNode[] = JSON.parse(readFileSync(path.join(ROOT, 'examples', 'flows', file), 'utf8'));
  const flow = nodes
    .filter((n) => n.type !== 'inject' && n.type !== 'comment')
    .map((n) => (n.type === 'debug' ? { id: n.id, type: 'helper', z: n.z } : n))
    .map((n) => (n.name && ports[n.name] ? { ...n, port: ports[n.name] } : n))
    .map((n) => (n.type === 'mqtt-broker' ? { ...n, broker: '127.0.0.1', port: String(mosquitto.port) } : n))
    .map((n) => (n.type === 'http request' ? { ...n, url: String(n.url).replace('localhost:8086', `127.0.0.1:${influx.port}`) } : n))
    .map((n) => (/^rackpower-(ups|pdu|sensor|meter)$/.test(n.type) ? { ...n, interval: '1' } : n));
  const credentials = Object.fromEntries(flow.filter((n) => n.type === 'rackpower-snmp-endpoint').map((n) => [n.id, { community: 'public' }]));
  return { flow: flow as FlowNode[], credentials };
}

describe('examples/flows', () => {
  it('home-assistant.json puts the four devices into Home Assistant discovery', async () => {
    const { flow, credentials } = example('home-assistant.json');
    await helper.load(modules(), flow, credentials);
    await vi.waitFor(async () => {
      const kept = await retained(mosquitto.port, ['homeassistant/#', 'rackpower/#'], 200);
      const configs = [...kept.keys()].filter((t) => t.startsWith('homeassistant/device/'));
      expect(configs).toHaveLength(4);
      expect(kept.get('rackpower/bridge/status')).toBe('online');
      for (const name of ['rack_UPS', 'rack_PDU', 'rack_sensor', 'rack_meter']) expect(kept.get(`rackpower/${name}/availability`)).toBe('online');
    }, { timeout: 15_000 });

    // A Home Assistant outlet switch: its NUT command reaches the outlet node, whose guards refuse it here (control
    // is not allowed on the example's SNMP agent): routed, and nothing switched.
    const results = helper.getNode('a7a7a70000000012') as unknown as { on(e: string, f: (m: { payload: { ok: boolean; error?: { message: string } } }) => void): void };
    const answered = new Promise<{ ok: boolean; error?: { message: string } }>((resolve) => results.on('input', (m) => resolve(m.payload)));
    const switchPress = await record(mosquitto.port, ['rackpower/rack_PDU/command']);
    await switchPress.client.publishAsync('rackpower/rack_PDU/command', 'outlet.3.load.off', { qos: 1 });
    await switchPress.close();
    const result = await answered;
    expect(result.ok).toBe(false);
    expect(result.error?.message).toMatch(/not enabled|not allowed/iu);

    // A UPS button the same way: the command name reaches the UPS command node's guards.
    const upsResults = helper.getNode('a7a7a70000000016') as unknown as typeof results;
    const upsAnswered = new Promise<{ ok: boolean; error?: { message: string } }>((resolve) => upsResults.on('input', (m) => resolve(m.payload)));
    const press = await record(mosquitto.port, ['rackpower/rack_UPS/command']);
    await press.client.publishAsync('rackpower/rack_UPS/command', 'test.battery.start', { qos: 1 });
    await press.close();
    const upsResult = await upsAnswered;
    expect(upsResult.ok).toBe(false);
    expect(upsResult.error?.message).toMatch(/not enabled|not allowed/iu);
  });

  it('prometheus.json serves /metrics, clean for promtool', async () => {
    const { flow, credentials } = example('prometheus.json');
    await helper.load(modules(), flow, credentials);
    await vi.waitFor(async () => {
      const page = await (await fetch(`${base}/metrics`)).text();
      for (const d of ['rack UPS', 'rack PDU', 'rack sensor', 'rack meter']) expect(page).toMatch(new RegExp(`rackpower_device_up\\{device="${d}",device_id="[^"]+"\\} 1`));
    }, { timeout: 15_000 });
    expect(promtoolCheck(await (await fetch(`${base}/metrics`)).text())).toEqual({ status: 0, output: '' });
  });

  it('influxdb.json writes the four devices to InfluxDB', async () => {
    await fetch(`http://127.0.0.1:${influx.port}/query`, { method: 'POST', body: new URLSearchParams({ q: 'CREATE DATABASE rack' }) });
    const { flow, credentials } = example('influxdb.json');
    await helper.load(modules(), flow, credentials);
    await vi.waitFor(async () => {
      const q = encodeURIComponent('SHOW MEASUREMENTS');
      const body = (await (await fetch(`http://127.0.0.1:${influx.port}/query?db=rack&q=${q}`)).json()) as { results: { series?: { values: string[][] }[] }[] };
      const measurements = body.results[0].series?.[0].values.map((v) => v[0]) ?? [];
      expect(measurements).toEqual(expect.arrayContaining(['rackpower_ups', 'rackpower_pdu', 'rackpower_sensor', 'rackpower_meter']));
    }, { timeout: 15_000 });
  });

  it('simulated-rack.json with the proposed prometheus node serves the npm start demo on /metrics', async () => {
    const { flow, credentials } = example('simulated-rack.json');
    // The change proposed to the lead for examples/flows/simulated-rack.json (already there once applied).
    const promId = 'a0b1c2d3e4f50001';
    const devices = ['b0c1d2e3f4a50001', 'b0c1d2e3f4a50002', 'b0c1d2e3f4a50003', 'b0c1d2e3f4a50004'];
    const patched = flow.some((n) => n.id === promId)
      ? flow
      : [
          ...flow.map((n) => (devices.includes(n.id) ? { ...n, wires: (n.wires as string[][]).map((w) => [...w, promId]) } : n)),
          { id: promId, type: 'rackpower-prometheus', z: 'a1b2c3d4e5f60001', name: '', path: '/metrics', forgetAfter: '60', x: 790, y: 400, wires: [] },
        ];
    await helper.load([...modules(), nodeRequire('@node-red/nodes/core/function/10-switch.js')], patched, credentials);
    await vi.waitFor(async () => {
      const page = await (await fetch(`${base}/metrics`)).text();
      expect(page).toContain('rackpower_ups_status{device="rack UPS",device_id="rack_UPS",flag="OL"} 1');
      expect(page).toMatch(/rackpower_outlet_current_amperes\{device="rack PDU",device_id="[^"]+",outlet="1"\}/);
      expect(page).toMatch(/rackpower_ambient_temperature_celsius\{device="rack sensor",device_id="[^"]+",sensor="1"\}/);
      expect(page).toMatch(/rackpower_input_energy_joules_total\{device="rack meter",device_id="[^"]+"\}/);
    }, { timeout: 15_000 });
  });
});
