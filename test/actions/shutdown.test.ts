// ShutdownOrchestrator with a fake clock: triggers, redundancy, staleness and COMMBAD, stages in order,
// cancellation when power returns, drills. Times are seconds since an arbitrary start.
import { describe, expect, it } from 'vitest';
import { ShutdownOrchestrator, type ActionOut, type AuditOut, type Output, type ShutdownPolicy } from '../../src/actions/shutdown';
import type { Values } from '../../src/types';

const t = (seconds: number): number => 1_000_000 + seconds * 1000;
const OL: Values = { 'ups.status': 'OL', 'battery.charge': 100, 'battery.runtime': 1800 };
const OB = (runtime = 1500, charge = 90, extra = ''): Values => ({ 'ups.status': `OB DISCHRG${extra}`, 'battery.charge': charge, 'battery.runtime': runtime });

const plan: ShutdownPolicy['stages'] = [
  { name: 'non-critical', delayS: 0, actions: [{ name: 'stop batch', topic: 'exec', payload: 'systemctl stop batch' }] },
  { name: 'storage', delayS: 60, actions: [{ name: 'stop nas', topic: 'ssh' }] },
  { name: 'ups', delayS: 30, actions: [{ name: 'ups shutdown', payload: { command: 'shutdown.return', delay: 120 } }] },
];

function policy(extra: Partial<ShutdownPolicy> = {}): ShutdownPolicy {
  return { supplies: ['ups-a'], redundancy: 'all', triggers: { onBatteryS: 120, runtimeBelowS: 300, chargeBelowPct: 20 }, stages: plan, ...extra };
}

const actions = (o: Output[]): ActionOut[] => o.filter((x): x is ActionOut => x.kind === 'action');
const audits = (o: Output[]): AuditOut[] => o.filter((x): x is AuditOut => x.kind === 'audit');
const events = (o: Output[]): string[] => audits(o).map((a) => a.event);

/** Feeds a reading every `every` s from `from` to `to` (inclusive) and collects what comes out, ticking each second. */
function run(o: ShutdownOrchestrator, from: number, to: number, values: (s: number) => Values | undefined, every = 5, source = 'ups-a'): Output[] {
  const out: Output[] = [];
  for (let s = from; s <= to; s++) {
    const v = (s - from) % every === 0 ? values(s) : undefined;
    out.push(...(v ? o.reading(source, v, t(s)) : o.tick(t(s))));
  }
  return out;
}

describe('triggers', () => {
  it('on battery for N s: the stages fire in order with their delays, each action once, then the run completes', () => {
    const o = new ShutdownOrchestrator(policy());
    expect(o.reading('ups-a', OL, t(0))).toEqual([]);
    const out = run(o, 10, 400, () => OB());
    const trigger = audits(out).find((a) => a.event === 'trigger')!;
    expect(trigger.timestamp).toBe(t(130)); // on battery since 10 s, limit 120 s
    expect(trigger.reason).toContain('ups-a: on battery for 120 s (limit 120 s)');
    expect(trigger.supplies[0]).toMatchObject({ name: 'ups-a', state: 'critical', status: 'OB DISCHRG', runtime: 1500, charge: 90 });
    const fired = actions(out);
    expect(fired.map((a) => [a.stage, a.action, (a.timestamp - t(130)) / 1000])).toEqual([
      ['non-critical', 'stop batch', 0],
      ['storage', 'stop nas', 60],
      ['ups', 'ups shutdown', 90],
    ]);
    expect(fired[0]).toMatchObject({ topic: 'exec', payload: 'systemctl stop batch', dryRun: false, reason: trigger.reason });
    expect(fired[2].payload).toEqual({ command: 'shutdown.return', delay: 120 });
    expect(events(out)).toEqual(['trigger', 'stage', 'stage', 'stage', 'complete']);
    expect(o.state).toBe('done');
    // power back after a completed run re-arms the policy
    expect(events(o.reading('ups-a', OL, t(401)))).toEqual(['reset']);
    expect(o.state).toBe('idle');
  });

  it('runtime below N s, charge below N %, LB and FSD each trigger at once', () => {
    const cases: [Values, string][] = [
      [OB(200), 'runtime 200 s below 300 s'],
      [OB(1500, 15), 'charge 15 % below 20 %'],
      [OB(1500, 90, ' LB'), 'low battery (OB LB)'],
      [{ 'ups.status': 'OL FSD' }, 'forced shutdown (FSD)'],
    ];
    for (const [values, why] of cases) {
      const o = new ShutdownOrchestrator(policy());
      const out = o.reading('ups-a', values, t(0));
      expect(audits(out)[0]).toMatchObject({ event: 'trigger' });
      expect(audits(out)[0].reason).toContain(why);
      expect(actions(out).map((a) => a.action)).toEqual(['stop batch']);
    }
  });

  it('LB while on line (after a test) is not critical; low runtime on line is not either', () => {
    const o = new ShutdownOrchestrator(policy());
    expect(o.reading('ups-a', { 'ups.status': 'OL LB', 'battery.runtime': 100, 'battery.charge': 10 }, t(0))).toEqual([]);
  });

  it('flapping power (ten 2-second cuts) never fires', () => {
    const o = new ShutdownOrchestrator(policy());
    const out = run(o, 0, 120, (s) => (s % 12 < 2 ? OB() : OL), 1);
    expect(out).toEqual([]);
    expect(o.state).toBe('idle');
  });
});

describe('never on stale or missing data', () => {
  it('COMMBAD is not on battery: a UPS that stops answering never triggers, however long', () => {
    const o = new ShutdownOrchestrator(policy({ triggers: { onBatteryS: 60 } }));
    o.reading('ups-a', OL, t(0));
    expect(o.event('ups-a', 'COMMBAD', t(10))).toEqual([]);
    expect(run(o, 11, 3600, () => undefined)).toEqual([]);
  });

  it('an on-battery UPS that goes silent: no action while silent, and its time on battery restarts when it is back', () => {
    const o = new ShutdownOrchestrator(policy({ triggers: { onBatteryS: 100 } }));
    run(o, 0, 50, () => OB()); // 50 s on battery
    o.event('ups-a', 'COMMBAD', t(51));
    expect(run(o, 52, 300, () => undefined)).toEqual([]);
    // answering again, still on battery: 100 s from now, not from 0
    const out = run(o, 301, 500, () => OB());
    expect(audits(out)[0].timestamp).toBe(t(401));
  });

  it('a reading older than staleAfterS makes the supply unknown (and the audit says so)', () => {
    const o = new ShutdownOrchestrator(policy({ staleAfterS: 30, redundancy: 'any', supplies: ['ups-a', 'ups-b'], triggers: { onBatteryS: 10 } }));
    o.reading('ups-b', OL, t(0));
    // ups-a on battery long enough, ups-b silent since 0: with 'any' one healthy supply suffices; unknown b may be it
    const out = run(o, 0, 100, () => OB(), 5, 'ups-a');
    expect(out).toEqual([]);
    const later = o.drill(t(101));
    expect(audits(later)[0].supplies.find((r) => r.name === 'ups-b')).toMatchObject({ state: 'unknown', reasons: ['last reading 101 s old'] });
  });
});

describe('redundancy', () => {
  const two = (redundancy: ShutdownPolicy['redundancy'], minHealthy?: number): ShutdownOrchestrator =>
    new ShutdownOrchestrator(policy({ supplies: ['ups-a', 'ups-b', 'ups-c'], redundancy, minHealthy, triggers: { lowBattery: true, fsd: true } }));
  const LB = OB(100, 10, ' LB');

  it('all: one critical supply is enough', () => {
    const o = two('all');
    o.reading('ups-b', OL, t(0));
    o.reading('ups-c', OL, t(0));
    expect(events(o.reading('ups-a', LB, t(1)))).toContain('trigger');
  });

  it('any: only when every supply is critical', () => {
    const o = two('any');
    expect(o.reading('ups-a', LB, t(0))).toEqual([]);
    expect(o.reading('ups-b', LB, t(1))).toEqual([]);
    const out = o.reading('ups-c', LB, t(2));
    expect(audits(out)[0].reason).toContain('(0 of 3 supplies left, 1 needed)');
  });

  it('at least 2 of 3 healthy', () => {
    const o = two('atLeast', 2);
    expect(o.reading('ups-a', LB, t(0))).toEqual([]);
    expect(events(o.reading('ups-b', LB, t(1)))).toContain('trigger');
  });

  it('refuses a policy that cannot work', () => {
    expect(() => two('atLeast', 4)).toThrow(/from 1 to 3/);
    expect(() => new ShutdownOrchestrator(policy({ supplies: [] }))).toThrow(/at least one supply/);
    expect(() => new ShutdownOrchestrator(policy({ stages: [] }))).toThrow(/no stage/);
    expect(() => new ShutdownOrchestrator(policy({ triggers: { lowBattery: false, fsd: false } }))).toThrow(/every trigger is off/);
  });
});

describe('cancellation', () => {
  it('power back before a stage commits cancels the rest; the stages that fired stay fired', () => {
    const o = new ShutdownOrchestrator(policy());
    const before = run(o, 0, 150, () => OB()); // trigger at 120, stage 1 at once
    expect(actions(before).map((a) => a.stage)).toEqual(['non-critical']);
    const back = o.reading('ups-a', { ...OL, 'ups.status': 'OL CHRG' }, t(151));
    expect(events(back)).toEqual(['cancel']);
    expect(audits(back)[0].reason).toBe('power is back (ups-a OL CHRG) before stage "storage": 2 stage(s) cancelled');
    expect(o.state).toBe('idle');
    expect(run(o, 152, 600, () => OL)).toEqual([]);
    // the next outage starts the plan over
    expect(actions(run(o, 601, 800, () => OB())).map((a) => a.stage)).toEqual(['non-critical', 'storage']);
  });

  it('silence is not power back: a supply that goes unknown mid-plan lets the plan go on', () => {
    const o = new ShutdownOrchestrator(policy());
    run(o, 0, 125, () => OB());
    o.event('ups-a', 'COMMBAD', t(126));
    expect(actions(run(o, 127, 300, () => undefined)).map((a) => a.stage)).toEqual(['storage', 'ups']);
  });
});

describe('drill', () => {
  it('walks the full plan on its delays with every action a dry run, and stays armed after', () => {
    const o = new ShutdownOrchestrator(policy());
    o.reading('ups-a', OL, t(0));
    const out = [...o.drill(t(1)), ...run(o, 2, 200, () => OL)];
    expect(actions(out).map((a) => [a.action, a.dryRun])).toEqual([
      ['stop batch', true],
      ['stop nas', true],
      ['ups shutdown', true],
    ]);
    expect(events(out)).toEqual(['drill', 'stage', 'stage', 'stage', 'complete']);
    expect(audits(out).every((a) => a.dryRun)).toBe(true);
    expect(o.state).toBe('idle');
  });

  it('drill policy: a real trigger runs with every action marked dry run', () => {
    const o = new ShutdownOrchestrator(policy({ drill: true }));
    const out = o.reading('ups-a', OB(100), t(0));
    expect(actions(out).every((a) => a.dryRun)).toBe(true);
    expect(audits(out)[0]).toMatchObject({ event: 'trigger', dryRun: true });
  });
});
