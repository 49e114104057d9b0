// The shutdown node's progress and restore plan inside a real Node-RED runtime (node-red-node-test-helper), its
// actions carried out by an outlet node on the simulated PDU, which counts every SET: a redeploy in the middle of a
// plan resumes it (stage 1 not sent again, stage 2 at its time from the original trigger), and a cancel followed by
// stable power switches back on what the plan switched off, through the same guarded outlet node.
// @module-tag slow: shutdown stages waited out in real time
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startRack, type RunningRack } from '../../src/sim/rack';
import { parseScenario } from '../../src/sim/scenario';
import { ROOT, helper, nodeModules, record } from '../nodes/harness';

const nodeRequire = createRequire(__filename);
const Z = 'flow1';
let nodes: unknown[];
let rack: RunningRack;

beforeAll(async () => {
  nodes = [...new Set([...nodeModules(), ...['shutdown', 'outlet'].map((f) => nodeRequire(path.join(ROOT, 'dist', 'nodes', `${f}.js`)))])];
  await helper.startServer();
});
afterAll(() => helper.stopServer());
beforeEach(async () => {
  const scenario = parseScenario({ name: 'progress', devices: [{ name: 'pdu', profile: 'apc-rpdu2', outlets: 8 }], events: [] }, 'shutdown-progress.test.ts');
  rack = await startRack(scenario, { speed: 0, control: true });
});
afterEach(async () => {
  await helper.unload();
  await rack.close();
});

const OB_LB = { payload: { 'ups.status': 'OB LB DISCHRG', 'battery.runtime': 120, 'battery.charge': 15 }, device: { name: 'ups' } };
const OL = { payload: { 'ups.status': 'OL CHRG', 'battery.runtime': 1800, 'battery.charge': 60 }, device: { name: 'ups' } };
const outletOf = (n: number): string => String(rack.model.values('pdu')[`outlet.${n}.status`]);

function flow(shutdown: object = {}, allow = '7, 8'): object[] {
  const port = Number(new URL(rack.devices[0].url).port);
  return [
    { id: Z, type: 'tab' },
    { id: 'ep', type: 'rackpower-snmp-endpoint', host: '127.0.0.1', port, version: '2c', timeout: 1000, retries: 0, allowControl: true },
    {
      id: 'sd', type: 'rackpower-shutdown', z: Z, supplies: 'ups', redundancy: 'all', onBatteryS: '', runtimeBelowS: '300', lowBattery: true, fsd: true,
      stages: [
        { name: 'batch', delayS: 0, actions: [{ name: 'batch off', payload: { action: 'off', outlet: 7 } }], restore: [{ name: 'batch on', payload: { action: 'on', outlet: 7 } }] },
        { name: 'backup', delayS: 3, actions: [{ name: 'backup off', payload: { action: 'off', outlet: 8 } }], restore: [{ name: 'backup on', payload: { action: 'on', outlet: 8 } }] },
        { name: 'ups', delayS: 600, actions: [{ name: 'never in these tests', topic: 'ups' }] },
      ],
      wires: [['outlet'], ['audit']],
      ...shutdown,
    },
    { id: 'outlet', type: 'rackpower-outlet', z: Z, endpoint: 'ep', profile: 'apc-rpdu2', allow, protect: '1', rateCount: 10, ratePerS: 60, dryRun: false, cycleDelay: 1, wires: [['result']] },
    { id: 'ca', type: 'catch', z: Z, scope: null, uncaught: false, wires: [['caught']] },
    ...['audit', 'result', 'caught'].map((id) => ({ id, type: 'helper', z: Z })),
  ];
}
const creds = { ep: { community: 'public' } };
type Audit = { event: string; stage?: string; reason: string; triggeredAt?: number; due?: number; timestamp: number };
const auditOf = (m: { payload: unknown }): Audit => m.payload as Audit;

describe('a redeploy in the middle of a shutdown plan', () => {
  it('resumes it: stage 1 is not sent again, stage 2 comes at its time from the original trigger, the audit says resume', async () => {
    await helper.load(nodes, flow(), creds);
    let r = record(['audit', 'result']);
    helper.getNode('sd').receive(OB_LB);
    await vi.waitFor(() => expect(r.result).toHaveLength(1), { timeout: 10_000 });
    expect(rack.setRequests()).toBe(1);
    const trigger = auditOf(r.audit.find((m) => auditOf(m).event === 'trigger')!);

    // Deploying the edited shutdown node ("modified nodes") closes it and starts a new one with the same id; the
    // helper nodes stay, so what they record goes on.
    const seen = r.audit.length;
    await helper.setFlows(flow({ name: 'redeployed' }), 'nodes');
    await vi.waitFor(() => expect(r.audit.map((m) => auditOf(m).event)).toContain('resume'), { timeout: 5000 });
    expect(auditOf(r.audit[seen])).toMatchObject({ event: 'resume', triggeredAt: trigger.timestamp, reason: expect.stringContaining('1 of 3 stage(s) done (batch), not repeated') });
    r = record(['audit', 'result']);
    helper.getNode('sd').receive(OB_LB); // the UPS is still on battery
    await vi.waitFor(() => expect(r.result).toHaveLength(1), { timeout: 10_000 });
    expect(r.result[0].payload).toMatchObject({ ok: true, outlet: 8, state: 'off' });
    const stage2 = r.audit.map(auditOf).find((a) => a.event === 'stage')!;
    expect(stage2).toMatchObject({ stage: 'backup', triggeredAt: trigger.timestamp, due: trigger.timestamp + 3000 });
    expect(stage2.timestamp).toBeGreaterThanOrEqual(stage2.due!);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(r.result).toHaveLength(1); // outlet 7 was not switched again
    expect(rack.setRequests()).toBe(2);
  });

  it('a full deploy (every node new) resumes it too: stage 2 only, one more SET', async () => {
    await helper.load(nodes, flow(), creds);
    helper.getNode('sd').receive(OB_LB);
    await vi.waitFor(() => expect(rack.setRequests()).toBe(1), { timeout: 10_000 });
    await helper.setFlows(flow({ name: 'redeployed' }), 'full');
    const r = record(['audit', 'result']);
    helper.getNode('sd').receive(OB_LB);
    await vi.waitFor(() => expect(r.result).toHaveLength(1), { timeout: 10_000 });
    expect(r.result[0].payload).toMatchObject({ ok: true, outlet: 8, state: 'off' });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(r.audit.map((m) => auditOf(m).event)).not.toContain('trigger');
    expect(rack.setRequests()).toBe(2);
  });
});

describe('restore after a cancel', () => {
  it('off by default: power back leaves the outlets off', async () => {
    await helper.load(nodes, flow(), creds);
    const r = record(['audit', 'result']);
    helper.getNode('sd').receive(OB_LB);
    await vi.waitFor(() => expect(r.result).toHaveLength(1), { timeout: 10_000 });
    helper.getNode('sd').receive(OL);
    await vi.waitFor(() => expect(r.audit.map((m) => auditOf(m).event)).toContain('cancel'));
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(r.audit.map((m) => auditOf(m).event)).not.toContain('restore');
    expect(rack.setRequests()).toBe(1);
    expect(outletOf(7)).toBe('off');
  });

  it('on: once power is stable for N s the outlet goes back on through the outlet node (read back), with a restore audit', async () => {
    await helper.load(nodes, flow({ restore: true, restoreStableS: '1' }), creds);
    const r = record(['audit', 'result']);
    helper.getNode('sd').receive(OB_LB);
    await vi.waitFor(() => expect(r.result).toHaveLength(1), { timeout: 10_000 });
    expect(outletOf(7)).toBe('off');
    helper.getNode('sd').receive(OL);
    await vi.waitFor(() => expect(r.result).toHaveLength(2), { timeout: 10_000 });
    expect(r.result[1].payload).toMatchObject({ ok: true, action: 'on', outlet: 7, state: 'on' });
    const audits = r.audit.map(auditOf);
    expect(audits.map((a) => a.event)).toEqual(['trigger', 'stage', 'cancel', 'restore']);
    expect(audits[2].reason).toContain('restore of 1 stage(s) once power is stable for 1 s');
    expect(audits[3]).toMatchObject({ stage: 'batch', reason: expect.stringContaining('switching back on what the plan switched off') });
    expect(rack.setRequests()).toBe(2);
    expect(outletOf(7)).toBe('on');
  });

  it('the same guards: a restore action to an outlet off the allowlist is refused, nothing sent', async () => {
    const stages = [
      { name: 'batch', delayS: 0, actions: [{ name: 'batch off', payload: { action: 'off', outlet: 7 } }], restore: [{ name: 'db on', payload: { action: 'on', outlet: 5 } }] },
      { name: 'ups', delayS: 600, actions: [{ name: 'never', topic: 'ups' }] },
    ];
    await helper.load(nodes, flow({ restore: true, restoreStableS: '0', stages }), creds);
    const r = record(['result', 'caught']);
    helper.getNode('sd').receive(OB_LB);
    await vi.waitFor(() => expect(r.result).toHaveLength(1), { timeout: 10_000 });
    helper.getNode('sd').receive(OL);
    await vi.waitFor(() => expect(r.caught).toHaveLength(1), { timeout: 10_000 });
    expect(r.caught[0].error).toMatchObject({ code: 'CONFIG', message: expect.stringContaining('not on the allowlist') });
    expect(rack.setRequests()).toBe(1);
  });
});
