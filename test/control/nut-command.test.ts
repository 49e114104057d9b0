// rackpower-ups-command sending NUT instant commands (INSTCMD, confirmed by upsd tracking) through the NUT server
// config node, in a real Node-RED runtime against the simulated rack's NUT server: the same guards as over SNMP.
// @module-tag peer: upsd
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startRack, type RunningRack } from '../../src/sim/rack';
import { loadScenario } from '../../src/sim/scenario';
import type { Ups } from '../../src/sim/devices/ups';
import { ROOT, helper, nodeModules, record } from '../nodes/harness';

const nodeRequire = createRequire(__filename);
const Z = 'nut-tab';
let rack: RunningRack;
let nodes: unknown[];
const audible = (): number => rack.model.control('ups', (u) => (u as Ups).audible);

beforeAll(async () => {
  rack = await startRack(loadScenario('demo'), { speed: 0, control: true, upsServers: true });
  nodes = [...nodeModules(), ...['nut-server', 'ups-command'].map((f) => nodeRequire(path.join(ROOT, 'dist', 'nodes', `${f}.js`)))];
  await helper.startServer();
});
afterAll(async () => {
  await helper.stopServer();
  await rack?.close();
});
afterEach(() => helper.unload());

function flow(server: object, command: object): object[] {
  const url = new URL(rack.servers.find((d) => d.profile === 'nut')!.url);
  return [
    { id: Z, type: 'tab' },
    { id: 'srv', type: 'rackpower-nut-server', protocol: 'nut', host: '127.0.0.1', port: url.port, user: 'admin', tls: 'off', ...server },
    { id: 'cmd', type: 'rackpower-ups-command', z: Z, server: 'srv', ups: 'ups', allow: 'beeper.mute, beeper.enable', rateCount: 3, ratePerS: 300, dryRun: false, ...command, wires: [['out']] },
    { id: 'out', type: 'helper', z: Z },
    { id: 'catcher', type: 'catch', z: Z, scope: ['cmd'], wires: [['caught']] },
    { id: 'caught', type: 'helper', z: Z },
  ];
}
const creds = { srv: { password: 'admin' } };

describe('rackpower-ups-command through a NUT server', () => {
  it('sends an allowed INSTCMD, confirmed by tracking, and the model obeys', async () => {
    await helper.load(nodes, flow({ allowControl: true }, {}), creds);
    const r = record(['out', 'caught']);
    rack.model.control('ups', (u) => ((u as Ups).audible = 2));
    const before = rack.setRequests();
    helper.getNode('cmd').receive({ payload: 'beeper.mute' });
    await vi.waitFor(() => expect(r.out).toHaveLength(1), { timeout: 10_000 });
    expect(r.out[0].payload).toMatchObject({ ok: true, dryRun: false, verified: true, readback: 'SUCCESS', command: 'beeper.mute', sent: ['INSTCMD ups beeper.mute'] });
    expect(audible()).toBe(3);
    expect(rack.setRequests()).toBe(before + 1);
  });

  it('keeps the guards: not on the allowlist, a dry run asked by the message, control off on the server', async () => {
    await helper.load(nodes, flow({ allowControl: true }, {}), creds);
    const r = record(['out', 'caught']);
    const before = rack.setRequests();
    helper.getNode('cmd').receive({ payload: 'shutdown.return' });
    await vi.waitFor(() => expect(r.caught).toHaveLength(1), { timeout: 10_000 });
    expect(r.out[0].payload).toMatchObject({ ok: false, error: { code: 'CONFIG', message: expect.stringContaining('not on the allowlist') } });
    helper.getNode('cmd').receive({ payload: 'beeper.enable', dryRun: true });
    await vi.waitFor(() => expect(r.out).toHaveLength(2), { timeout: 10_000 });
    expect(r.out[1].payload).toMatchObject({ ok: true, dryRun: true });
    expect(rack.setRequests()).toBe(before);

    await helper.unload();
    await helper.load(nodes, flow({ allowControl: false }, {}), creds);
    const off = record(['out', 'caught']);
    helper.getNode('cmd').receive({ payload: 'beeper.mute' });
    await vi.waitFor(() => expect(off.caught).toHaveLength(1), { timeout: 10_000 });
    expect(off.out[0].payload).toMatchObject({ ok: false, error: { code: 'CONFIG', message: expect.stringContaining('control is not enabled') } });
    expect(rack.setRequests()).toBe(before);
  });

  it('a command the UPS does not list is refused before anything is sent', async () => {
    await helper.load(nodes, flow({ allowControl: true }, { allow: 'load.off' }), creds);
    const r = record(['out', 'caught']);
    const before = rack.setRequests();
    helper.getNode('cmd').receive({ payload: 'load.off' });
    await vi.waitFor(() => expect(r.caught).toHaveLength(1), { timeout: 10_000 });
    expect(r.out[0].payload).toMatchObject({ ok: false, error: { code: 'CONFIG', message: expect.stringContaining('offers no load.off') } });
    expect(rack.setRequests()).toBe(before);
  });
});
