// Failover as docs/scaling.md describes it: two real Node-RED processes and Mosquitto, one UPS of the simulated rack.
// Instance A owns the shard; instance B runs the same device node behind a standby node that watches A's status
// topic. Each instance reaches the UPS through its own UDP relay, so the test sees who polls when. A standby does
// not poll; kill -9 of A makes B take over after the grace period (Home Assistant sees the device through B); A
// back makes B hand over within about one polling interval.
// @module-tag peer: node-red processes
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { startRack, type RunningRack } from '../../src/sim/rack';
import { parseScenario } from '../../src/sim/scenario';
import { freeTcpPort } from '../harness/ports';
import { ROOT, ensureBuilt } from '../nodes/harness';
import { record, type Recorder } from '../integrations/helpers/mqtt';
import { startMosquitto, type Peer } from '../integrations/helpers/peers';

const INTERVAL_S = 2;
const GRACE_S = 4;
const STATUS_A = 'rackpower/bridge/a';
const STATUS_B = 'rackpower/bridge/b';

/** A UDP relay to the UPS agent that notes when each request passed: who polls, and when. */
interface Relay {
  port: number;
  requests: number[];
  close(): Promise<void>;
}

async function relay(target: number): Promise<Relay> {
  const front = dgram.createSocket('udp4');
  const requests: number[] = [];
  const upstreams = new Map<string, dgram.Socket>();
  front.on('message', (msg, from) => {
    requests.push(Date.now());
    const key = `${from.address}:${from.port}`;
    let up = upstreams.get(key);
    if (!up) {
      const socket = dgram.createSocket('udp4');
      socket.on('message', (reply) => front.send(reply, from.port, from.address));
      upstreams.set(key, socket);
      up = socket;
    }
    up.send(msg, target, '127.0.0.1');
  });
  await new Promise<void>((resolve) => front.bind(0, '127.0.0.1', resolve));
  return {
    port: front.address().port,
    requests,
    close: async () => {
      for (const s of upstreams.values()) s.close();
      await new Promise<void>((resolve) => front.close(() => resolve()));
    },
  };
}

interface Instance {
  dir: string;
  child: ChildProcess;
  output: () => string;
}

let broker: Peer;
let rack: RunningRack;
let consumer: Recorder;
let relayA: Relay;
let relayB: Relay;
const dirs: string[] = [];
const running: Instance[] = [];

function brokerNode(status: string): object {
  return {
    id: 'broker', type: 'mqtt-broker', broker: '127.0.0.1', port: String(broker.port), clientid: '', autoConnect: true, usetls: false,
    protocolVersion: '5', keepalive: '5', cleansession: true,
    birthTopic: status, birthQos: '1', birthRetain: 'true', birthPayload: 'online', birthMsg: {},
    closeTopic: status, closeQos: '1', closeRetain: 'true', closePayload: 'offline', closeMsg: {},
    willTopic: status, willQos: '1', willRetain: 'true', willPayload: 'offline', willMsg: {},
  };
}

/** The shard (one UPS) as instance A runs it, or as standby B runs it behind a standby node. */
function flow(role: 'owner' | 'standby', relayPort: number): object[] {
  const tab = 'shard';
  const status = role === 'owner' ? STATUS_A : STATUS_B;
  const into = role === 'owner' ? 'ha' : 'standby';
  return [
    { id: tab, type: 'tab', label: 'shard' },
    brokerNode(status),
    { id: 'ep', type: 'rackpower-snmp-endpoint', host: '127.0.0.1', port: String(relayPort), version: '2c', timeout: '500', retries: '0' },
    {
      id: 'ups', type: 'rackpower-ups', z: tab, name: 'rack ups', interval: String(INTERVAL_S), outputMode: 'always', variables: '', prefix: 'rackpower',
      configVersion: 1, transport: 'snmp', profile: 'auto', endpoint: 'ep', wires: [[into], [into]],
    },
    ...(role === 'standby'
      ? [
          { id: 'owner', type: 'mqtt in', z: tab, topic: STATUS_A, qos: '1', datatype: 'utf8', broker: 'broker', nl: false, rap: true, rh: 0, inputs: 0, wires: [['standby']] },
          { id: 'standby', type: 'rackpower-standby', z: tab, ownerTopic: STATUS_A, grace: String(GRACE_S), wires: [['ha'], ['ups']] },
        ]
      : []),
    { id: 'ha', type: 'rackpower-ha-discovery', z: tab, discoveryPrefix: 'homeassistant', base: 'rackpower', statusTopic: status, expireAfter: 24, wires: [['out']] },
    { id: 'out', type: 'mqtt out', z: tab, topic: '', qos: '', retain: '', broker: 'broker', wires: [] },
  ];
}

async function userDir(name: string, role: 'owner' | 'standby', relayPort: number): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `rackpower-standby-${name}-`));
  dirs.push(dir);
  mkdirSync(path.join(dir, 'node_modules'));
  symlinkSync(ROOT, path.join(dir, 'node_modules', 'node-red-contrib-rackpower'), 'dir');
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `standby-${name}`, private: true, dependencies: { 'node-red-contrib-rackpower': 'file:' + ROOT } }));
  writeFileSync(
    path.join(dir, 'settings.js'),
    `module.exports = { flowFile: 'flows.json', credentialSecret: false, uiHost: '127.0.0.1', uiPort: ${await freeTcpPort()}, httpNodeRoot: '/',
      logging: { console: { level: 'info', metrics: false, audit: false } }, editorTheme: { tours: false }, telemetry: { enabled: false } };\n`,
  );
  writeFileSync(path.join(dir, 'flows.json'), JSON.stringify(flow(role, relayPort)));
  writeFileSync(path.join(dir, 'flows_cred.json'), JSON.stringify({ ep: { community: 'public' } }));
  return dir;
}

function startNodeRed(dir: string): Instance {
  const child = spawn(process.execPath, [path.join(ROOT, 'node_modules', 'node-red', 'red.js'), '-u', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout!.on('data', (b: Buffer) => (text = (text + b.toString()).slice(-20_000)));
  child.stderr!.on('data', (b: Buffer) => (text = (text + b.toString()).slice(-20_000)));
  const instance = { dir, child, output: () => text };
  running.push(instance);
  return instance;
}

async function stop(instance: Instance, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (instance.child.exitCode === null && instance.child.signalCode === null) {
    const exited = new Promise((resolve) => instance.child.once('exit', resolve));
    instance.child.kill(signal);
    await exited;
  }
}

/** The status topics a device's discovery configs named, in the order they were published. */
const announcedBy = (): string[] =>
  consumer.messages
    .filter((m) => m.topic === 'homeassistant/device/rackpower_rack_ups/config' && m.payload)
    .map((m) => (JSON.parse(m.payload).availability as { topic: string }[]).map((a) => a.topic).find((t) => t.startsWith('rackpower/bridge/'))!);
const statusAt = (topic: string, payload: string): number | undefined => consumer.messages.filter((m) => m.topic === topic && m.payload === payload).at(-1)?.at;
const after = (list: number[], t: number): number[] => list.filter((x) => x > t);

let a: Instance;
let b: Instance;
let dirA: string;

beforeAll(async () => {
  ensureBuilt();
  broker = await startMosquitto();
  rack = await startRack(parseScenario({ name: 'standby', devices: [{ name: 'ups', profile: 'ietf-ups' }] }, 'standby.test.ts'), { speed: 0 });
  const agent = Number(new URL(rack.devices[0].url).port);
  [relayA, relayB] = await Promise.all([relay(agent), relay(agent)]);
  consumer = await record(broker.port, ['homeassistant/device/+/config', 'rackpower/#']);
  dirA = await userDir('a', 'owner', relayA.port);
  a = startNodeRed(dirA);
  await vi.waitFor(() => expect(announcedBy(), a.output()).toContain(STATUS_A), { timeout: 60_000, interval: 250 });
  b = startNodeRed(await userDir('b', 'standby', relayB.port));
  await vi.waitFor(() => expect(b.output()).toContain('Started flows'), { timeout: 60_000, interval: 250 });
}, 150_000);

afterAll(async () => {
  await Promise.all(running.map((i) => stop(i)));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  await consumer?.close();
  await relayA?.close();
  await relayB?.close();
  await rack?.close();
  await broker?.stop();
});

it('a standby does not poll or publish while the owner is online', async () => {
  const started = Date.now();
  // Longer than the grace period: the owner's retained `online` keeps B in standby.
  await new Promise((resolve) => setTimeout(resolve, (GRACE_S + INTERVAL_S) * 1000));
  expect(after(relayA.requests, started).length, 'the owner polls').toBeGreaterThan(0);
  // B's device node may poll once while its flow starts, before the standby node pauses it: never after.
  expect(after(relayB.requests, started), b.output()).toEqual([]);
  expect(announcedBy()).not.toContain(STATUS_B);
}, 60_000);

it('takes over after the grace period when the owner is killed (kill -9), and Home Assistant follows', async () => {
  const killed = Date.now();
  await stop(a, 'SIGKILL');
  // The broker sends A's will.
  await vi.waitFor(() => expect(statusAt(STATUS_A, 'offline')).toBeGreaterThan(killed), { timeout: 20_000 });
  await vi.waitFor(() => expect(announcedBy().at(-1), b.output()).toBe(STATUS_B), { timeout: (GRACE_S + 20) * 1000, interval: 250 });
  const polls = after(relayB.requests, killed);
  expect(polls.length).toBeGreaterThan(0);
  // Not before the grace period ran out (measured from the will, which follows the kill).
  expect(polls[0] - statusAt(STATUS_A, 'offline')!).toBeGreaterThanOrEqual(GRACE_S * 1000 - 250);
  expect(b.output()).toContain('taking over the shard');
  await vi.waitFor(() => expect(after(relayB.requests, polls[0]).length).toBeGreaterThan(1), { timeout: 10_000 });
}, 60_000);

it('hands the shard back when the owner returns: two pollers for at most about one interval', async () => {
  const restarted = Date.now();
  a = startNodeRed(dirA);
  await vi.waitFor(() => expect(statusAt(STATUS_A, 'online') ?? 0).toBeGreaterThan(restarted), { timeout: 60_000, interval: 250 });
  await vi.waitFor(() => expect(announcedBy().at(-1)).toBe(STATUS_A), { timeout: 30_000, interval: 250 });
  await vi.waitFor(() => expect(b.output()).toContain('handing the shard back'), { timeout: 10_000 });
  // Let any poll in flight finish, then watch: only A polls.
  await new Promise((resolve) => setTimeout(resolve, (INTERVAL_S + 1) * 1000));
  const firstA = after(relayA.requests, restarted)[0];
  const lastB = relayB.requests.at(-1)!;
  expect(firstA).toBeDefined();
  // The overlap: from A's first poll to B's last. One interval, with room for a loaded machine's scheduling.
  expect(lastB - firstA, 'B polled on after A was back').toBeLessThan(INTERVAL_S * 1000 * 2);
  const quiet = Date.now();
  await new Promise((resolve) => setTimeout(resolve, INTERVAL_S * 2 * 1000));
  expect(after(relayB.requests, quiet)).toEqual([]);
  expect(after(relayA.requests, quiet).length).toBeGreaterThan(0);
}, 120_000);
