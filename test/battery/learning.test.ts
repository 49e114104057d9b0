// Battery truth learned from simulated discharges: the simulator's battery physics (age, Peukert, a firmware that
// estimates for a new battery) against what the tracker measures, poll by poll on a simulated clock.
import { describe, expect, it } from 'vitest';
import type { BatteryState } from '../../src/battery/monitor';
import { Random } from '../../src/sim/random';
import { Rig, value } from './helpers';

const AGED = { capacityWh: 300, health: 0.7, peukert: 1.2, referenceW: 1500, firmware: 'new-battery', chargerW: 1500 } as const;

function within(measured: number | undefined, truth: number, pct: number): void {
  expect(measured, `measured ${measured} vs truth ${truth.toFixed(0)}`).toBeDefined();
  expect(Math.abs(measured! - truth) / truth, `measured ${measured} vs truth ${truth.toFixed(0)}`).toBeLessThan(pct / 100);
}

function history(rig: Rig): BatteryState['history'] {
  const key = [...rig.store.data.keys()].find((k) => k.startsWith('battery_'))!;
  return (rig.store.get(key) as BatteryState).history;
}

describe('battery learning', () => {
  it('publishes nothing learned before a discharge, and says why', () => {
    const rig = new Rig({ battery: AGED });
    const all = rig.run(120);
    expect(all.every((r) => value(r, 'battery.runtime.measured') === undefined && value(r, 'battery.health') === undefined)).toBe(true);
    expect(rig.last?.learning?.code).toBe('no-discharge');
    expect(rig.last?.learning?.message).toMatch(/no discharge/u);
  });

  it('says so when a short outage used too little charge to learn from', () => {
    const rig = new Rig({ battery: { ...AGED, capacityWh: 1500 }, events: [{ at: 20, action: 'power-cut', duration: 40 }] });
    rig.run(120);
    expect(value(rig.last, 'battery.runtime.measured')).toBeUndefined();
    expect(rig.last?.learning?.code).toBe('too-little');
  });

  it('learns from a full discharge down to the UPS switching off, and finds the aged battery', () => {
    const rig = new Rig({ battery: { ...AGED, peukert: 1 }, events: [{ at: 30, action: 'power-cut', duration: 900 }] });
    const statuses = new Set<string>();
    rig.run(1500, (r) => statuses.add(String(r.reading.values['ups.status'])));
    expect(statuses).toContain('OFF');
    const full = history(rig).discharges.filter((d) => d.full);
    expect(full).toHaveLength(1);
    expect(full[0].segments.at(-1)!.endCharge).toBe(0);
    within(value(rig.last, 'battery.runtime.measured'), rig.truthRuntime(), 10);
    expect(Math.abs(value(rig.last, 'battery.health')! - 70)).toBeLessThanOrEqual(10);
    // The firmware's new-battery estimate is optimistic by about 1 / 0.7: its error says so.
    expect(value(rig.last, 'battery.runtime.error')).toBeGreaterThan(25);
  });

  it('learns from partial discharges at two loads, and so the load exponent', () => {
    const rig = new Rig({ battery: { ...AGED, peukert: 1.35 }, events: [{ at: 30, action: 'power-cut', duration: 100 }, { at: 700, action: 'power-cut', duration: 150 }] });
    rig.run(600);
    within(value(rig.last, 'battery.runtime.measured'), rig.truthRuntime(), 10);
    // Half the servers off: a lighter load lasts disproportionately longer (Peukert), which one load cannot teach.
    for (const n of [1, 2, 3, 4, 5]) rig.model.setOutlet('pdu', n, false);
    rig.run(1200);
    expect(history(rig).discharges).toHaveLength(2);
    const [heavy, light] = history(rig).discharges.map((d) => d.samples[1][1]);
    expect(light / heavy).toBeLessThan(0.6);
    within(value(rig.last, 'battery.runtime.measured'), rig.truthRuntime(), 8);
  });

  it('copes with a noisy load reading', () => {
    const noise = new Random(5);
    const rig = new Rig({
      battery: AGED,
      events: [{ at: 30, action: 'power-cut', duration: 120 }],
      mangle: (v) => ({ ...v, 'output.realpower': Math.max(0, Number(v['output.realpower']) * (1 + noise.between(-0.2, 0.2))) }),
    });
    rig.run(400);
    // Judged at the mean load: a single noisy reading moves any estimate at that instant, the firmware's too.
    const recent = rig.run(300).map((r) => value(r, 'battery.runtime.measured')!);
    const truth = rig.truthRuntime();
    within(recent.reduce((a, b) => a + b, 0) / recent.length, truth, 10);
  });

  it('leaves out missing polls in the middle of a discharge instead of bridging them', () => {
    const rig = new Rig({ battery: AGED, events: [{ at: 30, action: 'power-cut', duration: 150 }], skip: (t) => t > 70 && t < 130 });
    rig.run(400);
    const [d] = history(rig).discharges;
    expect(d.segments).toHaveLength(2);
    // The gap's 60 s and its charge drop are in neither segment.
    const covered = d.segments.reduce((a, s) => a + (s.end - s.start) / 1000, 0);
    expect(covered).toBeLessThanOrEqual(100);
    within(value(rig.last, 'battery.runtime.measured'), rig.truthRuntime(), 10);
  });

  it('continues a discharge across a restart in the middle of it', () => {
    const rig = new Rig({ battery: AGED, events: [{ at: 30, action: 'power-cut', duration: 150 }] });
    rig.run(90);
    expect(String(rig.last?.reading.values['ups.status'])).toMatch(/^OB/u);
    rig.restart();
    rig.run(300);
    const discharges = history(rig).discharges;
    expect(discharges).toHaveLength(1);
    expect(discharges[0].segments).toHaveLength(1);
    expect(discharges[0].samples.length).toBeGreaterThanOrEqual(14);
    within(value(rig.last, 'battery.runtime.measured'), rig.truthRuntime(), 10);
  });

  it('does not bridge a restart that took longer than a few polls', () => {
    const rig = new Rig({ battery: AGED, events: [{ at: 30, action: 'power-cut', duration: 150 }] });
    rig.run(70);
    rig.restart();
    rig.model.advance(60);
    rig.t += 60;
    rig.run(300);
    const [d] = history(rig).discharges;
    expect(d.segments).toHaveLength(2);
  });

  it('publishes the learned runtime as battery.runtime for a device that reports 0', () => {
    const rig = new Rig({ battery: { ...AGED, firmware: 'zero' }, events: [{ at: 30, action: 'power-cut', duration: 120 }] });
    const before = rig.run(30);
    expect(before.every((r) => r.reading.values['battery.runtime'] === 0)).toBe(true);
    rig.run(400);
    const runtime = value(rig.last, 'battery.runtime');
    expect(runtime).toBe(value(rig.last, 'battery.runtime.measured'));
    within(runtime, rig.truthRuntime(), 10);
    expect(value(rig.last, 'battery.runtime.error')).toBeUndefined();
  });

  it('raises REPLBATT once when the measured health is below 80 %, not again after a restart', () => {
    const rig = new Rig({ battery: AGED, events: [{ at: 30, action: 'power-cut', duration: 120 }, { at: 600, action: 'power-cut', duration: 120 }] });
    const events = rig.run(500).flatMap((r) => r.events);
    rig.restart();
    events.push(...rig.run(500).flatMap((r) => r.events));
    expect(events.map((e) => e.event)).toEqual(['REPLBATT']);
    expect(events[0].battery?.threshold).toBe(80);
    expect(events[0].battery?.health).toBeLessThan(80);
    expect(events[0].message).toMatch(/measured health \d+ % is below 80 %/u);
  });

  it('raises nothing for a healthy battery whose firmware is honest', () => {
    const rig = new Rig({ battery: { ...AGED, health: 1, firmware: 'honest' }, events: [{ at: 30, action: 'power-cut', duration: 120 }] });
    const events = rig.run(600).flatMap((r) => r.events);
    expect(events).toEqual([]);
    expect(value(rig.last, 'battery.health')).toBeGreaterThanOrEqual(95);
    expect(Math.abs(value(rig.last, 'battery.runtime.error')!)).toBeLessThan(8);
  });

  it('starts the history over when a new battery lasts far longer than the old one', () => {
    const rig = new Rig({ battery: AGED, events: [{ at: 30, action: 'power-cut', duration: 120 }, { at: 900, action: 'power-cut', duration: 120 }] });
    const events = rig.run(600).flatMap((r) => r.events);
    expect(value(rig.last, 'battery.health')).toBeLessThan(75);
    // The battery is replaced (and charged) between the outages.
    rig.model.control('ups', (u) => {
      const battery = (u as unknown as { battery: { health: number; soc: number } }).battery;
      battery.health = 1;
      battery.soc = 1;
    });
    events.push(...rig.run(900).flatMap((r) => r.events));
    expect(history(rig).discharges).toHaveLength(1);
    within(value(rig.last, 'battery.runtime.measured'), rig.truthRuntime(), 10);
    expect(value(rig.last, 'battery.health')).toBeGreaterThanOrEqual(90);
    expect(events.map((e) => e.event)).toEqual(['REPLBATT']);
  });

  it('drops damaged entries of a saved history instead of crashing on them', () => {
    const rig = new Rig({ battery: AGED, events: [{ at: 30, action: 'power-cut', duration: 120 }] });
    rig.run(300);
    const key = [...rig.store.data.keys()].find((k) => k.startsWith('battery_'))!;
    const saved = rig.store.get(key) as BatteryState;
    const junk = [{ start: 'yesterday' }, { ...saved.history.discharges[0], segments: [{ start: 1, end: 0, startCharge: 'x' }] }, null];
    // Damaged while stopped: the new tracker reads the store at its first reading.
    rig.restart();
    rig.store.set(key, { ...saved, best: { k: -1, n: Number.NaN }, history: { ...saved.history, discharges: [...junk, ...saved.history.discharges] } });
    rig.run(30);
    expect(history(rig).discharges).toHaveLength(1);
    within(value(rig.last, 'battery.runtime.measured'), rig.truthRuntime(), 10);
    rig.restart();
    rig.store.set(key, 'not a history');
    expect(rig.run(30).every((r) => r.learning?.code === 'no-discharge')).toBe(true);
  });

  it('forgets the old battery when told it was replaced, and can raise REPLBATT again later', () => {
    const rig = new Rig({ battery: AGED, events: [{ at: 30, action: 'power-cut', duration: 120 }, { at: 700, action: 'power-cut', duration: 120 }] });
    const events = rig.run(400).flatMap((r) => r.events);
    expect(value(rig.last, 'battery.runtime.measured')).toBeDefined();
    rig.tracker.batteryReplaced();
    // Still the same aged battery, in fact: the next outage teaches it again and REPLBATT comes again.
    const after = rig.run(60);
    expect(after.every((r) => r.learning?.code === 'no-discharge' && value(r, 'battery.runtime.measured') === undefined)).toBe(true);
    expect(history(rig).discharges).toEqual([]);
    events.push(...rig.run(600).flatMap((r) => r.events));
    expect(events.map((e) => e.event)).toEqual(['REPLBATT', 'REPLBATT']);
  });
});
