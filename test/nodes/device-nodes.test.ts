// The six nodes inside a real Node-RED runtime (node-red-node-test-helper) against real peers: snmpsimd serving
// recorded walks, a modbus-serial TCP server, and a UDP port nobody answers. A status node and a catch node in
// each flow see what the editor and a Catch node would.
// @module-tag peer: snmpsimd
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startModbusServer, type TestModbusServer } from '../harness/modbus-server';
import { freeUdpPort } from '../harness/ports';
import { startSnmpsim, type Snmpsim } from '../harness/snmpsim';
import { fixture } from '../profiles/recording-helpers';
import { helper, leftOpen, nodeModules, openHandles, record, type Received } from './harness';

const Z = 'flow1';
let nodes: unknown[];
let sim: Snmpsim;

beforeAll(async () => {
  nodes = nodeModules();
  sim = await startSnmpsim(['phoenixtec-power', 'apc-8932'].map(fixture));
  await helper.startServer();
});
afterAll(async () => {
  await helper.stopServer();
  await sim?.stop();
});
afterEach(() => helper.unload());

const snmpEndpoint = (id: string, port: number, extra: object = {}) => ({
  id, type: 'rackpower-snmp-endpoint', host: '127.0.0.1', port, version: '2c', timeout: 1000, retries: 0, ...extra,
});

/** A device node wired to helpers `<id>-out` (readings) and `<id>-ev` (events), plus status and catch watchers. */
function flow(configs: object[], device: { id: string; [key: string]: unknown }): object[] {
  return [
    { id: Z, type: 'tab' },
    { id: 'st1', type: 'status', z: Z, scope: null, wires: [['status-out']] },
    { id: 'ca1', type: 'catch', z: Z, scope: null, uncaught: false, wires: [['catch-out']] },
    ...configs,
    { z: Z, wires: [[`${device.id}-out`], [`${device.id}-ev`]], ...device },
    ...[`${device.id}-out`, `${device.id}-ev`, 'status-out', 'catch-out'].map((id) => ({ id, type: 'helper', z: Z })),
  ];
}

async function load(configs: object[], device: { id: string; [key: string]: unknown }, credentials: object = {}): Promise<Received> {
  const f = flow(configs, device);
  await helper.load(nodes, f, credentials);
  return record(f.filter((n) => (n as { type: string }).type === 'helper').map((n) => (n as { id: string }).id));
}

const statusTexts = (r: Received): string[] => r['status-out'].map((m) => String(m.status?.text));
const lastStatus = (r: Received) => r['status-out'].at(-1)?.status;

describe('rackpower-ups over SNMP', () => {
  it('reads a UPS card (Phoenixtec, detected by its XPPC-MIB): flat NUT payload, flags, device identity, green status', async () => {
    const r = await load([snmpEndpoint('ep', sim.port)], { id: 'ups', type: 'rackpower-ups', name: 'rack ups', endpoint: 'ep', interval: 1 }, {
      ep: { community: 'phoenixtec-power' },
    });
    await vi.waitFor(() => expect(r['ups-out'].length).toBeGreaterThan(0), { timeout: 5000 });
    const msg = r['ups-out'][0];
    expect(typeof msg.payload['battery.charge']).toBe('number');
    expect(msg.topic).toBe('rackpower/rack_ups');
    expect(msg.device).toMatchObject({ name: 'rack ups', kind: 'ups', profile: 'xppc-ups', address: `snmp://127.0.0.1:${sim.port}` });
    expect(msg.flags).toMatchObject({ online: expect.any(Boolean), onBattery: expect.any(Boolean) });
    await vi.waitFor(() => expect(lastStatus(r)).toMatchObject({ shape: 'dot', text: expect.stringMatching(/^O[LB]/) }));
  });

  it('keeps the community out of the flow: it reaches the node as a credential only', async () => {
    await load([snmpEndpoint('ep', sim.port)], { id: 'ups', type: 'rackpower-ups', endpoint: 'ep', interval: 60 }, {
      ep: { community: 'phoenixtec-power' },
    });
    expect(JSON.stringify(helper._redNodes.getFlows().flows)).not.toContain('phoenixtec-power');
    expect(helper._redNodes.getCredentials('ep')).toEqual({ community: 'phoenixtec-power' });
  });

  it('polls at once on an input message, long before the interval', async () => {
    const r = await load([snmpEndpoint('ep', sim.port)], { id: 'ups', type: 'rackpower-ups', endpoint: 'ep', interval: 3600 }, {
      ep: { community: 'phoenixtec-power' },
    });
    await vi.waitFor(() => expect(r['ups-out'].length).toBe(1), { timeout: 5000 });
    helper.getNode('ups').receive({ payload: 'now' });
    await vi.waitFor(() => expect(r['ups-out'].length).toBe(2), { timeout: 3000 });
  });
});

describe('rackpower-pdu over SNMP', () => {
  it('reads an APC AP8932 with the settings of a flow saved before configVersion (all defaults)', async () => {
    const r = await load([snmpEndpoint('ep', sim.port)], { id: 'pdu', type: 'rackpower-pdu', endpoint: 'ep' }, { ep: { community: 'apc-8932' } });
    await vi.waitFor(() => expect(r['pdu-out'].length).toBeGreaterThan(0), { timeout: 5000 });
    const msg = r['pdu-out'][0];
    expect(msg.payload['outlet.count']).toBe(24);
    expect(msg.device).toMatchObject({ kind: 'pdu', profile: 'apc-rpdu2', name: `pdu 127.0.0.1:${sim.port}` });
    await vi.waitFor(() => expect(lastStatus(r)).toMatchObject({ fill: 'green', text: expect.stringContaining('1.4 A') }));
  });
});

describe('rackpower-sensor over Modbus TCP', () => {
  let server: TestModbusServer;
  beforeAll(async () => {
    // XY-MD02: input registers 1 and 2 hold tenths of °C and %RH.
    const registers: Record<number, number> = { 1: 235, 2: 412 };
    server = await startModbusServer(async (_fn, _unit, address, count) => Array.from({ length: count }, (_, i) => registers[address + i] ?? 0));
  });
  afterAll(() => server.close());

  const connection = () => ({ id: 'mb', type: 'rackpower-modbus-connection', mode: 'tcp', host: '127.0.0.1', port: server.port, timeout: 1000 });

  it('reads temperature and humidity in NUT names', async () => {
    const r = await load([connection()], { id: 'sensor', type: 'rackpower-sensor', connection: 'mb', profile: 'xy-md02', unit: '1', interval: 1 });
    await vi.waitFor(() => expect(r['sensor-out'].length).toBeGreaterThan(0), { timeout: 5000 });
    const msg = r['sensor-out'][0];
    expect(msg.payload['ambient.1.temperature']).toBe(23.5);
    expect(msg.payload['ambient.1.humidity']).toBe(41.2);
    expect(msg.device).toMatchObject({ kind: 'sensor', profile: 'xy-md02', address: `modbus-tcp://127.0.0.1:${server.port}?unit=1` });
    await vi.waitFor(() => expect(lastStatus(r)).toMatchObject({ fill: 'green', text: '23.5 °C · 41.2 %' }));
  });

  it('refuses Modbus without a chosen profile: red status and a catchable CONFIG error', async () => {
    const r = await load([connection()], { id: 'sensor', type: 'rackpower-sensor', connection: 'mb', profile: 'auto' });
    await vi.waitFor(() => expect(r['catch-out'].length).toBe(1));
    expect(r['catch-out'][0].error).toMatchObject({ code: 'CONFIG', message: expect.stringContaining('choose the device profile') });
    expect(lastStatus(r)).toMatchObject({ fill: 'red', text: expect.stringContaining('status.config') });
  });

  it('leaves no socket or timer behind after a redeploy and a stop', async () => {
    const before = openHandles();
    const sensor = { id: 'sensor', type: 'rackpower-sensor', connection: 'mb', profile: 'xy-md02', interval: 1 };
    const r = await load([connection(), snmpEndpoint('ep', sim.port)], sensor);
    await vi.waitFor(() => expect(r['sensor-out'].length).toBeGreaterThan(0), { timeout: 5000 });
    // Redeploy with a UPS added on the SNMP endpoint: the old nodes close, the new ones open a TCP and a UDP socket.
    const ups = { id: 'ups', type: 'rackpower-ups', z: Z, endpoint: 'ep', interval: 1, wires: [[], []] };
    await helper.setFlows([...flow([connection(), snmpEndpoint('ep', sim.port)], sensor), ups], 'full', { ep: { community: 'phoenixtec-power' } });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(openHandles().filter((h) => h === 'socket').length).toBeGreaterThanOrEqual(before.filter((h) => h === 'socket').length + 2);
    await helper.unload();
    expect(await leftOpen(before)).toEqual([]);
  });
});

describe('a device that does not answer', () => {
  it('turns red with "timeout", sends COMMBAD after 2 failed polls, never ONBATT, and raises one error', async () => {
    const dead = await freeUdpPort();
    const r = await load([snmpEndpoint('ep', dead, { timeout: 200 })], { id: 'ups', type: 'rackpower-ups', endpoint: 'ep', interval: 1 });
    await vi.waitFor(() => expect(r['ups-ev'].map((m) => m.event)).toContain('COMMBAD'), { timeout: 5000 });
    expect(r['ups-ev'].map((m) => m.event)).toEqual(['COMMBAD']);
    const commbad = r['ups-ev'][0];
    expect(commbad.payload).toMatchObject({ error: { code: 'TIMEOUT' } });
    expect(commbad.device.kind).toBe('ups');
    expect(lastStatus(r)).toMatchObject({ fill: 'red', shape: 'ring', text: expect.stringContaining('timeout') });
    // Shown once: an unchanged status is not re-sent on every failed poll.
    expect(statusTexts(r).filter((t) => t.includes('timeout'))).toHaveLength(1);
    // Two failures, one error for the catch node: msg.error.code as Node-RED hands it over.
    expect(r['catch-out']).toHaveLength(1);
    expect(r['catch-out'][0].error).toMatchObject({ code: 'TIMEOUT', source: { id: 'ups' } });
    expect(r['ups-out']).toHaveLength(0);
  });
});

describe('admin API', () => {
  it('lists the profiles for the editor', async () => {
    await load([], { id: 'ups', type: 'rackpower-ups' });
    const res = await helper.request().get('/rackpower/profiles');
    expect(res.status).toBe(200);
    expect(res.body).toContainEqual({ id: 'ietf-ups', vendor: expect.any(String), models: expect.any(Array), kind: 'ups', protocol: 'snmp', control: expect.any(Object) });
    expect(res.body).toContainEqual(expect.objectContaining({ id: 'xy-md02', kind: 'sensor', protocol: 'modbus' }));
    // What the outlet and UPS command dialogs list: the control each profile offers, from its control section.
    expect(res.body).toContainEqual(expect.objectContaining({ id: 'apc-rpdu2', control: { outlet: true, ups: [] } }));
    expect(res.body).toContainEqual(expect.objectContaining({ id: 'eaton-xups', control: { outlet: false, ups: ['test.battery.start', 'shutdown.return', 'shutdown.stop'] } }));
    expect((res.body as { id: string; control?: unknown }[]).find((p) => p.id === 'xy-md02')?.control).toBeUndefined();
  });
});
