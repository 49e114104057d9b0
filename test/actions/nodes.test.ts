// The alarm, shutdown and budget nodes inside a real Node-RED runtime (node-red-node-test-helper). The shutdown
// node drives an outlet node against the simulated PDU: a drill sends no SET to the simulator, a real trigger does.
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startRack, type RunningRack } from '../../src/sim/rack';
import { parseScenario } from '../../src/sim/scenario';
import { ROOT, helper, nodeModules, record } from '../nodes/harness';

const nodeRequire = createRequire(__filename);
let nodes: unknown[];
beforeAll(async () => {
  // nodeModules() loads what package.json registers; the Set keeps each module once whether or not that includes these
  nodes = [...new Set([...nodeModules(), ...['alarm', 'shutdown', 'budget', 'outlet'].map((f) => nodeRequire(path.join(ROOT, 'dist', 'nodes', `${f}.js`)))])];
  await helper.startServer();
});
afterAll(() => helper.stopServer());
afterEach(() => helper.unload());

const Z = 'flow1';
const tab = { id: Z, type: 'tab' };
const helpers = (...ids: string[]): object[] => ids.map((id) => ({ id, type: 'helper', z: Z }));
const reading = (device: string, payload: Record<string, unknown>): object => ({ payload, device: { name: device } });

describe('rackpower-alarm', () => {
  const flow = (name: string): object[] => [
    tab,
    { id: 'al', type: 'rackpower-alarm', z: Z, name, rules: [{ id: 'hot', variable: 'ambient.*.temperature', kind: 'above', threshold: '27', hysteresis: '1', severity: 'critical' }], wires: [['out']] },
    ...helpers('out'),
  ];

  it('raises with rule, value and threshold; a redeploy does not raise again what is raised; then it clears', async () => {
    await helper.load(nodes, flow('inlet'));
    let r = record(['out']);
    helper.getNode('al').receive(reading('pdu', { 'ambient.1.temperature': 28.5, 'ambient.2.temperature': 22 }));
    await vi.waitFor(() => expect(r.out).toHaveLength(1));
    expect(r.out[0]).toMatchObject({ topic: 'rackpower/pdu/alarm/hot', alarm: 'raise', severity: 'critical' });
    expect(r.out[0].payload).toMatchObject({ variable: 'ambient.1.temperature', value: 28.5, threshold: 'above 27', message: 'pdu ambient.1.temperature 28.5 is above 27 (hot)' });

    await helper.setFlows(flow('inlet, renamed'), 'full'); // a redeploy: new node objects, same id and context
    r = record(['out']);
    helper.getNode('al').receive(reading('pdu', { 'ambient.1.temperature': 28.7 }));
    helper.getNode('al').receive(reading('pdu', { 'ambient.1.temperature': 25.5 }));
    await vi.waitFor(() => expect(r.out).toHaveLength(1));
    expect(r.out[0]).toMatchObject({ alarm: 'clear', payload: { variable: 'ambient.1.temperature', value: 25.5 } });
  });
});

describe('rackpower-budget', () => {
  it('sums the PDUs against a 16 A breaker and signals throttle', async () => {
    await helper.load(nodes, [tab, { id: 'b', type: 'rackpower-budget', z: Z, breakerA: '16', voltage: '230', deratingPct: '80', wires: [['status'], ['signal']] }, ...helpers('status', 'signal')]);
    const r = record(['status', 'signal']);
    helper.getNode('b').receive(reading('pdu-a', { 'input.realpower': 1500 }));
    helper.getNode('b').receive(reading('pdu-b', { 'input.realpower': 1500 }));
    await vi.waitFor(() => expect(r.signal).toHaveLength(1));
    expect(r.status.at(-1)!.payload).toMatchObject({ powerW: 3000, budgetW: 2944, headroomW: -56 });
    expect(r.signal[0]).toMatchObject({ topic: 'rackpower/budget/throttle', payload: 'throttle' });
  });
});

describe('rackpower-shutdown driving rackpower-outlet on the simulated PDU', () => {
  let rack: RunningRack;
  beforeAll(async () => {
    const scenario = parseScenario({ name: 'nodes', devices: [{ name: 'pdu', profile: 'apc-rpdu2', outlets: 8 }], events: [] }, 'nodes.test.ts');
    rack = await startRack(scenario, { speed: 0, control: true });
  });
  afterAll(() => rack.close());

  const flow = (): object[] => {
    const port = Number(new URL(rack.devices[0].url).port);
    return [
      tab,
      { id: 'ep', type: 'rackpower-snmp-endpoint', host: '127.0.0.1', port, version: '2c', timeout: 1000, retries: 0, allowControl: true },
      {
        id: 'sd', type: 'rackpower-shutdown', z: Z, supplies: 'ups', redundancy: 'all', onBatteryS: '', runtimeBelowS: '300', lowBattery: true, fsd: true,
        stages: [
          { name: 'batch', delayS: 0, actions: [{ name: 'batch off', payload: { action: 'off', outlet: 7 } }] },
          { name: 'backup', delayS: 0, actions: [{ name: 'backup off', payload: { action: 'off', outlet: 8 } }] },
        ],
        wires: [['outlet', 'actions'], ['audit']],
      },
      { id: 'outlet', type: 'rackpower-outlet', z: Z, endpoint: 'ep', profile: 'apc-rpdu2', allow: '7, 8', protect: '1', dryRun: false, wires: [['result']] },
      ...helpers('actions', 'audit', 'result'),
    ];
  };

  it('drill: every action reaches the outlet node as a dry run, and no SET reaches the simulator', async () => {
    await helper.load(nodes, flow(), { ep: { community: 'public' } });
    const r = record(['actions', 'audit', 'result']);
    helper.getNode('sd').receive({ payload: 'drill' });
    await vi.waitFor(() => expect(r.result).toHaveLength(2), { timeout: 5000 });
    expect(r.actions.map((m) => [(m as unknown as { dryRun: boolean }).dryRun, m.payload])).toEqual([
      [true, { action: 'off', outlet: 7 }],
      [true, { action: 'off', outlet: 8 }],
    ]);
    expect(r.result.map((m) => m.payload)).toEqual([
      expect.objectContaining({ ok: true, dryRun: true, outlet: 7, state: 'on' }),
      expect.objectContaining({ ok: true, dryRun: true, outlet: 8, state: 'on' }),
    ]);
    expect(r.audit.map((m) => m.payload.event)).toEqual(['drill', 'stage', 'stage', 'complete']);
    expect(rack.setRequests()).toBe(0);
  });

  it('a real trigger (OB LB) switches the outlets, each result after read-back', async () => {
    await helper.load(nodes, flow(), { ep: { community: 'public' } });
    const r = record(['audit', 'result']);
    helper.getNode('sd').receive(reading('ups', { 'ups.status': 'OB LB DISCHRG', 'battery.runtime': 120, 'battery.charge': 15 }));
    await vi.waitFor(() => expect(r.result).toHaveLength(2), { timeout: 5000 });
    expect(r.result.map((m) => m.payload)).toEqual([
      expect.objectContaining({ ok: true, dryRun: false, outlet: 7, state: 'off' }),
      expect.objectContaining({ ok: true, dryRun: false, outlet: 8, state: 'off' }),
    ]);
    expect(r.audit[0].payload).toMatchObject({ event: 'trigger', reason: expect.stringContaining('ups: low battery (OB LB), runtime 120 s below 300 s') });
    expect(rack.setRequests()).toBe(2);
    expect(rack.model.values('pdu')['outlet.7.status']).toBe('off');
  });
});
