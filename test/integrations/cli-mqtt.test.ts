// `rackpower mqtt` as a user runs it (the built CLI in a child process) against the simulated rack and a real
// Mosquitto: plain readings and events, Home Assistant discovery with --ha (the ha-discovery node's code), offline
// on Ctrl-C, and its refusals.
// @module-tag peer: mosquitto
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { startRack, type RunningRack } from '../../src/sim/rack';
import { loadScenario, parseScenario } from '../../src/sim/scenario';
import { freeTcpPort } from '../harness/ports';
import { ROOT, ensureBuilt } from '../nodes/harness';
import { record, retained } from './helpers/mqtt';
import { startMosquitto, type Peer } from './helpers/peers';

const CLI = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
let broker: Peer;
let rack: RunningRack;
const url = (name: string) => rack.devices.find((d) => d.name === name)!.url;

beforeAll(async () => {
  ensureBuilt();
  broker = await startMosquitto();
  rack = await startRack(loadScenario('demo'), { speed: 0, basePort: await freeTcpPort() });
});
afterAll(async () => {
  await rack?.close();
  await broker?.stop();
});

function run(args: string[]): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  // No state file: a test must not write to the user's ~/.local/state.
  const child = spawn(process.execPath, [CLI, 'mqtt', ...args, '--state', 'none'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout!.on('data', (b: Buffer) => (text += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (text += b.toString()));
  return { child, output: () => text, exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
}

it('publishes readings and events of each device', async () => {
  const recorder = await record(broker.port, ['plain/#']);
  const cli = run([`${url('ups')}#rack%20UPS`, `${url('meter')}#rack meter`, '--broker', `mqtt://127.0.0.1:${broker.port}`, '--prefix', 'plain', '--interval', '1']);
  try {
    await vi.waitFor(() => {
      expect(recorder.on('plain/rack_UPS').length).toBeGreaterThan(0);
      expect(recorder.on('plain/rack_meter').length).toBeGreaterThan(0);
    }, { timeout: 10_000 });
    expect(cli.output()).toContain('rack UPS snmp://127.0.0.1:');
    const ups = recorder.on('plain/rack_UPS')[0];
    expect(ups.retain).toBe(false);
    expect(JSON.parse(ups.payload)).toMatchObject({ 'ups.status': 'OL', 'battery.charge': expect.any(Number) });
    rack.model.advance(70); // the demo's power cut
    await vi.waitFor(() => expect(recorder.on('plain/rack_UPS/event').map((m) => JSON.parse(m.payload).event)).toContain('ONBATT'), { timeout: 10_000 });
  } finally {
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    await recorder.close();
  }
});

it('with --ha publishes discovery, state and availability like the node, and says offline on Ctrl-C', async () => {
  const cli = run([`${url('ups')}#rack UPS`, `${url('pdu')}#rack PDU`, '--broker', `mqtt://127.0.0.1:${broker.port}`, '--ha', '--interval', '1']);
  const configs = ['homeassistant/device/rackpower_rack_UPS/config', 'homeassistant/device/rackpower_APC_SIM-PDU_8_SIM22276329/config'];
  try {
    await vi.waitFor(async () => {
      const kept = await retained(broker.port, ['homeassistant/#', 'rackpower/#'], 200);
      for (const c of configs) expect(kept.has(c)).toBe(true);
      expect(JSON.parse(kept.get(configs[1])!).cmps.outlet_1_current).toMatchObject({ name: 'Outlet web-01 current', unit_of_measurement: 'A' });
      expect(JSON.parse(kept.get('rackpower/rack_PDU')!)).toHaveProperty('outlet.1.current');
      expect(kept.get('rackpower/rack_UPS/availability')).toBe('online');
      expect(kept.get('rackpower/bridge/status')).toBe('online');
    }, { timeout: 10_000 });
  } finally {
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(0);
  }
  const kept = await retained(broker.port, ['rackpower/#'], 200);
  expect(kept.get('rackpower/rack_UPS/availability')).toBe('offline');
  expect(kept.get('rackpower/bridge/status')).toBe('offline');
});

it('refuses a password in the broker URL and reports an unreachable broker', async () => {
  const secret = spawnSync(process.execPath, [CLI, 'mqtt', url('ups'), '--broker', 'mqtt://user:secret@127.0.0.1:1'], { encoding: 'utf8' });
  expect(secret.status).toBe(2);
  expect(secret.stderr).toContain('RACKPOWER_MQTT_PASSWORD');
  const closed = await freeTcpPort();
  const down = spawnSync(process.execPath, [CLI, 'mqtt', url('ups'), '--broker', `mqtt://127.0.0.1:${closed}`], { encoding: 'utf8' });
  expect(down.status).toBe(7);
  expect(down.stderr).toMatch(/^rackpower: unreachable: broker 127\.0\.0\.1:\d+: /);
});

it('two agents on one host: unnamed, they get two names (host:port), two state topics and two HA devices', async () => {
  const two = await startRack(parseScenario({ name: 'two-ups', devices: [{ name: 'ups', profile: 'ietf-ups' }] }, 'cli-mqtt.test.ts'), { speed: 0, copies: 2 });
  const ports = two.devices.map((d) => new URL(d.url).port);
  const cli = run([...two.devices.map((d) => d.url), '--broker', `mqtt://127.0.0.1:${broker.port}`, '--ha', '--prefix', 'twohost', '--interval', '1']);
  try {
    await vi.waitFor(async () => {
      const kept = await retained(broker.port, ['homeassistant/#', 'twohost/#'], 200);
      for (const port of ports) {
        expect(JSON.parse(kept.get(`twohost/127.0.0.1:${port}`) ?? '{}')).toHaveProperty('ups.status');
        const config = kept.get(`homeassistant/device/rackpower_127_0_0_1_${port}/config`);
        expect(config, `config of 127.0.0.1:${port}`).toBeDefined();
        expect(JSON.parse(config!).dev.name).toBe(`127.0.0.1:${port}`);
      }
    }, { timeout: 10_000 });
  } finally {
    cli.child.kill('SIGINT');
    await cli.exited;
    await two.close();
  }
});

it('refuses two devices that would share a name, before contacting anything', async () => {
  for (const args of [[`${url('ups')}#rack`, `${url('pdu')}#rack`], [url('ups'), url('ups')], [`${url('ups')}#rack ups`, `${url('pdu')}#rack/ups`]]) {
    const r = spawnSync(process.execPath, [CLI, 'mqtt', ...args, '--broker', 'mqtt://127.0.0.1:1'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^rackpower: config: two devices would be named "[^"]+" \(.*\): give each its own name with url#name/);
    expect(r.stderr).not.toContain('public@');
  }
});
