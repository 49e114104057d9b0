// The shutdown orchestrator fed by a real poller of the simulated UPS (SNMP over loopback), its actions carried out
// by the outlet and UPS controllers on the simulated PDU and UPS. The model is paused and stepped by the test; the
// orchestrator's clock is the model's time, so nothing waits: a 30-minute outage runs in a few hundred polls.
import { afterEach, describe, expect, it } from 'vitest';
import { ShutdownOrchestrator, type ActionOut, type AuditOut, type Output, type ShutdownPolicy } from '../../src/actions/shutdown';
import { Guard } from '../../src/control/guards';
import { OutletController } from '../../src/control/outlet';
import { UpsCommander } from '../../src/control/ups';
import { controlFor, type OutletAction } from '../../src/control/profile-control';
import { openDevice } from '../../src/device';
import { DevicePoller } from '../../src/polling/poller';
import { SnmpClient } from '../../src/protocol/snmp/client';
import { startRack, type RunningRack } from '../../src/sim/rack';
import { parseScenario } from '../../src/sim/scenario';
import type { DeviceEvent } from '../../src/types';
import { parseTarget } from '../../src/url';

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const POLICY: ShutdownPolicy = {
  supplies: ['ups'],
  redundancy: 'all',
  triggers: { onBatteryS: 120, runtimeBelowS: 300 },
  stages: [
    { name: 'non-critical', delayS: 0, actions: [{ name: 'batch off', payload: { action: 'off', outlet: 7 } }] },
    { name: 'storage', delayS: 60, actions: [{ name: 'backup off', payload: { action: 'off', outlet: 8 } }] },
    { name: 'ups', delayS: 60, actions: [{ name: 'ups shutdown with return', payload: { command: 'shutdown.return', delay: 120 } }] },
  ],
};

interface Harness {
  rack: RunningRack;
  orchestrator: ShutdownOrchestrator;
  out: Output[];
  events: DeviceEvent[];
  /** Advances the model `seconds` in steps of `every`, polling the UPS after each step and ticking the orchestrator. */
  run(seconds: number, every?: number): Promise<void>;
  /** Starts a drill now; its actions go to the controllers like any others. */
  drill(): Promise<void>;
}

async function harness(events: unknown[], policy: ShutdownPolicy = POLICY): Promise<Harness> {
  const scenario = parseScenario(
    { name: 'shutdown', devices: [{ name: 'ups', profile: 'ietf-ups' }, { name: 'pdu', profile: 'apc-rpdu2', outlets: 8 }], events },
    'shutdown.sim.test.ts',
  );
  const rack = await startRack(scenario, { speed: 0, control: true });
  cleanups.push(() => rack.close());
  const url = (name: string): string => `${rack.devices.find((d) => d.name === name)!.url}?timeout=300&retries=0`;
  const device = openDevice(parseTarget(url('ups')));
  cleanups.push(() => device.close());
  const poller = new DevicePoller(device.reader, { name: 'ups', address: device.address, intervalMs: 3_600_000 });
  cleanups.push(() => poller.stop());
  const clock = (): number => 1_700_000_000_000 + Math.round(rack.model.time * 1000);
  const orchestrator = new ShutdownOrchestrator(policy);
  const out: Output[] = [];
  const seen: DeviceEvent[] = [];
  const pdu = parseTarget(url('pdu'));
  const upsTarget = parseTarget(url('ups'));
  if (pdu.protocol !== 'snmp' || upsTarget.protocol !== 'snmp') throw new Error('snmp expected');
  const pduClient = new SnmpClient(pdu.snmp);
  const upsClient = new SnmpClient(upsTarget.snmp);
  cleanups.push(() => pduClient.close(), () => upsClient.close());
  // What the outlet and ups-command nodes behind the orchestrator do with its action messages.
  const carryOut = async (a: ActionOut): Promise<void> => {
    const p = a.payload as { action?: OutletAction; outlet?: number; command?: 'shutdown.return'; delay?: number };
    const guard = new Guard({ enabled: true, allow: [7, 8, 'shutdown.return'] });
    if (p.command) await new UpsCommander(upsClient, controlFor('ietf-ups', 'ups').ups!, guard, clock).execute({ command: p.command, delayS: p.delay }, a.dryRun);
    else await new OutletController(pduClient, controlFor('apc-rpdu2', 'outlet').outlet!, guard, { readbackIntervalMs: 20 }).execute({ action: p.action!, outlet: p.outlet! }, a.dryRun);
  };
  const take = async (outputs: Output[]): Promise<void> => {
    out.push(...outputs);
    for (const o of outputs) if (o.kind === 'action') await carryOut(o);
  };
  // What the poller's readings and events set off is carried out in order, and each step of run() waits for it.
  let carrying = Promise.resolve();
  const later = (outputs: Output[]): void => {
    carrying = carrying.then(() => take(outputs));
  };
  poller.on('reading', (r) => later(orchestrator.reading(r.device.name, r.values, clock())));
  poller.on('event', (e) => {
    seen.push(e);
    later(orchestrator.event(e.device.name, e.event, clock()));
  });
  const pollOnce = (): Promise<void> => new Promise((resolve) => poller.once('stats', () => setImmediate(resolve)));
  let started = false;
  return {
    rack,
    orchestrator,
    out,
    events: seen,
    drill: () => take(orchestrator.drill(clock())),
    async run(seconds, every = 5) {
      for (let t = 0; t < seconds; t += every) {
        rack.model.advance(every);
        const p = pollOnce();
        if (started) poller.pollNow();
        else poller.start();
        started = true;
        await p;
        await carrying;
        await take(orchestrator.tick(clock()));
      }
    },
  };
}

const actions = (o: Output[]): ActionOut[] => o.filter((x): x is ActionOut => x.kind === 'action');
const audits = (o: Output[]): AuditOut[] => o.filter((x): x is AuditOut => x.kind === 'audit');

describe('shutdown orchestrator on the simulated rack', () => {
  it('a power cut gives ONBATT within one poll; a long outage fires the stages in order, then power back cancels the rest', async () => {
    const h = await harness([{ at: 20, action: 'power-cut', duration: 200 }]);
    await h.run(25);
    expect(h.events.map((e) => e.event)).toEqual(['ONBATT']); // the first poll after the cut
    await h.run(180); // t = 205: on battery since 20 → trigger at ~140, stage 2 at ~200
    expect(actions(h.out).map((a) => a.action)).toEqual(['batch off', 'backup off']);
    expect(h.rack.model.values('pdu')['outlet.7.status']).toBe('off');
    expect(h.rack.model.values('pdu')['outlet.8.status']).toBe('off');
    await h.run(40); // mains back at 220, before the UPS stage (~260)
    expect(h.events.map((e) => e.event)).toEqual(['ONBATT', 'ONLINE']);
    const cancel = audits(h.out).find((a) => a.event === 'cancel')!;
    expect(cancel.reason).toMatch(/^power is back \(ups OL.*\) before stage "ups": 1 stage\(s\) cancelled$/u);
    await h.run(120);
    expect(actions(h.out).map((a) => a.action)).toEqual(['batch off', 'backup off']); // the UPS was never told
    expect(h.rack.model.values('ups')['ups.status']).toMatch(/^OL/u);
    expect(h.rack.setRequests()).toBe(2);
  });

  it('flapping power (ten 2-second cuts) never fires an action', async () => {
    const cuts = Array.from({ length: 10 }, (_, i) => ({ at: 10 + i * 20, action: 'power-cut', duration: 2 }));
    const h = await harness(cuts);
    await h.run(240, 1);
    expect(h.events.filter((e) => e.event === 'ONBATT').length).toBeGreaterThan(0); // it did see them
    expect(actions(h.out)).toEqual([]);
    expect(h.rack.setRequests()).toBe(0);
  });

  it('comms lost: COMMBAD, and no action however long the silence lasts (even with the mains gone meanwhile)', async () => {
    const h = await harness([
      { at: 10, action: 'comms-lost', device: 'ups', duration: 600 },
      { at: 30, action: 'power-cut', duration: 500 },
    ]);
    await h.run(400, 40);
    expect(h.events.map((e) => e.event)).toEqual(['COMMBAD']);
    expect(actions(h.out)).toEqual([]);
    expect(h.rack.setRequests()).toBe(0);
  });

  it('drill: the full plan with every action a dry run, and not one SET reaches the simulator', async () => {
    const h = await harness([]);
    await h.run(5);
    await h.drill();
    await h.run(150);
    expect(actions(h.out).map((a) => [a.action, a.dryRun])).toEqual([
      ['batch off', true],
      ['backup off', true],
      ['ups shutdown with return', true],
    ]);
    expect(audits(h.out).map((a) => a.event)).toEqual(['drill', 'stage', 'stage', 'stage', 'complete']);
    expect(h.rack.setRequests()).toBe(0);
    expect(h.rack.model.values('pdu')['outlet.7.status']).toBe('on');
  });
});
