// Device names in a real Node-RED runtime against a simulated rack with two UPS agents on one host (two ports) and
// two Modbus sensors behind one gateway (two unit ids): unnamed nodes get distinct default names, and two nodes
// that share a name both say so under themselves until one of them goes.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startRack, type RackDevice, type RunningRack } from '../../src/sim/rack';
import { parseScenario } from '../../src/sim/scenario';
import { helper, nodeModules, record, type Received } from './harness';
import { DeviceNames } from '../../nodes/lib/device-names';

const Z = 'flow1';
let nodes: unknown[];
let rack: RunningRack;

beforeAll(async () => {
  nodes = nodeModules();
  const scenario = parseScenario(
    {
      name: 'same-host',
      devices: [
        { name: 'ups', profile: 'ietf-ups' },
        { name: 'sensor-a', profile: 'xy-md02' },
        { name: 'sensor-b', profile: 'xy-md02' },
      ],
    },
    'device-names.test.ts',
  );
  // Two copies: two UPS agents on 127.0.0.1; each copy's sensors are two units behind one Modbus TCP server.
  rack = await startRack(scenario, { speed: 0, copies: 2 });
  await helper.startServer();
}, 120_000);
afterAll(async () => {
  await helper.stopServer();
  await rack?.close();
});
afterEach(() => helper.unload());

const device = (name: string): RackDevice => rack.devices.find((d) => d.name === name)!;
const port = (d: RackDevice): number => Number(new URL(d.url).port);
const unit = (d: RackDevice): number => Number(new URL(d.url).searchParams.get('unit'));

const configs = (): object[] => [
  { id: 'ep-a', type: 'rackpower-snmp-endpoint', host: '127.0.0.1', port: port(device('ups-1')), version: '2c', timeout: 1000, retries: 0 },
  { id: 'ep-b', type: 'rackpower-snmp-endpoint', host: '127.0.0.1', port: port(device('ups-2')), version: '2c', timeout: 1000, retries: 0 },
  { id: 'mb', type: 'rackpower-modbus-connection', mode: 'tcp', host: '127.0.0.1', port: port(device('sensor-a-1')), timeout: 1000 },
];
const credentials = { 'ep-a': { community: 'public' }, 'ep-b': { community: 'public' } };

/** Device nodes wired to helpers `<id>-out`, plus a status watcher. */
function flow(devices: { id: string; [key: string]: unknown }[]): object[] {
  return [
    { id: Z, type: 'tab' },
    { id: 'st1', type: 'status', z: Z, scope: null, wires: [['status-out']] },
    ...configs(),
    ...devices.map((d) => ({ z: Z, interval: 3600, wires: [[`${d.id}-out`], []], ...d })),
    ...[...devices.map((d) => `${d.id}-out`), 'status-out'].map((id) => ({ id, type: 'helper', z: Z })),
  ];
}

async function load(devices: { id: string; [key: string]: unknown }[]): Promise<Received> {
  const f = flow(devices);
  await helper.load(nodes, f, credentials);
  return record(f.filter((n) => (n as { type: string }).type === 'helper').map((n) => (n as { id: string }).id));
}

/** The latest status each node showed, by node id. */
function statuses(r: Received): Record<string, { fill: string; text: string }> {
  const out: Record<string, { fill: string; text: string }> = {};
  for (const m of r['status-out']) out[(m.status as unknown as { source: { id: string } }).source.id] = m.status as { fill: string; text: string };
  return out;
}

describe('default device names', () => {
  it('two UPS agents on one host and two Modbus units behind one gateway get four distinct names', async () => {
    const r = await load([
      { id: 'ups1', type: 'rackpower-ups', endpoint: 'ep-a' },
      { id: 'ups2', type: 'rackpower-ups', endpoint: 'ep-b' },
      { id: 's1', type: 'rackpower-sensor', connection: 'mb', profile: 'xy-md02', unit: unit(device('sensor-a-1')) },
      { id: 's2', type: 'rackpower-sensor', connection: 'mb', profile: 'xy-md02', unit: unit(device('sensor-b-1')) },
    ]);
    const ids = ['ups1', 'ups2', 's1', 's2'];
    await vi.waitFor(() => ids.forEach((id) => expect(r[`${id}-out`].length, id).toBeGreaterThan(0)), { timeout: 15_000 });
    const names = ids.map((id) => r[`${id}-out`][0].device.name as string);
    expect(names).toEqual([
      `ups 127.0.0.1:${port(device('ups-1'))}`,
      `ups 127.0.0.1:${port(device('ups-2'))}`,
      `sensor 127.0.0.1:${port(device('sensor-a-1'))} unit ${unit(device('sensor-a-1'))}`,
      `sensor 127.0.0.1:${port(device('sensor-b-1'))} unit ${unit(device('sensor-b-1'))}`,
    ]);
    expect(new Set(ids.map((id) => r[`${id}-out`][0].topic)).size).toBe(4);
    for (const [id, status] of Object.entries(statuses(r))) expect(status.text, id).not.toContain('duplicateName');
  });
});

describe('two device nodes, one name', () => {
  it('two nodes reading the same device under one name (imported examples) are no collision', async () => {
    const r = await load([
      { id: 'ups1', type: 'rackpower-ups', endpoint: 'ep-a', name: 'rack ups' },
      { id: 'ups2', type: 'rackpower-ups', endpoint: 'ep-a', name: 'rack ups' },
    ]);
    await vi.waitFor(() => ['ups1', 'ups2'].forEach((id) => expect(statuses(r)[id], id).toMatchObject({ fill: 'green' })), { timeout: 15_000 });
    for (const status of Object.values(statuses(r))) expect(status.text).not.toContain('duplicateName');
  });

  it('both warn under the node while polling on; the warning goes when one of them is removed', async () => {
    const twins = [
      { id: 'ups1', type: 'rackpower-ups', endpoint: 'ep-a', name: 'rack ups' },
      // A different spelling that makes the same topic level: still a collision.
      { id: 'ups2', type: 'rackpower-ups', endpoint: 'ep-b', name: 'rack/ups' },
    ];
    const r = await load(twins);
    await vi.waitFor(() => ['ups1', 'ups2'].forEach((id) => expect(r[`${id}-out`].length, id).toBeGreaterThan(0)), { timeout: 15_000 });
    await vi.waitFor(() => {
      const s = statuses(r);
      for (const id of ['ups1', 'ups2']) expect(s[id], id).toMatchObject({ fill: 'yellow', text: expect.stringMatching(/status\.duplicateName · OL/) });
    });
    // Redeploy without the second: the first one's status is its reading alone again.
    await helper.setFlows(flow(twins.slice(0, 1)), 'full', credentials);
    const after = record(['ups1-out', 'status-out']);
    helper.getNode('ups1').receive({});
    await vi.waitFor(() => expect(statuses(after).ups1).toMatchObject({ fill: 'green', text: expect.stringMatching(/^OL/) }), { timeout: 10_000 });
  });
});

describe('the name registry', () => {
  it('counts the other devices (addresses) that carry the name, not the nodes', () => {
    const names = new DeviceNames();
    const heard: Record<string, number> = {};
    const releaseA = names.claim('rack ups', '10.0.0.5:161', 'a', (n) => (heard.a = n));
    names.claim('rack ups', '10.0.0.5:161', 'b', (n) => (heard.b = n)); // the same UPS in a second flow
    expect(heard).toEqual({ a: 0, b: 0 });
    names.claim('rack/ups', '10.0.0.6:161', 'c', (n) => (heard.c = n));
    expect(heard).toEqual({ a: 1, b: 1, c: 1 });
    releaseA();
    names.claim('rack ups', '10.0.0.7:161', 'd', (n) => (heard.d = n));
    expect(heard).toEqual({ a: 1, b: 2, c: 2, d: 2 });
  });
});
