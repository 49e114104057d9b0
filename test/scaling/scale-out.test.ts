// Scale-out as docs/scaling.md describes it: two real Node-RED processes (node_modules/node-red/red.js, each with
// its own user dir where this package is symlinked as scripts/start.mjs does), each polling half of the simulated
// rack and publishing into one Mosquitto through the ha-discovery node, each with its own status topic. A consumer
// subscribing to the broker sees every device exactly once, owned by one instance, and an instance that stops takes
// only its own devices offline.
// @module-tag peer: node-red processes
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { startRack, type RunningRack } from '../../src/sim/rack';
import { loadScenario } from '../../src/sim/scenario';
import { freeTcpPort } from '../harness/ports';
import { ROOT, ensureBuilt } from '../nodes/harness';
import { record, retained, type Recorder } from '../integrations/helpers/mqtt';
import { startMosquitto, type Peer } from '../integrations/helpers/peers';

interface Instance {
  name: string;
  dir: string;
  child: ChildProcess;
  output: () => string;
}

let broker: Peer;
let rack: RunningRack;
let consumer: Recorder;
const instances: Instance[] = [];

/** The flow of one shard: its devices → ha-discovery (status topic from the instance's environment) → mqtt out. */
function shardFlow(devices: RunningRack['devices'], brokerPort: number): { flow: object[]; credentials: Record<string, object> } {
  const tab = 'shard';
  const flow: object[] = [
    { id: tab, type: 'tab', label: 'shard' },
    {
      id: 'broker', type: 'mqtt-broker', broker: '127.0.0.1', port: String(brokerPort), clientid: '', autoConnect: true, usetls: false,
      protocolVersion: '5', keepalive: '15', cleansession: true,
      // Node-RED puts the instance's environment variable in these at start: one status topic per instance.
      birthTopic: '${RACKPOWER_STATUS_TOPIC}', birthQos: '1', birthRetain: 'true', birthPayload: 'online', birthMsg: {},
      closeTopic: '${RACKPOWER_STATUS_TOPIC}', closeQos: '1', closeRetain: 'true', closePayload: 'offline', closeMsg: {},
      willTopic: '${RACKPOWER_STATUS_TOPIC}', willQos: '1', willRetain: 'true', willPayload: 'offline', willMsg: {},
    },
    { id: 'ha', type: 'rackpower-ha-discovery', z: tab, discoveryPrefix: 'homeassistant', base: 'rackpower', statusTopic: '${RACKPOWER_STATUS_TOPIC}', expireAfter: 24, wires: [['out']] },
    { id: 'out', type: 'mqtt out', z: tab, topic: '', qos: '', retain: '', broker: 'broker', wires: [] },
    { id: 'in', type: 'mqtt in', z: tab, topic: 'homeassistant/status', qos: '1', datatype: 'utf8', broker: 'broker', nl: false, rap: true, rh: 0, inputs: 0, wires: [['ha']] },
  ];
  const credentials: Record<string, object> = {};
  for (const d of devices) {
    const u = new URL(d.url);
    const conf = `conf-${d.name}`;
    if (d.url.startsWith('snmp:')) {
      flow.push({ id: conf, type: 'rackpower-snmp-endpoint', host: '127.0.0.1', port: u.port, version: '2c', timeout: '500', retries: '0' });
      credentials[conf] = { community: 'public' };
    } else {
      flow.push({ id: conf, type: 'rackpower-modbus-connection', mode: 'tcp', host: '127.0.0.1', port: u.port, timeout: '500' });
    }
    flow.push({
      id: `dev-${d.name}`, type: `rackpower-${d.kind}`, z: tab, name: `rack ${d.name}`, interval: '1', outputMode: 'change', variables: '', prefix: 'rackpower',
      configVersion: 1, transport: d.url.startsWith('snmp:') ? 'snmp' : 'modbus', profile: d.profile, unit: u.searchParams.get('unit') ?? '1',
      endpoint: d.url.startsWith('snmp:') ? conf : '', connection: d.url.startsWith('snmp:') ? '' : conf, wires: [['ha'], ['ha']],
    });
  }
  return { flow, credentials };
}

async function startNodeRed(name: string, devices: RunningRack['devices']): Promise<Instance> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `rackpower-shard-${name}-`));
  const port = await freeTcpPort();
  mkdirSync(path.join(dir, 'node_modules'));
  // As scripts/start.mjs installs the package for the demo: by symlink, the working copy.
  symlinkSync(ROOT, path.join(dir, 'node_modules', 'node-red-contrib-rackpower'), 'dir');
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `shard-${name}`, private: true, dependencies: { 'node-red-contrib-rackpower': 'file:' + ROOT } }));
  writeFileSync(
    path.join(dir, 'settings.js'),
    `module.exports = { flowFile: 'flows.json', credentialSecret: false, uiHost: '127.0.0.1', uiPort: ${port}, httpNodeRoot: '/',
      logging: { console: { level: 'warn', metrics: false, audit: false } }, editorTheme: { tours: false }, telemetry: { enabled: false } };\n`,
  );
  const { flow, credentials } = shardFlow(devices, broker.port);
  writeFileSync(path.join(dir, 'flows.json'), JSON.stringify(flow));
  writeFileSync(path.join(dir, 'flows_cred.json'), JSON.stringify(credentials));
  const child = spawn(process.execPath, [path.join(ROOT, 'node_modules', 'node-red', 'red.js'), '-u', dir], {
    env: { ...process.env, RACKPOWER_STATUS_TOPIC: `rackpower/bridge/${name}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.on('data', (b: Buffer) => (text = (text + b.toString()).slice(-8000)));
  child.stderr!.on('data', (b: Buffer) => (text = (text + b.toString()).slice(-8000)));
  const instance = { name, dir, child, output: () => text };
  instances.push(instance);
  return instance;
}

async function stop(instance: Instance): Promise<void> {
  if (instance.child.exitCode === null && instance.child.signalCode === null) {
    const exited = new Promise((resolve) => instance.child.once('exit', resolve));
    instance.child.kill('SIGTERM');
    await exited;
  }
  rmSync(instance.dir, { recursive: true, force: true });
}

beforeAll(async () => {
  ensureBuilt();
  broker = await startMosquitto();
  rack = await startRack(loadScenario('demo'), { speed: 0, basePort: await freeTcpPort() });
  consumer = await record(broker.port, ['homeassistant/device/+/config', 'rackpower/+', 'rackpower/bridge/+']);
  // Shard A: the SNMP devices (UPS, PDU); shard B: the Modbus ones (sensor, meter).
  await startNodeRed('a', rack.devices.filter((d) => d.url.startsWith('snmp:')));
  await startNodeRed('b', rack.devices.filter((d) => !d.url.startsWith('snmp:')));
}, 60_000);

afterAll(async () => {
  await Promise.all(instances.map(stop));
  await consumer?.close();
  await rack?.close();
  await broker?.stop();
});

const owner = (config: string): string[] =>
  (JSON.parse(config).availability as { topic: string }[]).map((a) => a.topic).filter((t) => t.startsWith('rackpower/bridge/'));

it('shows every device exactly once, each owned by one instance', async () => {
  const configs = () => consumer.messages.filter((m) => m.topic.startsWith('homeassistant/device/') && m.payload);
  await vi.waitFor(
    () => expect(new Set(configs().map((m) => m.topic)).size, instances.map((i) => i.output()).join('\n')).toBe(4),
    { timeout: 60_000, interval: 500 },
  );
  // Ownership: every config ever published for a device came from one instance (one status topic).
  const owners = new Map<string, Set<string>>();
  for (const m of configs()) for (const t of owner(m.payload)) owners.set(m.topic, (owners.get(m.topic) ?? new Set()).add(t));
  expect([...owners.values()].map((s) => s.size)).toEqual([1, 1, 1, 1]);
  // What a consumer joining now gets: four devices, four distinct HA devices, two from each instance.
  const kept = await retained(broker.port, ['homeassistant/device/+/config']);
  const devices = [...kept.values()].map((c) => JSON.parse(c));
  expect(devices).toHaveLength(4);
  expect(new Set(devices.map((d) => d.dev.identifiers[0])).size).toBe(4);
  expect(devices.map((d) => d.dev.name).sort()).toEqual(['rack meter', 'rack pdu', 'rack sensor', 'rack ups']);
  const byInstance = devices.map((d) => [d.dev.name, owner(JSON.stringify(d))[0]]).sort();
  expect(byInstance).toEqual([
    ['rack meter', 'rackpower/bridge/b'],
    ['rack pdu', 'rackpower/bridge/a'],
    ['rack sensor', 'rackpower/bridge/b'],
    ['rack ups', 'rackpower/bridge/a'],
  ]);
  // And a state for each.
  await vi.waitFor(() => expect(new Set(consumer.messages.filter((m) => /^rackpower\/rack_\w+$/.test(m.topic)).map((m) => m.topic)).size).toBe(4), { timeout: 10_000 });
}, 90_000);

it('takes only its own devices offline when one instance stops', async () => {
  await stop(instances.find((i) => i.name === 'a')!);
  await vi.waitFor(async () => {
    const kept = await retained(broker.port, ['rackpower/bridge/+'], 200);
    expect(kept.get('rackpower/bridge/a')).toBe('offline');
    expect(kept.get('rackpower/bridge/b')).toBe('online');
  }, { timeout: 10_000 });
}, 30_000);
