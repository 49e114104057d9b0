// Inputs and settings the device nodes and the Discover endpoint must refuse, in a real Node-RED runtime
// (node-red-node-test-helper): a msg.interval beyond the node's own bounds (it used to overflow setTimeout and poll
// without pause), a serial port that is a file or another kind of device, and a stored SNMP secret asked to go to
// another port of its host (a UDP socket on that port counts what would have reached it).
import dgram from 'node:dgram';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startRack, type RunningRack } from '../../src/sim/rack';
import { parseScenario } from '../../src/sim/scenario';
import { helper, nodeModules, record } from './harness';

const Z = 'flow1';
let nodes: unknown[];
let rack: RunningRack;
let dir: string;

beforeAll(async () => {
  nodes = nodeModules();
  rack = await startRack(parseScenario({ name: 'refusals', devices: [{ name: 'ups', profile: 'ietf-ups' }], events: [] }, 'input-refusals.test.ts'), { speed: 0 });
  dir = mkdtempSync(path.join(tmpdir(), 'rackpower-serial-'));
  await helper.startServer();
}, 30_000);
afterAll(async () => {
  await helper.stopServer();
  await rack?.close();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => helper.unload());

const upsPort = (): number => Number(new URL(rack.devices[0].url).port);
const endpoint = (extra: object = {}) => ({ id: 'ep', type: 'rackpower-snmp-endpoint', host: '127.0.0.1', port: upsPort(), version: '2c', timeout: 500, retries: 0, ...extra });
const watchers = [
  { id: 'st', type: 'status', z: Z, scope: null, wires: [['status-out']] },
  { id: 'ca', type: 'catch', z: Z, scope: null, uncaught: false, wires: [['caught']] },
  ...['out', 'status-out', 'caught'].map((id) => ({ id, type: 'helper', z: Z })),
];

describe('msg.interval is held to the node’s own bounds (1 to 86400 s)', () => {
  it.each([1e12, 86_401, 0.5, NaN, '30'])('msg.interval %s: a catchable CONFIG error, the interval unchanged, nothing polled', async (interval) => {
    await helper.load(nodes, [{ id: Z, type: 'tab' }, endpoint(), { id: 'ups', type: 'rackpower-ups', z: Z, endpoint: 'ep', profile: 'ietf-ups', interval: 3600, wires: [['out'], []] }, ...watchers], {
      ep: { community: 'public' },
    });
    const r = record(['out', 'caught']);
    await vi.waitFor(() => expect(r.out).toHaveLength(1), { timeout: 10_000 }); // the first poll, at start
    helper.getNode('ups').receive({ topic: 'set interval', interval });
    await vi.waitFor(() => expect(r.caught).toHaveLength(1), { timeout: 5000 });
    expect(r.caught[0]).toMatchObject({ topic: 'set interval', error: { code: 'CONFIG', message: expect.stringContaining('must be a number of seconds from 1 to 86400') } });
    // A later message still polls once, at the old interval: the refused one changed nothing.
    helper.getNode('ups').receive({ topic: 'poll' });
    await vi.waitFor(() => expect(r.out).toHaveLength(2), { timeout: 5000 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(r.out).toHaveLength(2);
  });

  it('86400 s itself is accepted and polls', async () => {
    await helper.load(nodes, [{ id: Z, type: 'tab' }, endpoint(), { id: 'ups', type: 'rackpower-ups', z: Z, endpoint: 'ep', profile: 'ietf-ups', interval: 3600, wires: [['out'], []] }, ...watchers], {
      ep: { community: 'public' },
    });
    const r = record(['out', 'caught']);
    await vi.waitFor(() => expect(r.out).toHaveLength(1), { timeout: 10_000 });
    helper.getNode('ups').receive({ interval: 86_400 });
    await vi.waitFor(() => expect(r.out).toHaveLength(2), { timeout: 5000 });
    expect(r.caught).toHaveLength(0);
  });
});

describe('a Modbus serial port must be a serial character device', () => {
  const sensorFlow = (serialPath: string): object[] => [
    { id: Z, type: 'tab' },
    { id: 'mb', type: 'rackpower-modbus-connection', mode: 'rtu', serialPath, baudRate: 9600, timeout: 500 },
    { id: 'sensor', type: 'rackpower-sensor', z: Z, connection: 'mb', profile: 'xy-md02', unit: '1', interval: 1, wires: [['out'], []] },
    ...watchers,
  ];

  it.each([
    ['a regular file', () => '/etc/passwd', /\/etc\/passwd is a regular file, not a serial port/u],
    ['a directory', () => dir, /is a directory, not a serial port/u],
    ['a symlink to a file', () => link('ttyFAKE0', '/etc/hostname'), /is a regular file, not a serial port/u],
    ['a character device that is no serial line', () => '/dev/null', /\/dev\/null is a character device but not a serial port/u],
  ])('%s: the sensor node says why (status and Catch), nothing is opened', async (_what, serialPath, reason) => {
    await helper.load(nodes, sensorFlow(serialPath()));
    const r = record(['caught', 'status-out']);
    await vi.waitFor(() => expect(r.caught).toHaveLength(1), { timeout: 5000 });
    expect(r.caught[0].error).toMatchObject({ code: 'CONFIG', message: expect.stringMatching(reason) });
    expect(r['status-out'].at(-1)?.status).toMatchObject({ fill: 'red' });
  });

  it('Discover answers 400 with the reason for a file given as the serial port', async () => {
    await helper.load(nodes, [{ id: Z, type: 'tab' }]);
    const res = await post({ kind: 'sensor', protocol: 'modbus', profile: 'xy-md02', unit: '1', link: { mode: 'rtu', serialPath: '/etc/passwd', baudRate: '9600' } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: 'BAD_REQUEST', message: expect.stringContaining('/etc/passwd is a regular file, not a serial port') } });
  });
});

describe('Discover sends a stored SNMP secret only to the host and port it was stored for', () => {
  it('the same host on another port: 400, and nothing reaches that port', async () => {
    const other = dgram.createSocket('udp4');
    const received: Buffer[] = [];
    other.on('message', (m) => received.push(m));
    await new Promise<void>((resolve) => other.bind(0, '127.0.0.1', () => resolve()));
    try {
      await helper.load(nodes, [{ id: Z, type: 'tab' }, endpoint()], { ep: { community: 'stored-secret' } });
      const body = (port: number) => ({
        kind: 'ups', protocol: 'snmp', profile: 'auto',
        agent: { id: 'ep', host: '127.0.0.1', port, version: '2c', timeout: 300, retries: 0, credentials: { community: '__PWRD__' } },
      });
      const res = await post(body(other.address().port));
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: { code: 'BAD_REQUEST', message: `the stored community of this SNMP agent is only sent to 127.0.0.1:${upsPort()}: type it again to probe 127.0.0.1:${other.address().port}` },
      });
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(received).toHaveLength(0);
      // Its own host and port still get it.
      expect((await post(body(upsPort()))).status).toBe(200);
    } finally {
      other.close();
    }
  });
});

function link(name: string, target: string): string {
  const p = path.join(dir, name);
  writeFileSync(path.join(dir, 'unused'), '');
  rmSync(p, { force: true });
  symlinkSync(target, p);
  return p;
}

/** POST /rackpower/discover through the helper's admin server (supertest). */
function post(body: object): Promise<{ status: number; body: unknown }> {
  const agent = helper.request() as unknown as { post(url: string): { send(b: object): Promise<{ status: number; body: unknown }> } };
  return agent.post('/rackpower/discover').send(body);
}
