// A UPS on a USB cable, behind NUT's real upsd (dummy-ups serving a real device dump), in a real Node-RED runtime:
// the NUT server config node shares one connection between two UPS nodes; readings, ONBATT/LOWBATT from a status
// change in the dump, the shutdown node triggered by them, Prometheus and Home Assistant outputs, COMMBAD when the
// driver is gone, and nothing left open after the flow stops.
// @module-tag peer: upsd
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ROOT, helper, nodeModules, openHandles, record } from './harness';
import { ADMIN, MONITOR, startUpsd, type Upsd } from '../harness/upsd';
import { NutClient } from '../../src/protocol/nut/client';
import net from 'node:net';

const nodeRequire = createRequire(__filename);
const Z = 'usb';
type RedApi = { httpNode: (req: unknown, res: unknown) => void };

let upsd: Upsd;
let server: Server;
let httpNode: RedApi['httpNode'] | undefined;
let base: string;

beforeAll(async () => {
  upsd = await startUpsd({
    eaton: 'Eaton__5PX__snmp-ups__2.7.4__01.dev',
    apc: 'APC__Smart-UPS_1000__snmp-ups__2.7.4__01.dev',
    cyber: 'Cyber_Power_Systems__PR2200LCDRT2U__snmp-ups__2.7.2__01.dev',
  });
  server = createServer((req, res) => (httpNode ? httpNode(req, res) : res.writeHead(503).end()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await helper.startServer();
}, 120_000);
afterAll(async () => {
  await helper.stopServer();
  await new Promise((resolve) => server.close(resolve));
  await upsd?.stop();
});

function modules(): unknown[] {
  const deviceNodes = nodeModules();
  const dist = (f: string): unknown => nodeRequire(path.join(ROOT, 'dist', 'nodes', `${f}.js`));
  const prometheus = dist('prometheus') as (RED: RedApi) => void;
  return [
    ...deviceNodes,
    dist('nut-server'),
    dist('shutdown'),
    dist('ha-discovery'),
    (RED: RedApi) => {
      httpNode = RED.httpNode;
      return prometheus(RED);
    },
  ];
}

const flow = (): object[] => [
  { id: Z, type: 'tab' },
  { id: 'srv', type: 'rackpower-nut-server', protocol: 'nut', host: '127.0.0.1', port: String(upsd.port), tls: 'off', user: '', timeout: '2000' },
  {
    id: 'ups', type: 'rackpower-ups', z: Z, name: 'usb ups', transport: 'nut', server: 'srv', ups: 'eaton', interval: 1, confirm: 1, outputMode: 'always',
    wires: [['readings', 'prom', 'ha', 'sd'], ['events', 'sd', 'ha']],
  },
  { id: 'ups2', type: 'rackpower-ups', z: Z, name: 'apc', transport: 'nut', server: 'srv', ups: 'apc', interval: 1, confirm: 1, outputMode: 'always', wires: [['readings2'], []] },
  {
    id: 'sd', type: 'rackpower-shutdown', z: Z, supplies: 'usb ups', redundancy: 'all', onBatteryS: '', runtimeBelowS: '', lowBattery: true, fsd: true,
    stages: [{ name: 'hosts', delayS: 0, actions: [{ name: 'nas off', payload: { host: 'nas', action: 'shutdown' } }] }],
    wires: [['actions'], ['audit']],
  },
  { id: 'prom', type: 'rackpower-prometheus', z: Z, path: '/metrics', forgetAfter: 60 },
  { id: 'ha', type: 'rackpower-ha-discovery', z: Z, discoveryPrefix: 'homeassistant', base: 'rackpower', statusTopic: 'rackpower/bridge/status', wires: [['mqtt']] },
  ...['readings', 'readings2', 'events', 'actions', 'audit', 'mqtt'].map((id) => ({ id, type: 'helper', z: Z })),
];

describe('a NUT-backed UPS in Node-RED', () => {
  it('reads, raises ONBATT and LOWBATT from the dump, triggers the shutdown node, feeds Prometheus and Home Assistant, then COMMBAD', async () => {
    const before = openHandles();
    await helper.load(modules(), flow(), { srv: { password: '' } });
    const r = record(['readings', 'readings2', 'events', 'actions', 'audit', 'mqtt']);

    // Both UPS nodes read through the one server connection; values typed, identity from the dump.
    await vi.waitFor(() => expect(r.readings.length).toBeGreaterThan(0), { timeout: 15_000 });
    await vi.waitFor(() => expect(r.readings2.length).toBeGreaterThan(0), { timeout: 15_000 });
    const first = r.readings[0];
    const reference = await upsd.upsc('eaton');
    expect(first.payload['ups.status']).toBe('OL');
    expect(first.payload['battery.charge']).toBe(Number(reference.get('battery.charge')));
    expect(first.device).toMatchObject({ name: 'usb ups', kind: 'ups', profile: 'nut', address: `nut://127.0.0.1:${upsd.port}/eaton` });
    expect(first.flags).toMatchObject({ online: true, onBattery: false });
    expect(r.readings2[0].payload['ups.status']).toBe('OB');

    // Home Assistant: the UPS announced as a device with NUT-named sensors.
    await vi.waitFor(() => expect(r.mqtt.some((m) => String(m.topic).startsWith('homeassistant/device/'))).toBe(true));
    const config = r.mqtt.find((m) => String(m.topic).startsWith('homeassistant/device/'))!;
    const ha = JSON.parse(String(config.payload)) as { dev: Record<string, unknown>; cmps: Record<string, unknown> };
    expect(ha.dev).toMatchObject({ name: 'usb ups' });
    expect(Object.keys(ha.cmps)).toContain('battery_charge');

    // Prometheus: the NUT UPS on the scrape page.
    await vi.waitFor(async () => {
      const page = await (await fetch(`${base}/metrics`)).text();
      // device_id: the stable label, from the serial upsd reports.
      expect(page).toMatch(/^rackpower_device_up\{device="usb ups",device_id="[^"]+"\} 1$/mu);
      expect(page).toMatch(new RegExp(`^rackpower_battery_charge_ratio\\{device="usb ups",device_id="[^"]+"\\} ${Number(reference.get('battery.charge')) / 100}$`, 'mu'));
    });

    // The power fails: dummy-ups re-reads the dump, upsd says OB, the node raises ONBATT.
    upsd.setVariable('eaton', 'ups.status', 'OB DISCHRG');
    await vi.waitFor(() => expect(r.events.map((m) => m.event)).toContain('ONBATT'), { timeout: 20_000 });
    expect(r.actions).toHaveLength(0);
    // Low battery: LOWBATT, and the shutdown node runs its stage.
    upsd.setVariable('eaton', 'ups.status', 'OB DISCHRG LB');
    await vi.waitFor(() => expect(r.events.map((m) => m.event)).toContain('LOWBATT'), { timeout: 20_000 });
    await vi.waitFor(() => expect(r.actions.map((m) => m.payload)).toEqual([{ host: 'nas', action: 'shutdown' }]), { timeout: 10_000 });
    expect(r.audit[0].payload).toMatchObject({ event: 'trigger' });

    // The driver dies (USB cable pulled, driver gone): upsd answers DRIVER-NOT-CONNECTED, the node says COMMBAD.
    await upsd.stopDriver('eaton');
    await vi.waitFor(() => expect(r.events.map((m) => m.event)).toContain('COMMBAD'), { timeout: 20_000 });
    const commbad = r.events.find((m) => m.event === 'COMMBAD')!;
    expect((commbad.payload as { error?: { message: string } }).error?.message).toMatch(/DRIVER-NOT-CONNECTED|DATA-STALE/u);
    // The other UPS on the same server keeps reading.
    const seen = r.readings2.length;
    await vi.waitFor(() => expect(r.readings2.length).toBeGreaterThan(seen + 1), { timeout: 10_000 });

    await helper.unload();
    // No socket or timer more than before the flow started (the NUT connection is closed with its config node).
    const count = (list: string[]): Record<string, number> => list.reduce<Record<string, number>>((c, h) => ({ ...c, [h]: (c[h] ?? 0) + 1 }), {});
    await vi.waitFor(() => {
      const now = count(openHandles());
      const then = count(before);
      for (const [kind, n] of Object.entries(now)) expect(n, kind).toBeLessThanOrEqual(then[kind] ?? 0);
    }, { timeout: 5000 });
  }, 120_000);
});

/** What upsmon on the primary host does when its battery runs out: LOGIN, then FSD (upsd adds FSD to ups.status). */
async function primaryFsd(ups: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(upsd.port, '127.0.0.1');
    const replies: string[] = [];
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      replies.push(...d.split('\n').filter(Boolean));
      if (replies.length >= 4) {
        socket.end('LOGOUT\n');
        resolve(replies);
      }
    });
    socket.on('error', reject);
    socket.write(`USERNAME ${ADMIN.user}\nPASSWORD ${ADMIN.password}\nLOGIN ${ups}\nFSD ${ups}\n`);
  });
}

describe('a secondary of a NUT primary', () => {
  it('LOGINs to each UPS (upsd counts them) and a primary\'s forced shutdown reaches the shutdown node as FSD', async () => {
    const observer = new NutClient({ host: '127.0.0.1', port: upsd.port, tls: 'off', timeoutMs: 3000 });
    try {
      const before = await observer.numLogins('cyber');
      const beforeApc = await observer.numLogins('apc');
      const nodes = flow().map((n) => {
        const node = n as Record<string, unknown>;
        if (node.id === 'srv') return { ...node, user: MONITOR.user, login: true };
        if (node.id === 'ups') return { ...node, ups: 'cyber', wires: [['readings', 'sd'], ['events', 'sd']] };
        if (node.id === 'ups2' || node.id === 'prom' || node.id === 'ha') return { ...node, wires: [] };
        return node;
      });
      await helper.load(modules(), nodes, { srv: { password: MONITOR.password } });
      const r = record(['readings', 'events', 'actions', 'audit']);
      await vi.waitFor(() => expect(r.readings.length).toBeGreaterThan(0), { timeout: 15_000 });
      // Each UPS read with Secondary on is counted: upsd keeps one LOGIN per connection, so each has its own.
      await vi.waitFor(async () => expect(await observer.numLogins('cyber')).toBe(before + 1), { timeout: 10_000 });
      await vi.waitFor(async () => expect(await observer.numLogins('apc')).toBe(beforeApc + 1), { timeout: 10_000 });
      expect(r.actions).toHaveLength(0);

      expect(await primaryFsd('cyber')).toEqual(['OK', 'OK', 'OK', 'OK FSD-SET']);
      await vi.waitFor(() => expect(r.events.map((m) => m.event)).toContain('FSD'), { timeout: 15_000 });
      expect(String(r.readings.at(-1)!.payload['ups.status'])).toMatch(/\bFSD\b/u);
      await vi.waitFor(() => expect(r.actions.map((m) => m.payload)).toEqual([{ host: 'nas', action: 'shutdown' }]), { timeout: 10_000 });
      expect(r.audit[0].payload).toMatchObject({ event: 'trigger', reason: expect.stringMatching(/FSD|forced/iu) });
      await helper.unload();
      await vi.waitFor(async () => expect(await observer.numLogins('cyber')).toBe(before), { timeout: 10_000 });
      await vi.waitFor(async () => expect(await observer.numLogins('apc')).toBe(beforeApc), { timeout: 10_000 });
    } finally {
      await observer.close();
    }
  }, 120_000);
});
