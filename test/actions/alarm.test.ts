// AlarmEngine with a fake clock: each rule kind, hysteresis, on/off delays, and state that survives a redeploy.
import { describe, expect, it } from 'vitest';
import { AlarmEngine, type AlarmRule, type AlarmTransition } from '../../src/actions/alarm';

const s = (seconds: number): number => 1_000_000 + seconds * 1000;
const kinds = (t: AlarmTransition[]): string[] => t.map((x) => `${x.type} ${x.variable}`);

describe('threshold rules', () => {
  it('above: raises past the limit, stays raised inside the hysteresis band, clears below it', () => {
    const e = new AlarmEngine([{ id: 'hot', variable: 'ambient.1.temperature', kind: 'above', threshold: 30, hysteresis: 2, severity: 'critical' }], 'rack');
    expect(e.update({ 'ambient.1.temperature': 29 }, s(0))).toEqual([]);
    const up = e.update({ 'ambient.1.temperature': 31.5 }, s(10));
    expect(up).toHaveLength(1);
    expect(up[0]).toMatchObject({ type: 'raise', rule: 'hot', value: 31.5, threshold: 'above 30', severity: 'critical' });
    expect(up[0].message).toBe('rack ambient.1.temperature 31.5 is above 30 (hot)');
    expect(e.update({ 'ambient.1.temperature': 29 }, s(20))).toEqual([]); // inside 28..30: still raised
    const down = e.update({ 'ambient.1.temperature': 27.9 }, s(30));
    expect(down[0]).toMatchObject({ type: 'clear', since: s(10), timestamp: s(30) });
  });

  it('below and outside; text values and other variables are ignored', () => {
    const e = new AlarmEngine([
      { id: 'charge', variable: 'battery.charge', kind: 'below', threshold: 50 },
      { id: 'volts', variable: 'input.voltage', kind: 'outside', low: 207, high: 253, hysteresis: 3 },
    ]);
    expect(kinds(e.update({ 'battery.charge': 40, 'input.voltage': 230, 'ups.status': 'OB' }, s(0)))).toEqual(['raise battery.charge']);
    expect(kinds(e.update({ 'battery.charge': 60, 'input.voltage': 260 }, s(1)))).toEqual(['clear battery.charge', 'raise input.voltage']);
    expect(e.update({ 'input.voltage': 251 }, s(2))).toEqual([]); // 250 is the edge with hysteresis
    expect(kinds(e.update({ 'input.voltage': 249 }, s(3)))).toEqual(['clear input.voltage']);
  });

  it('a pattern makes one alarm per matching variable', () => {
    const e = new AlarmEngine([{ id: 'amps', variable: 'outlet.*.current', kind: 'above', threshold: 10 }]);
    const t = e.update({ 'outlet.1.current': 2, 'outlet.2.current': 12, 'outlet.3.current': 11, 'input.current': 30 }, s(0));
    expect(kinds(t)).toEqual(['raise outlet.2.current', 'raise outlet.3.current']);
  });
});

describe('delays', () => {
  const rule: AlarmRule = { id: 'hot', variable: 't', kind: 'above', threshold: 30, onDelayS: 60, offDelayS: 120 };

  it('on-delay: a short excursion never raises; a held one raises when the delay passes (on a tick)', () => {
    const e = new AlarmEngine([rule]);
    expect(e.update({ t: 35 }, s(0))).toEqual([]);
    expect(e.update({ t: 25 }, s(30))).toEqual([]); // back before 60 s: pending dropped
    expect(e.tick(s(100))).toEqual([]);
    expect(e.update({ t: 35 }, s(200))).toEqual([]);
    expect(e.tick(s(259))).toEqual([]);
    expect(kinds(e.tick(s(260)))).toEqual(['raise t']);
  });

  it('off-delay: the value must stay back for the whole delay', () => {
    const e = new AlarmEngine([{ ...rule, onDelayS: 0 }]);
    e.update({ t: 35 }, s(0));
    expect(e.update({ t: 20 }, s(10))).toEqual([]);
    expect(e.update({ t: 33 }, s(60))).toEqual([]); // up again: off-delay restarts
    expect(e.update({ t: 20 }, s(70))).toEqual([]);
    expect(e.tick(s(189))).toEqual([]);
    expect(kinds(e.tick(s(190)))).toEqual(['clear t']);
  });
});

describe('rate and stale', () => {
  it('rate: change per minute over the window, either direction', () => {
    const e = new AlarmEngine([{ id: 'rise', variable: 't', kind: 'rate', threshold: 2, windowS: 120, hysteresis: 0.5 }]);
    expect(e.update({ t: 20 }, s(0))).toEqual([]);
    expect(e.update({ t: 21 }, s(60))).toEqual([]); // 1/min
    const t = e.update({ t: 25 }, s(120)); // 5 over 2 min = 2.5/min
    expect(t[0]).toMatchObject({ type: 'raise', value: 2.5, threshold: 'changing faster than 2/min' });
    expect(t[0].message).toContain('2.5/min');
    expect(e.update({ t: 25.5 }, s(180))).toEqual([]); // (25.5-21)/2 = 2.25/min: still raised
    expect(kinds(e.update({ t: 25.5 }, s(300)))).toEqual(['clear t']);
  });

  it('stale: a variable without a value for N s raises; a new value clears', () => {
    const e = new AlarmEngine([{ id: 'quiet', variable: 'input.realpower', kind: 'stale', threshold: 300 }]);
    e.update({ 'input.realpower': 900 }, s(0));
    expect(e.tick(s(299))).toEqual([]);
    const t = e.tick(s(300));
    expect(t[0]).toMatchObject({ type: 'raise', value: 300, threshold: 'no value for 300 s' });
    expect(e.tick(s(400))).toEqual([]);
    expect(kinds(e.update({ 'input.realpower': 910 }, s(401)))).toEqual(['clear input.realpower']);
  });
});

describe('redeploy', () => {
  it('restored state: what is raised stays raised without a second raise, and clears normally', () => {
    const rules: AlarmRule[] = [{ id: 'hot', variable: 't', kind: 'above', threshold: 30 }];
    const first = new AlarmEngine(rules);
    expect(kinds(first.update({ t: 35 }, s(0)))).toEqual(['raise t']);
    // what a Node-RED context store keeps: JSON
    const kept = JSON.parse(JSON.stringify(first.state));
    const second = new AlarmEngine(rules, '', kept);
    expect(second.raised()).toEqual(['hot|t']);
    expect(second.update({ t: 36 }, s(10))).toEqual([]);
    expect(kinds(second.update({ t: 20 }, s(20)))).toEqual(['clear t']);
  });

  it('state of a removed rule is dropped', () => {
    const kept = { 'gone|t': { raised: true, since: 0 } };
    expect(new AlarmEngine([{ id: 'hot', variable: 't', kind: 'above', threshold: 1 }], '', kept).raised()).toEqual([]);
  });

  it('refuses rules that cannot work', () => {
    expect(() => new AlarmEngine([{ id: 'x', variable: 't', kind: 'outside', low: 5, high: 1 }])).toThrow(/low < high/);
    expect(() => new AlarmEngine([{ id: 'x', variable: 't', kind: 'stale', threshold: 0 }])).toThrow(/> 0/);
    expect(() => new AlarmEngine([{ id: 'x', variable: 't', kind: 'above' }])).toThrow(/threshold/);
  });
});
