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

describe('progress that survives a restart', () => {
  /** A restart: a new orchestrator with the same policy, given what the old one persisted (through JSON, like a store). */
  const restart = (o: ShutdownOrchestrator, p: ShutdownPolicy, now: number): { next: ShutdownOrchestrator; out: Output[] } => {
    const next = new ShutdownOrchestrator(p);
    return { next, out: next.resume(JSON.parse(JSON.stringify(o.progress())), now) };
  };

  it('stage 1 done, restart: stage 1 is not repeated, stage 2 comes at trigger + its delay, the audit says it resumed', () => {
    const p = policy();
    const o = new ShutdownOrchestrator(p);
    const before = run(o, 0, 140, () => OB()); // trigger at 120, stage 1 at once
    expect(actions(before).map((a) => a.stage)).toEqual(['non-critical']);
    const { next, out } = restart(o, p, t(150));
    expect(out).toHaveLength(1);
    expect(audits(out)[0]).toMatchObject({ event: 'resume', triggeredAt: t(120) });
    expect(audits(out)[0].reason).toBe(
      `resumed after a restart or redeploy: triggered ${new Date(t(120)).toISOString()}, 1 of 3 stage(s) done (non-critical), not repeated; "storage" due ${new Date(t(180)).toISOString()}`,
    );
    const after = run(next, 155, 400, () => OB());
    expect(actions(after).map((a) => [a.stage, (a.timestamp - t(120)) / 1000])).toEqual([
      ['storage', 60],
      ['ups', 90],
    ]);
    expect(audits(after).find((a) => a.stage === 'storage')).toMatchObject({ due: t(180), triggeredAt: t(120) });
    expect(next.state).toBe('done');
  });

  it('a stage that came due while Node-RED was down waits for a reading, then fires once; power back meanwhile cancels it', () => {
    const p = policy();
    const o = new ShutdownOrchestrator(p);
    run(o, 0, 130, () => OB());
    // Down from 130 to 300: "storage" (due 180) and "ups" (due 210) are overdue.
    const down = restart(o, p, t(300));
    expect(down.next.tick(t(301))).toEqual([]); // nothing heard from ups-a yet
    expect(actions(down.next.reading('ups-a', OB(), t(302))).map((a) => a.stage)).toEqual(['storage', 'ups']);

    const back = restart(o, p, t(300));
    const out = back.next.reading('ups-a', OL, t(302));
    expect(events(out)).toEqual(['cancel']);
    expect(actions(out)).toEqual([]);
  });

  it('a supply that stays silent after a restart holds the plan for staleAfterS at most, then it goes on', () => {
    const p = policy({ staleAfterS: 60 });
    const o = new ShutdownOrchestrator(p);
    run(o, 0, 130, () => OB());
    const { next } = restart(o, p, t(300));
    expect(actions(run(next, 301, 359, () => undefined))).toEqual([]);
    expect(actions(next.tick(t(360))).map((a) => a.stage)).toEqual(['storage', 'ups']);
  });

  it('a completed plan stays done across a restart: on battery still, nothing fires again', () => {
    const p = policy();
    const o = new ShutdownOrchestrator(p);
    run(o, 0, 400, () => OB());
    expect(o.state).toBe('done');
    const { next, out } = restart(o, p, t(500));
    expect(events(out)).toEqual(['resume']);
    expect(actions(run(next, 501, 900, () => OB()))).toEqual([]);
    expect(events(next.reading('ups-a', OL, t(901)))).toEqual(['reset']);
  });

  it('idle progress resumes to nothing; garbage in the store is ignored', () => {
    const p = policy();
    expect(restart(new ShutdownOrchestrator(p), p, t(0)).out).toEqual([]);
    for (const junk of [undefined, null, 42, 'x', { version: 2 }, { version: 1, run: { start: 'soon' } }]) {
      expect(new ShutdownOrchestrator(p).resume(junk, t(0))).toEqual([]);
    }
  });
});

describe('restore after a cancel', () => {
  const stages: ShutdownPolicy['stages'] = [
    { name: 'batch', delayS: 0, actions: [{ name: 'outlet 7 off', payload: { action: 'off', outlet: 7 } }], restore: [{ name: 'outlet 7 on', payload: { action: 'on', outlet: 7 } }] },
    { name: 'backup', delayS: 10, actions: [{ name: 'outlet 8 off', payload: { action: 'off', outlet: 8 } }], restore: [{ name: 'outlet 8 on', payload: { action: 'on', outlet: 8 } }] },
    { name: 'hosts', delayS: 10, actions: [{ name: 'stop hosts', topic: 'ssh' }] },
    { name: 'ups', delayS: 100, actions: [{ name: 'ups off', payload: { command: 'shutdown.return' } }] },
  ];
  const withRestore = (stableS = 30, extra: Partial<ShutdownPolicy> = {}): ShutdownPolicy => policy({ stages, triggers: { runtimeBelowS: 300 }, restore: { stableS }, ...extra });

  it('off by default: a cancel switches nothing back on', () => {
    const o = new ShutdownOrchestrator(policy({ stages, triggers: { runtimeBelowS: 300 } }));
    run(o, 0, 25, () => OB(200));
    expect(actions(run(o, 26, 600, () => OL))).toEqual([]);
  });

  it('after power is stable for N s, the fired stages are undone last first, with audits; a stage without restore actions is skipped', () => {
    const o = new ShutdownOrchestrator(withRestore());
    const fired = run(o, 0, 25, () => OB(200)); // batch at 0, backup at 10, hosts at 20
    expect(actions(fired).map((a) => a.stage)).toEqual(['batch', 'backup', 'hosts']);
    const back = o.reading('ups-a', OL, t(26));
    expect(audits(back)[0].reason).toBe('power is back (ups-a OL) before stage "ups": 1 stage(s) cancelled; restore of 3 stage(s) once power is stable for 30 s');
    const out = run(o, 27, 100, () => OL);
    expect(actions(out).map((a) => [a.action, a.restore, a.dryRun, (a.timestamp - t(26)) / 1000])).toEqual([
      ['outlet 8 on', true, false, 30],
      ['outlet 7 on', true, false, 30],
    ]);
    expect(audits(out).map((a) => [a.event, a.stage])).toEqual([
      ['restore', 'backup'],
      ['restore', 'batch'],
    ]);
    expect(actions(run(o, 101, 300, () => OL))).toEqual([]); // once
  });

  it('a flicker during the wait starts it over; a new outage abandons the restore and starts the plan', () => {
    const o = new ShutdownOrchestrator(withRestore(30));
    run(o, 0, 12, () => OB(200));
    o.reading('ups-a', OL, t(13));
    run(o, 14, 30, () => OL, 1);
    expect(o.reading('ups-a', { ...OL, 'ups.status': 'OB DISCHRG' }, t(31)).filter((x) => x.kind === 'action')).toEqual([]); // runtime 1800: not critical
    const out = run(o, 32, 80, () => OL);
    expect(actions(out)[0].timestamp).toBe(t(62)); // 30 s from the first healthy reading after the flicker
    const again = new ShutdownOrchestrator(withRestore(30));
    run(again, 0, 12, () => OB(200));
    again.reading('ups-a', OL, t(13));
    const outage = again.reading('ups-a', OB(200), t(20));
    expect(audits(outage)[0].reason).toContain('the restore still due from the last cancel is abandoned');
    expect(actions(outage).map((a) => [a.stage, a.restore])).toEqual([['batch', undefined]]);
  });

  it('a pending restore survives a restart, and its stable time starts over from the first reading after it', () => {
    const p = withRestore(30);
    const o = new ShutdownOrchestrator(p);
    run(o, 0, 12, () => OB(200));
    o.reading('ups-a', OL, t(13));
    run(o, 14, 40, () => OL); // 27 s stable: not yet
    const next = new ShutdownOrchestrator(p);
    expect(audits(next.resume(JSON.parse(JSON.stringify(o.progress())), t(50)))[0].reason).toBe(
      `resumed after a restart or redeploy: restore of 2 stage(s) (cancelled ${new Date(t(13)).toISOString()}) still due once power is stable for 30 s`,
    );
    const out = run(next, 51, 100, () => OL);
    expect(actions(out).map((a) => [a.action, (a.timestamp - t(51)) / 1000])).toEqual([
      ['outlet 8 on', 30],
      ['outlet 7 on', 30],
    ]);
  });

  it('drill policy: restore actions are dry runs too', () => {
    const o = new ShutdownOrchestrator(withRestore(0, { drill: true }));
    run(o, 0, 5, () => OB(200));
    const out = [...o.reading('ups-a', OL, t(6)), ...o.tick(t(7))];
    expect(actions(out).map((a) => [a.action, a.dryRun])).toEqual([['outlet 7 on', true]]);
  });
});

describe('resuming a plan whose policy was edited meanwhile', () => {
  it('a renamed supply: power back is judged on every supply of the new policy, never on none', () => {
    const o = new ShutdownOrchestrator(policy());
    run(o, 0, 130, () => OB());
    const edited = policy({ supplies: ['ups-main'] });
    const next = new ShutdownOrchestrator(edited);
    next.resume(JSON.parse(JSON.stringify(o.progress())), t(140));
    expect(events(next.tick(t(141)))).toEqual([]); // no "power back" out of an empty list
    expect(events(next.reading('ups-main', OL, t(142)))).toEqual(['cancel']);
  });

  it('stages removed: resumes after the last one that still exists, and says the plan was edited', () => {
    const o = new ShutdownOrchestrator(policy());
    run(o, 0, 200, () => OB()); // two stages fired
    const next = new ShutdownOrchestrator(policy({ stages: [plan[0], { ...plan[2], name: 'ups only' }] }));
    const out = next.resume(JSON.parse(JSON.stringify(o.progress())), t(201));
    expect(audits(out)[0].reason).toContain('2 of 2 stage(s) done (non-critical, ups only), not repeated (the plan was edited since: 2 stage(s) had fired)');
  });
});

describe('the on-battery clock across a restart', () => {
  const p = policy({ triggers: { onBatteryS: 120 }, staleAfterS: 60 });
  const restarted = (o: ShutdownOrchestrator, now: number): ShutdownOrchestrator => {
    const next = new ShutdownOrchestrator(p);
    expect(next.resume(JSON.parse(JSON.stringify(o.progress())), now)).toEqual([]); // nothing to say before a trigger
    return next;
  };

  it('a restart shorter than staleAfterS is a gap like any other: the stretch on battery goes on', () => {
    const o = new ShutdownOrchestrator(p);
    run(o, 0, 100, () => OB()); // on battery since 0, last read at 100
    const next = restarted(o, t(110));
    const out = run(next, 130, 200, () => OB());
    expect(audits(out)[0]).toMatchObject({ event: 'trigger', timestamp: t(130) }); // 130 s since 0, not 120 s from 130
  });

  it('a longer one starts it over (nobody watched), and power back in between clears it', () => {
    const o = new ShutdownOrchestrator(p);
    run(o, 0, 100, () => OB());
    const late = restarted(o, t(170));
    expect(audits(run(late, 170, 400, () => OB()))[0].timestamp).toBe(t(290));
    const back = restarted(o, t(110));
    back.reading('ups-a', OL, t(115));
    expect(audits(run(back, 120, 400, () => OB()))[0].timestamp).toBe(t(240));
  });
});
