// The UPS node in a real Node-RED runtime against a simulated UPS with a tiny aged battery, in real time: energy
// counters and battery truth in the payload, the learning shown in the node status, REPLBATT on the events output,
// and the state kept in the node's context across a redeploy.
// @module-tag slow: a simulated battery learned in real time
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startRack, type RunningRack } from '../../src/sim/rack';
import { parseScenario } from '../../src/sim/scenario';
import { helper, nodeModules, record } from '../nodes/harness';

const Z = 'flow1';
let nodes: unknown[];
let rack: RunningRack;

beforeAll(async () => {
  nodes = nodeModules();
  // 30 Wh at 70 % behind some 1.7 kW: about 45 s from full, so a 15 s cut teaches the model in real time.
  const scenario = parseScenario(
    {
      name: 'tiny-battery',
      seed: 13,
      devices: [
        { name: 'ups', profile: 'ietf-ups', battery: { capacityWh: 30, health: 0.7, firmware: 'new-battery', chargerW: 1500 } },
        { name: 'pdu', profile: 'apc-rpdu2' },
      ],
      events: [{ at: 4, action: 'power-cut', duration: 15 }],
    },
    'node.test.ts',
  );
  rack = await startRack(scenario, { speed: 1 });
  await helper.startServer();
});
afterAll(async () => {
  await helper.stopServer();
  await rack?.close();
});
afterEach(() => helper.unload());

function flow(port: number): object[] {
  return [
    { id: Z, type: 'tab' },
    { id: 'st', type: 'status', z: Z, scope: null, wires: [['status-out']] },
    { id: 'ep', type: 'rackpower-snmp-endpoint', host: '127.0.0.1', port, version: '2c', timeout: 2000, retries: 1 },
    { id: 'ups1', type: 'rackpower-ups', z: Z, name: 'ups', endpoint: 'ep', profile: 'ietf-ups', interval: 1, confirm: 1, wires: [['out'], ['ev']] },
    ...['out', 'ev', 'status-out'].map((id) => ({ id, type: 'helper', z: Z })),
  ];
}

describe('rackpower-ups battery truth and energy', () => {
  it('learns the aged battery from a cut, says so in its status, raises REPLBATT, and keeps its state across a redeploy', async () => {
    const port = Number(new URL(rack.devices.find((d) => d.kind === 'ups')!.url).port);
    const f = flow(port);
    await helper.load(nodes, f, { ep: { community: 'public' } });
    const r = record(['out', 'ev', 'status-out']);
    await vi.waitFor(() => expect(r.out.length).toBeGreaterThan(0), { timeout: 10_000 });
    // The test runtime has no catalogs: status texts are their keys (the English is checked with the catalogs).
    expect(r['status-out'].map((m) => m.status?.text).join('\n')).toMatch(/^OL .*status\.battery\.no-discharge/mu);
    // The cut starts 4 s into the scenario and lasts 15 s: learned values appear during or just after it.
    await vi.waitFor(() => expect(r.out.at(-1)!.payload['battery.runtime.measured']).toBeDefined(), { timeout: 60_000, interval: 200 });
    const last = r.out.at(-1)!.payload;
    const truth = rack.model.batteryTruth('ups');
    expect(Math.abs(Number(last['battery.health']) - truth.health)).toBeLessThanOrEqual(15);
    expect(Number(last['battery.runtime.error'])).toBeGreaterThan(20);
    expect(r['status-out'].at(-1)!.status!.text).toMatch(/status\.battery\.health$/u);
    await vi.waitFor(() => expect(r.ev.map((m) => m.event)).toContain('REPLBATT'), { timeout: 30_000 });
    const energy = Number(r.out.at(-1)!.payload['output.energy']);
    expect(energy).toBeGreaterThan(0);

    // A redeploy (stop, start) of the same node: the counter and the learned battery are back at the first reading.
    // This runtime configures no context store, so Node-RED deletes the node's context on close: what comes back
    // is what the process kept.
    await helper.setFlows(f, 'full', { ep: { community: 'public' } });
    const after = record(['out']);
    await vi.waitFor(() => expect(after.out.length).toBeGreaterThan(0), { timeout: 10_000 });
    expect(Number(after.out[0].payload['output.energy'])).toBeGreaterThanOrEqual(energy);
    expect(after.out[0].payload['battery.runtime.measured']).toBeDefined();

    // A new battery fitted: the node forgets the old one's discharges and says it is learning again.
    helper.getNode('ups1').receive({ payload: 'battery-replaced' });
    await vi.waitFor(() => expect(after.out.at(-1)!.payload['battery.runtime.measured']).toBeUndefined(), { timeout: 10_000 });
  }, 120_000);
});
