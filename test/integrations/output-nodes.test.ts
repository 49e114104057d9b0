// The Prometheus and InfluxDB nodes in a Node-RED runtime (node-red-node-test-helper) fed by real device nodes on
// the simulated rack: the scrape page on Node-RED's HTTP node server (linted by promtool), redeploys without
// "already registered", a taken path refused, and line protocol out of the influx node.
// @module-tag peer: promtool
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startRack, type RunningRack } from '../../src/sim/rack';
import { loadScenario } from '../../src/sim/scenario';
import { freeTcpPort } from '../harness/ports';
import { ROOT, helper, nodeModules, record } from '../nodes/harness';
import { promtoolCheck } from './helpers/peers';

const nodeRequire = createRequire(__filename);
const Z = 'outputs';
type RedApi = { httpNode: (req: unknown, res: unknown) => void };

let rack: RunningRack;
let server: Server;
/** Node-RED's httpNode app of the current load, served on a real port so the test scrapes over HTTP. */
let httpNode: RedApi['httpNode'] | undefined;
let base: string;

beforeAll(async () => {
  rack = await startRack(loadScenario('demo'), { speed: 0, basePort: await freeTcpPort() });
  server = createServer((req, res) => (httpNode ? httpNode(req, res) : res.writeHead(503).end()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await helper.startServer();
});
afterAll(async () => {
  await helper.stopServer();
  await new Promise((resolve) => server.close(resolve));
  await rack?.close();
});
afterEach(() => helper.unload());

function modules(): unknown[] {
  const deviceNodes = nodeModules(); // first: it rebuilds dist/ when a source changed
  const prometheus = nodeRequire(path.join(ROOT, 'dist', 'nodes', 'prometheus.js'));
  return [
    ...deviceNodes,
    // The same module, handed the API it registers with, so the test can reach RED.httpNode.
    (RED: RedApi) => {
      httpNode = RED.httpNode;
      return prometheus(RED);
    },
    nodeRequire(path.join(ROOT, 'dist', 'nodes', 'influx.js')),
  ];
}

const port = (name: string) => Number(new URL(rack.devices.find((d) => d.name === name)!.url).port);

function devices(target: string): object[] {
  return [
    { id: 'ep-ups', type: 'rackpower-snmp-endpoint', host: '127.0.0.1', port: port('ups'), version: '2c', timeout: 500, retries: 0 },
    { id: 'ep-pdu', type: 'rackpower-snmp-endpoint', host: '127.0.0.1', port: port('pdu'), version: '2c', timeout: 500, retries: 0 },
    { id: 'mb', type: 'rackpower-modbus-connection', mode: 'tcp', host: '127.0.0.1', port: port('sensor'), timeout: 500 },
    { id: 'ups', type: 'rackpower-ups', z: Z, name: 'rack UPS', transport: 'snmp', endpoint: 'ep-ups', profile: 'auto', interval: 1, outputMode: 'always', wires: [[target], [target]] },
    { id: 'pdu', type: 'rackpower-pdu', z: Z, name: 'rack PDU', transport: 'snmp', endpoint: 'ep-pdu', profile: 'apc-rpdu2', interval: 1, outputMode: 'always', wires: [[target], [target]] },
    { id: 'meter', type: 'rackpower-meter', z: Z, name: 'rack meter', transport: 'modbus', connection: 'mb', profile: 'eastron-sdm120', unit: 2, interval: 1, outputMode: 'per-variable', wires: [[target], [target]] },
  ];
}
const credentials = { 'ep-ups': { community: 'public' }, 'ep-pdu': { community: 'public' } };

async function scrape(pathname = '/metrics', authorization?: string): Promise<{ status: number; type: string | null; body: string; challenge: string | null }> {
  const res = await fetch(base + pathname, authorization ? { headers: { authorization } } : {});
  return { status: res.status, type: res.headers.get('content-type'), body: await res.text(), challenge: res.headers.get('www-authenticate') };
}
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('rackpower-prometheus', () => {
  const prom = (extra: object = {}) => ({ id: 'prom', type: 'rackpower-prometheus', z: Z, path: '/metrics', forgetAfter: 60, ...extra });

  it('serves the devices it is fed on /metrics, clean for promtool', async () => {
    await helper.load(modules(), [{ id: Z, type: 'tab' }, ...devices('prom'), prom()], credentials);
    await vi.waitFor(async () => {
      const page = (await scrape()).body;
      expect(page).toContain('rackpower_device_up{device="rack UPS",device_id="rack_UPS"} 1');
      expect(page).toContain('rackpower_outlet_current_amperes{device="rack PDU",device_id="APC_SIM-PDU_8_SIM22276329",outlet="8"}');
      // The meter sends per-variable messages: they add up to the whole device.
      expect(page).toMatch(/rackpower_input_energy_joules_total\{device="rack meter",device_id="[^"]+"\} \d+/);
    }, { timeout: 10_000 });
    const { status, type, body } = await scrape();
    expect(status).toBe(200);
    expect(type).toMatch(/^text\/plain;.*version=0\.0\.4/);
    expect(promtoolCheck(body)).toEqual({ status: 0, output: '' });
  });

  it('survives redeploys (a private registry: nothing "already registered") and stops serving when removed', async () => {
    const flow = [{ id: Z, type: 'tab' }, ...devices('prom'), prom()];
    await helper.load(modules(), flow, credentials);
    for (let i = 0; i < 2; i++) await helper.setFlows(flow, 'full', credentials);
    await vi.waitFor(async () => expect((await scrape()).body).toContain('rackpower_device_up{device="rack PDU",device_id="APC_SIM-PDU_8_SIM22276329"} 1'), { timeout: 10_000 });
    // Removed (wires to it left dangling: nothing else changes).
    await helper.setFlows([{ id: Z, type: 'tab' }, ...devices('prom')], 'full', credentials);
    expect((await scrape()).status).toBe(404);
  });

  it('serves another path, and refuses a path another node serves', async () => {
    const statusFlow = [
      { id: 'st', type: 'status', z: Z, scope: ['prom2'], wires: [['status-out']] },
      { id: 'status-out', type: 'helper', z: Z },
    ];
    await helper.load(modules(), [{ id: Z, type: 'tab' }, ...devices('prom'), prom({ path: 'rack/metrics' }), prom({ id: 'prom2', path: '/rack/metrics' }), ...statusFlow], credentials);
    const statuses = record(['status-out'])['status-out'];
    await vi.waitFor(async () => expect((await scrape('/rack/metrics')).body).toContain('rackpower_device_info'), { timeout: 10_000 });
    await vi.waitFor(() => expect(statuses.map((m) => m.status?.text)).toContain('rackpower-prometheus.status.pathTaken'));
    expect((await scrape('/metrics')).status).toBe(404);
  });
});

describe('rackpower-prometheus scrape authentication (Node-RED serves /metrics without auth, even with adminAuth)', () => {
  const prom = (extra: object = {}) => ({ id: 'prom', type: 'rackpower-prometheus', z: Z, path: '/metrics', forgetAfter: 60, ...extra });

  it('open by default: anyone who reaches the HTTP node server reads the page', async () => {
    await helper.load(modules(), [{ id: Z, type: 'tab' }, ...devices('prom'), prom()], credentials);
    await vi.waitFor(async () => expect((await scrape()).body).toContain('rackpower_device_info'), { timeout: 10_000 });
  });

  it('bearer token: the right token reads the page, none or a wrong one gets 401 with a challenge', async () => {
    await helper.load(modules(), [{ id: Z, type: 'tab' }, ...devices('prom'), prom({ auth: 'bearer' })], { ...credentials, prom: { token: 's3cret-token' } });
    await vi.waitFor(async () => expect((await scrape('/metrics', 'Bearer s3cret-token')).body).toContain('rackpower_device_info'), { timeout: 10_000 });
    for (const header of [undefined, 'Bearer wrong', 'Bearer s3cret-token2', basic('x', 's3cret-token'), 's3cret-token']) {
      const r = await scrape('/metrics', header);
      expect(r.status, String(header)).toBe(401);
      expect(r.body).not.toContain('rackpower_');
      expect(r.challenge).toMatch(/^Bearer/);
    }
    // The secret is a credential: not in the flow.
    expect(JSON.stringify(helper._redNodes.getFlows().flows)).not.toContain('s3cret-token');
  });

  it('basic auth: user and password, both checked', async () => {
    await helper.load(modules(), [{ id: Z, type: 'tab' }, ...devices('prom'), prom({ auth: 'basic', username: 'prometheus' })], { ...credentials, prom: { password: 'pa:ss' } });
    await vi.waitFor(async () => expect((await scrape('/metrics', basic('prometheus', 'pa:ss'))).body).toContain('rackpower_device_info'), { timeout: 10_000 });
    for (const header of [undefined, basic('prometheus', 'wrong'), basic('other', 'pa:ss'), 'Bearer pa:ss']) {
      const r = await scrape('/metrics', header);
      expect(r.status, String(header)).toBe(401);
      expect(r.challenge).toMatch(/^Basic realm=/);
    }
  });

  it('a scheme chosen without its secret never serves the page open: 401 and a red status', async () => {
    const statusFlow = [
      { id: 'st', type: 'status', z: Z, scope: ['prom'], wires: [['status-out']] },
      { id: 'status-out', type: 'helper', z: Z },
    ];
    await helper.load(modules(), [{ id: Z, type: 'tab' }, ...devices('prom'), prom({ auth: 'bearer' }), ...statusFlow], credentials);
    const statuses = record(['status-out'])['status-out'];
    await vi.waitFor(() => expect(statuses.map((m) => m.status?.text)).toContain('rackpower-prometheus.status.noSecret'));
    expect((await scrape()).status).toBe(401);
  });
});

describe('rackpower-influx', () => {
  it('turns readings and per-variable messages into line protocol, with the Content-Type InfluxDB reads', async () => {
    await helper.load(modules(), [{ id: Z, type: 'tab' }, ...devices('influx'), { id: 'influx', type: 'rackpower-influx', z: Z, wires: [['lines']] }, { id: 'lines', type: 'helper', z: Z }], credentials);
    const got = record(['lines']).lines;
    await vi.waitFor(() => {
      const text = got.map((m) => String(m.payload)).join('\n');
      expect(text).toMatch(/^rackpower_ups,device=rack\\ UPS,device_id=rack_UPS,firmware=2\.1\.0,manufacturer=Rackpower,model=SIM-UPS\\ 3000 .*battery\.charge=\d+.* \d{19}$/m);
      expect(text).toMatch(/^rackpower_pdu,device=rack\\ PDU,device_id=APC_SIM-PDU_8_SIM22276329,firmware=v6\.9\.6,manufacturer=APC,model=SIM-PDU\\ 8,outlet=1,outlet_name=web-01,serial=SIM22276329 .*outlet\.current=[\d.]+/m);
      expect(text).toMatch(/^rackpower_meter,device=rack\\ meter,device_id=rack_meter,(\w+=[^ ,]+,)*manufacturer=Eastron,model=SDM120 input\.energy=[\d.]+ \d{19}$/m);
    }, { timeout: 10_000 });
    for (const m of got) expect((m as unknown as { headers: Record<string, string> }).headers).toEqual({ 'Content-Type': 'text/plain; charset=utf-8' });
    // Headers a flow set before (an InfluxDB 2.x token) are kept beside it.
    helper.getNode('influx').receive({ headers: { Authorization: 'Token abc' }, device: { name: 'x', kind: 'sensor' }, payload: { 'ambient.1.temperature': 21 } });
    await vi.waitFor(() => expect((got.at(-1) as unknown as { headers: Record<string, string> }).headers).toEqual({ Authorization: 'Token abc', 'Content-Type': 'text/plain; charset=utf-8' }));
  });
});
