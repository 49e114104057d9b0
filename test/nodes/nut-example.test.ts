// examples/flows/nut-usb-ups.json against the simulated rack's NUT server and apcupsd endpoint (what `npm start`
// serves on 16164/16165; here on free ports): both UPS nodes read, the shutdown node stays armed, the UPS command
// node's dry run checks the command against the UPS's list and sends nothing.
// @module-tag peer: upsd
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { startRack, type RunningRack } from '../../src/sim/rack';
import { loadScenario } from '../../src/sim/scenario';
import { ROOT, helper, nodeModules, record } from './harness';

const nodeRequire = createRequire(__filename);
type FlowNode = Record<string, unknown> & { id: string; type: string };
let rack: RunningRack;

beforeAll(async () => {
  rack = await startRack(loadScenario('demo'), { speed: 0, control: true, upsServers: true });
  await helper.startServer();
});
afterAll(async () => {
  await helper.stopServer();
  await rack?.close();
});

it('reads the simulated USB UPS through NUT and apcupsd, and dry-runs a NUT instant command', async () => {
  const port = (profile: string): string => new URL(rack.servers.find((d) => d.profile === profile)!.url).port;
  const flow = (JSON.parse(readFileSync(path.join(ROOT, 'examples', 'flows', 'nut-usb-ups.json'), 'utf8')) as FlowNode[]).map((n) => {
    if (n.type === 'rackpower-nut-server') return { ...n, port: n.protocol === 'nut' ? port('nut') : port('apcupsd') };
    // Core nodes the test runtime does not load (debug, inject, comment) become helper nodes the test can listen to.
    if (['debug', 'inject', 'comment'].includes(n.type)) return { ...n, type: 'helper' };
    return n;
  });
  const modules = [...nodeModules(), ...['nut-server', 'shutdown', 'ups-command'].map((f) => nodeRequire(path.join(ROOT, 'dist', 'nodes', `${f}.js`)))];
  const byName = (name: string): string => flow.find((n) => n.name === name)!.id;
  const server = flow.find((n) => n.type === 'rackpower-nut-server' && n.protocol === 'nut')!.id;
  // The password is a credential: not in the example's JSON, typed by the user (the simulator's is "admin").
  expect(JSON.stringify(flow)).not.toMatch(/"password"/u);
  await helper.load(modules, flow, { [server]: { password: 'admin' } });
  const r = record([byName('NUT readings'), byName('apcupsd changes'), byName('command result')]);
  await vi.waitFor(() => expect(r[byName('NUT readings')].length).toBeGreaterThan(0), { timeout: 15_000 });
  await vi.waitFor(() => expect(r[byName('apcupsd changes')].length).toBeGreaterThan(0), { timeout: 15_000 });
  const nut = r[byName('NUT readings')][0];
  expect(nut.payload['ups.status']).toBe(rack.model.values('ups')['ups.status']);
  expect(nut.device).toMatchObject({ name: 'USB UPS (NUT)', profile: 'nut', model: 'SIM-UPS 3000' });
  const apc = r[byName('apcupsd changes')][0];
  expect(Object.keys(apc.payload).sort()).toEqual(['battery.charge', 'battery.runtime', 'input.voltage', 'ups.status']);
  expect(apc.device).toMatchObject({ profile: 'apcupsd' });

  const before = rack.setRequests();
  helper.getNode(byName('NUT instant command')).receive({ payload: 'beeper.mute' });
  await vi.waitFor(() => expect(r[byName('command result')]).toHaveLength(1), { timeout: 10_000 });
  expect(r[byName('command result')][0].payload).toMatchObject({ ok: true, dryRun: true, command: 'beeper.mute' });
  expect(rack.setRequests()).toBe(before);
  await helper.unload();
});
