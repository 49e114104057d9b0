// Energy counters integrated from real power: exact sums, gaps not bridged, restarts that never go backwards.
import { describe, expect, it } from 'vitest';
import { EnergyCounters } from '../../src/battery/energy';
import { ReadingTracker } from '../../src/battery/tracker';
import type { Values } from '../../src/types';
import { JsonStore, T0 } from './helpers';

const S = 1000;

function feed(counters: EnergyCounters, from: number, to: number, stepS: number, values: (t: number) => Values): Values[] {
  const out: Values[] = [];
  for (let t = from; t <= to; t += stepS) out.push(counters.observe(T0 + t * S, values(t)));
  return out;
}

describe('energy counters', () => {
  it('integrates real power into kWh: 600 W for an hour is 0.6 kWh', () => {
    const c = new EnergyCounters({ intervalMs: 10 * S });
    const out = feed(c, 0, 3600, 10, () => ({ 'ups.realpower': 600, 'output.realpower': 300 }));
    expect(out.at(-1)).toEqual({ 'ups.energy': 0.6, 'output.energy': 0.3 });
  });

  it('integrates a changing load by trapezoids', () => {
    const c = new EnergyCounters({ intervalMs: 10 * S });
    // A ramp from 0 to 720 W over an hour: 0.36 kWh.
    const out = feed(c, 0, 3600, 10, (t) => ({ 'output.realpower': (720 * t) / 3600 }));
    expect(out.at(-1)!['output.energy']).toBeCloseTo(0.36, 3);
  });

  it('does not bridge a gap longer than three intervals, and does bridge a single lost poll', () => {
    const c = new EnergyCounters({ intervalMs: 10 * S });
    feed(c, 0, 1800, 10, () => ({ 'ups.realpower': 1000 }));
    // One lost poll (20 s between readings): bridged.
    feed(c, 1820, 1820, 10, () => ({ 'ups.realpower': 1000 }));
    // A 10-minute silence: nobody knows what was drawn, so nothing is counted for it.
    const out = feed(c, 2420, 4220, 10, () => ({ 'ups.realpower': 1000 }));
    // Published in whole Wh, rounded down so the counter never runs ahead of what was measured.
    expect(out.at(-1)!['ups.energy']).toBe(Math.floor((0.5 + 20 / 3600 + 0.5) * 1000) / 1000);
  });

  it('survives a restart without going backwards, and keeps counting after it', () => {
    const store = new JsonStore();
    const device = { name: 'pdu', kind: 'pdu' as const, profile: 'sim', address: 'sim://pdu', serial: 'P1' };
    const run = (tracker: ReadingTracker, from: number, to: number): number[] => {
      const seen: number[] = [];
      for (let t = from; t <= to; t += 10) {
        const r = tracker.observe({ device, timestamp: T0 + t * S, values: { 'outlet.1.realpower': 360, 'outlet.2.realpower': 0 } });
        seen.push(r.reading.values['outlet.1.energy'] as number);
        expect(r.reading.values['outlet.2.energy']).toBe(0);
      }
      return seen;
    };
    const first = run(new ReadingTracker({ intervalMs: 10 * S }, store), 0, 1000);
    // A restart that took 15 s (within three intervals): bridged, as if never stopped.
    const second = run(new ReadingTracker({ intervalMs: 10 * S }, store), 1015, 2000);
    // A restart after an hour: the hour is not counted, the counter resumes where it was.
    const third = run(new ReadingTracker({ intervalMs: 10 * S }, store), 5600, 6600);
    const all = [...first, ...second, ...third];
    for (let i = 1; i < all.length; i++) expect(all[i]).toBeGreaterThanOrEqual(all[i - 1]);
    expect(first.at(-1)).toBe(0.1);
    expect(second[0]).toBe(Math.floor((0.1 + (360 * 15) / 3.6e6) * 1000) / 1000);
    expect(third[0]).toBe(second.at(-1));
    // 1000 s + 995 s + 1000 s at 360 W, the 15 s restart bridged, the hour not: 0.2995 kWh.
    expect(third.at(-1)).toBe(0.299);
  });

  it('never replaces a counter the device keeps, and ignores impossible power', () => {
    const c = new EnergyCounters({ intervalMs: 10 * S });
    const out = feed(c, 0, 100, 10, (t) => ({ 'input.realpower': 500, 'input.energy': 1234.5, 'ups.realpower': t === 50 ? -5 : t === 60 ? 5e9 : 100 }));
    expect(out.every((v) => v['input.energy'] === undefined)).toBe(true);
    // 100 W for 100 s (the two bad readings are skipped, the 30 s around them bridged): 2.78 Wh.
    expect(out.at(-1)!['ups.energy']).toBe(0.002);
    const finer = new EnergyCounters({ intervalMs: 10 * S });
    const long = feed(finer, 0, 3600, 10, (t) => ({ 'ups.realpower': t % 100 === 50 ? -5 : t % 100 === 60 ? 5e9 : 100 }));
    expect(long.at(-1)!['ups.energy']).toBe(0.1);
  });

  it('restores nothing from a corrupt state rather than a wrong total', () => {
    const c = new EnergyCounters({ intervalMs: 10 * S }, { version: 1, counters: { 'ups.energy': -3 }, last: {} });
    expect(c.observe(T0, { 'ups.realpower': 100 })).toEqual({ 'ups.energy': 0 });
  });

  it('takes a clock stepped back as a gap, and keeps counting from there', () => {
    const c = new EnergyCounters({ intervalMs: 10 * S });
    feed(c, 3600, 7200, 10, () => ({ 'ups.realpower': 360 }));
    // NTP steps the clock back an hour: nothing is counted for the step, nothing is lost, counting goes on.
    const out = feed(c, 0, 3600, 10, () => ({ 'ups.realpower': 360 }));
    expect(out[0]['ups.energy']).toBe(0.36);
    expect(out.at(-1)!['ups.energy']).toBe(0.72);
  });
});
