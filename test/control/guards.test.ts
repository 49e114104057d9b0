// The guards in front of every SET: enabled switch, allowlist by number or name, protected outlets, rate limit.
import { describe, expect, it } from 'vitest';
import { Guard, parseList } from '../../src/control/guards';

describe('guards', () => {
  it('refuse everything while control is not enabled', () => {
    const g = new Guard({ enabled: false, allow: [1, 2, 3] });
    expect(() => g.check({ key: 1 }, 0)).toThrow('refused 1: control is not enabled ("allow control" is off)');
  });

  it('allow by number or by name; protected wins over allowed; an empty allowlist allows nothing', () => {
    const g = new Guard({ enabled: true, allow: [1, 'web-02', 8], protect: [8, 'DB-01'] });
    expect(() => g.check({ key: 1, name: 'web-01' }, 0)).not.toThrow();
    expect(() => g.check({ key: 2, name: 'web-02' }, 0)).not.toThrow();
    expect(() => g.check({ key: 3, name: 'app-01' }, 0)).toThrow('refused 3 (app-01): not on the allowlist');
    expect(() => g.check({ key: 8 }, 0)).toThrow('refused 8: it is protected');
    expect(() => g.check({ key: 5, name: 'db-01' }, 0)).toThrow(/protected/);
    expect(() => new Guard({ enabled: true, allow: [] }).check({ key: 1 }, 0)).toThrow(/allowlist/);
  });

  it('rate limit: N actions per window, sliding; dry runs do not count', () => {
    const g = new Guard({ enabled: true, allow: [1], rateLimit: { count: 2, perS: 60 } });
    for (const t of [0, 10_000]) {
      g.check({ key: 1 }, t);
      g.record(t);
    }
    expect(() => g.check({ key: 1 }, 20_000)).toThrow('refused 1: rate limit of 2 per 60 s reached (next in 40 s)');
    expect(() => g.check({ key: 1 }, 60_000)).not.toThrow();
    const dry = new Guard({ enabled: true, allow: [1], rateLimit: { count: 1, perS: 60 }, dryRun: true });
    for (let i = 0; i < 5; i++) dry.check({ key: 1 }, i);
    // a real guard asked for one dry run: the allowlist still applies, the rate limit does not
    expect(() => g.check({ key: 1 }, 20_000, true)).not.toThrow();
    expect(() => g.check({ key: 2 }, 20_000, true)).toThrow(/allowlist/);
  });

  it('parse the editor lists', () => {
    expect(parseList('1, 3,db-01 ,, 12')).toEqual([1, 3, 'db-01', 12]);
    expect(parseList([2, '4, x'])).toEqual([2, 4, 'x']);
    expect(parseList(undefined)).toEqual([]);
  });
});
