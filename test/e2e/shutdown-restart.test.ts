// A restart of Node-RED during an outage, with real processes: Node-RED 4.1 and 5.0 with this package (linked like
// `npm start` does) and a persistent context store (localfilesystem), a UPS device node polling the simulated UPS
// (on battery), the shutdown node, and an outlet node switching the simulated PDU, which counts every SET. Stage 1
// fires, Node-RED is stopped and started again: stage 1 is not sent again, stage 2 comes at its planned time from
// the original trigger, and the audit trail (editor websocket and log) says the plan resumed.
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRack, type RunningRack } from '../../src/sim/rack';
import { parseScenario } from '../../src/sim/scenario';
import { freeTcpPort } from '../harness/ports';
import { Comms, NodeRed, PACKAGE, ROOT, debugMsg, ensureBuilt, nodeRed4, nodeRed5, until, writeSettings, type Runtime } from './harness';

const STAGE2_DELAY_S = 20;
const Z = 'a11c000000000001';
const cleanups: (() => Promise<unknown> | unknown)[] = [];

interface Audit {
  event: string;
  stage?: string;
  reason: string;
  timestamp: number;
  triggeredAt?: number;
  due?: number;
}

function flow(rack: RunningRack): object[] {
  const port = (name: string): number => Number(new URL(rack.devices.find((d) => d.name === name)!.url).port);
  return [
    { id: Z, type: 'tab', label: 'restart' },
    { id: 'a11c0000000000e1', type: 'rackpower-snmp-endpoint', host: '127.0.0.1', port: port('ups'), version: '2c', timeout: 1000, retries: 0 },
    { id: 'a11c0000000000e2', type: 'rackpower-snmp-endpoint', host: '127.0.0.1', port: port('pdu'), version: '2c', timeout: 1000, retries: 0, allowControl: true },
    { id: 'a11c000000000011', type: 'rackpower-ups', z: Z, name: 'ups', transport: 'snmp', endpoint: 'a11c0000000000e1', profile: 'ietf-ups', interval: '1', outputMode: 'always', wires: [['a11c000000000012'], ['a11c000000000012']] },
    {
      id: 'a11c000000000012', type: 'rackpower-shutdown', z: Z, name: 'plan', supplies: 'ups', redundancy: 'all', onBatteryS: '', runtimeBelowS: '999999', chargeBelowPct: '', lowBattery: true, fsd: true, staleAfterS: '120',
      stages: [
        { name: 'batch', delayS: 0, actions: [{ name: 'outlet 7 off', payload: { action: 'off', outlet: 7 } }] },
        { name: 'backup', delayS: STAGE2_DELAY_S, actions: [{ name: 'outlet 8 off', payload: { action: 'off', outlet: 8 } }] },
        { name: 'ups', delayS: 3600, actions: [{ name: 'not within this test', topic: 'ups' }] },
      ],
      drill: false,
      wires: [['a11c000000000013'], ['a11c000000000014']],
    },
    { id: 'a11c000000000013', type: 'rackpower-outlet', z: Z, endpoint: 'a11c0000000000e2', profile: 'apc-rpdu2', allow: '7, 8', protect: '1', rateCount: '10', ratePerS: '60', dryRun: false, cycleDelay: '5', wires: [[]] },
    { id: 'a11c000000000014', type: 'debug', z: Z, name: 'audit', active: true, tosidebar: true, console: false, complete: 'payload', targetType: 'msg', wires: [] },
  ];
}

function prepare(userDir: string, rack: RunningRack): void {
  mkdirSync(path.join(userDir, 'node_modules'), { recursive: true });
  symlinkSync(ROOT, path.join(userDir, 'node_modules', PACKAGE), 'dir');
  writeFileSync(path.join(userDir, 'package.json'), JSON.stringify({ name: 'restart-test', private: true, dependencies: { [PACKAGE]: `file:${ROOT}` } }));
  // The line the docs give: a persistent context store keeps the shutdown plan's progress across restarts.
  writeSettings(userDir, "    contextStorage: { default: { module: 'localfilesystem' } },\n");
  writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(flow(rack), null, 2));
  writeFileSync(path.join(userDir, 'flows_cred.json'), JSON.stringify({ a11c0000000000e1: { community: 'public' }, a11c0000000000e2: { community: 'public' } }));
}

/** The audit messages the debug node showed on this connection. */
const audits = (c: Comms): Audit[] =>
  c.messages.filter((m) => m.topic === 'debug').map((m) => debugMsg(m.data).msg as Audit).filter((a) => a && typeof a === 'object' && 'event' in a);

const runtimes: Record<string, Runtime> = {};
beforeAll(async () => {
  ensureBuilt();
  runtimes['4.1'] = nodeRed4();
  runtimes['5.0'] = await nodeRed5();
}, 300_000);

afterAll(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe.each(['4.1', '5.0'])('Node-RED %s restarted during an outage', (version) => {
  it('does not repeat stage 1 and fires stage 2 at trigger + its delay', async () => {
    const runtime = runtimes[version];
    const scenario = parseScenario(
      { name: 'restart', devices: [{ name: 'ups', profile: 'ietf-ups' }, { name: 'pdu', profile: 'apc-rpdu2', outlets: 8 }], events: [{ at: 1, action: 'power-cut' }] },
      'shutdown-restart.test.ts',
    );
    const rack = await startRack(scenario, { speed: 0, control: true }); // paused at 0 s: on line until the test advances it
    cleanups.push(() => rack.close());
    const userDir = mkdtempSync(path.join(os.tmpdir(), 'rackpower-restart-'));
    cleanups.push(() => rmSync(userDir, { recursive: true, force: true }));
    prepare(userDir, rack);
    let red = await NodeRed.start(runtime, userDir, await freeTcpPort());
    cleanups.push(() => red.stop());
    const first = await Comms.connect(red, ['debug']);
    cleanups.push(() => first.close());
    rack.model.advance(10); // the outage: on battery from 1 s until the end of the test
    expect(await until(() => rack.setRequests() === 1 && rack.model.values('pdu')['outlet.7.status'] === 'off', 30_000)).toBe(true);
    // The audit reaches the editor's websocket through the debug node, on its own schedule: wait for it too.
    const seen = (event: string): boolean => audits(first).some((a) => a.event === event);
    expect(await until(() => seen('trigger') && seen('stage'), 10_000), red.log).toBe(true);
    const trigger = audits(first).find((a) => a.event === 'trigger');
    expect(audits(first).filter((a) => a.event === 'stage').map((a) => a.stage)).toEqual(['batch']);

    await red.stop();
    const stoppedAt = Date.now();

    red = await NodeRed.start(runtime, userDir, await freeTcpPort());
    const second = await Comms.connect(red, ['debug']);
    cleanups.push(() => second.close());
    expect(await until(() => rack.setRequests() >= 2, (STAGE2_DELAY_S + 60) * 1000), red.log).toBe(true);
    // The SET after the restart is stage 2's (outlet 8), not stage 1's again.
    expect(rack.model.values('pdu')['outlet.8.status'], `the SET after the restart was not stage 2:\n${red.log}`).toBe('off');
    expect(await until(() => audits(second).some((a) => a.event === 'stage'), 10_000)).toBe(true);
    const after = audits(second);
    const stages = after.filter((a) => a.event === 'stage');
    expect(stages.map((a) => a.stage)).toEqual(['backup']);
    expect(stages[0]).toMatchObject({ triggeredAt: trigger!.timestamp, due: trigger!.timestamp + STAGE2_DELAY_S * 1000 });
    // Not before its time, and not pushed back by the restart: a restarted clock would have put it 20 s after
    // the second start.
    expect(stages[0].timestamp).toBeGreaterThanOrEqual(stages[0].due!);
    expect(stages[0].due!).toBeLessThan(stoppedAt + STAGE2_DELAY_S * 1000);
    expect(after.map((a) => a.event)).not.toContain('trigger');
    expect(red.log).toMatch(/resume: resumed after a restart or redeploy: triggered .*, 1 of 3 stage\(s\) done \(batch\), not repeated/u);
    // Outlet 7 got exactly one SET in all: two SETs in total, one per stage.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(rack.setRequests()).toBe(2);
    // Where it was kept: the flow's context file of the localfilesystem store.
    expect(existsSync(path.join(userDir, 'context', Z, 'flow.json'))).toBe(true);
  }, 180_000);
});
