// BudgetEngine with a fake clock: sums across devices, derated breaker budgets, throttle/restore hysteresis for
// power and for the hottest inlet, and no restore on missing data.
import { describe, expect, it } from 'vitest';
import { BudgetEngine, budgetOf } from '../../src/actions/budget';

const t = (s: number): number => 1_000_000 + s * 1000;

describe('power budget', () => {
  it('a 16 A breaker at 230 V derated to 80 % is 2944 W', () => {
    expect(budgetOf({ breakerA: 16 })).toBeCloseTo(2944);
    expect(budgetOf({ breakerA: 20, voltage: 120, derating: 0.8 })).toBe(1920);
    expect(() => budgetOf({})).toThrow(/budget in W or a breaker/);
  });

  it('sums PDUs and meters, reports headroom, throttles at the budget and restores below the hysteresis', () => {
    const b = new BudgetEngine({ budgetW: 3000, throttleAt: 1, restoreAt: 0.9 });
    expect(b.reading('pdu-a', { 'input.realpower': 1400, 'outlet.1.realpower': 200 }, t(0)).status).toMatchObject({ powerW: 1400, headroomW: 1600 });
    const over = b.reading('pdu-b', { 'input.realpower': 1650 }, t(1));
    expect(over.status).toMatchObject({ powerW: 3050, headroomW: -50, members: { 'pdu-a': 1400, 'pdu-b': 1650 } });
    expect(over.signals).toEqual([expect.objectContaining({ signal: 'throttle', cause: 'power', message: '3050 W is 102 % of the 3000 W budget' })]);
    expect(b.reading('pdu-b', { 'input.realpower': 1400 }, t(2)).signals).toEqual([]); // 93 %: inside the band
    const back = b.reading('pdu-b', { 'input.realpower': 1200 }, t(3));
    expect(back.signals.map((s) => s.signal)).toEqual(['restore']);
    expect(back.status.throttled).toEqual({ power: false, temperature: false });
  });

  it('per-outlet sums with a pattern', () => {
    const b = new BudgetEngine({ budgetW: 1000, powerVariables: ['outlet.*.realpower'] });
    expect(b.reading('pdu', { 'input.realpower': 999, 'outlet.1.realpower': 100, 'outlet.2.realpower': 250 }, t(0)).status.powerW).toBe(350);
  });

  it('a silent member drops out of the sum, and the engine never restores on an incomplete sum', () => {
    const b = new BudgetEngine({ budgetW: 2000, staleAfterS: 60 });
    b.reading('pdu-a', { 'input.realpower': 1500 }, t(0));
    expect(b.reading('pdu-b', { 'input.realpower': 600 }, t(30)).signals[0].signal).toBe('throttle');
    b.reading('pdu-b', { 'input.realpower': 100 }, t(40));
    const silent = b.tick(t(90)); // pdu-a silent for 90 s
    expect(silent.status).toMatchObject({ powerW: 100, stale: ['pdu-a'] });
    expect(silent.signals).toEqual([]);
  });
});

describe('temperature', () => {
  it('the hottest inlet across devices against the limit, restore 2 °C below', () => {
    const b = new BudgetEngine({ budgetW: 5000, temperatureLimit: 27 });
    b.reading('pdu-a', { 'ambient.1.temperature': 24, 'ambient.2.temperature': 25 }, t(0));
    const hot = b.reading('sensor', { 'ambient.temperature': 27.5 }, t(1));
    expect(hot.status.hottest).toEqual({ device: 'sensor', variable: 'ambient.temperature', value: 27.5 });
    expect(hot.signals[0]).toMatchObject({ signal: 'throttle', cause: 'temperature', message: 'sensor ambient.temperature 27.5 °C reached the 27 °C limit' });
    expect(b.reading('sensor', { 'ambient.temperature': 25.5 }, t(2)).signals).toEqual([]);
    expect(b.reading('sensor', { 'ambient.temperature': 24.9 }, t(3)).signals[0]).toMatchObject({ signal: 'restore', cause: 'temperature' });
  });

  it('refuses a restore level that is not below the throttle level', () => {
    expect(() => new BudgetEngine({ budgetW: 100, throttleAt: 0.9, restoreAt: 0.95 })).toThrow(/hysteresis/);
  });
});
