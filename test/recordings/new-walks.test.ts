// The nine real walks added for issue 10, served by snmpsimd and read the way `rackpower read` reads an unknown
// device: detected among every shipped SNMP profile, then read twice (learning, then steady). Every value checked
// is listed with its oracle in new-walks.checks.ts; the share of them read right is printed, and the few known
// misses are named there so that a change for better or worse shows.
// @module-tag peer: snmpsimd
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SnmpClient } from '../../src/protocol/snmp/client';
import { startSnmpsim, type Snmpsim } from '../harness/snmpsim';
import { client, fixture, reader } from '../profiles/recording-helpers';
import { CHECKS, score } from './new-walks.checks';

let sim: Snmpsim;
const clients: SnmpClient[] = [];
beforeAll(async () => {
  sim = await startSnmpsim(CHECKS.map((c) => fixture(c.walk)));
});
afterAll(async () => {
  for (const c of clients) c.close();
  await sim?.stop();
});

const tally = { right: 0, all: 0 };

describe('nine real walks never seen before issue 10', () => {
  for (const check of CHECKS) {
    it(`${check.walk} → ${check.profile}`, async () => {
      const c = client(sim.port, check.walk);
      clients.push(c);
      const r = reader(c);
      await r.identify();
      await r.read();
      const values = await r.read();
      const { right, wrong } = score(check, r.profile?.id, values);
      tally.right += right.length;
      tally.all += right.length + wrong.length;
      expect(r.profile?.id).toBe(check.profile);
      const known = check.knownWrong ?? {};
      const got = Object.fromEntries(Object.keys(check.values).filter((k) => !(k in known)).map((k) => [k, values[k] ?? null]));
      const want = Object.fromEntries(Object.entries(check.values).filter(([k]) => !(k in known)));
      expect(got).toEqual(want);
      expect(wrong, 'the known misses, no more and no fewer').toEqual(Object.keys(known));
    });
  }

  it('at least 95 % of the checked values are right', () => {
    console.log(`new walks: ${tally.right} of ${tally.all} checked values right (${((100 * tally.right) / tally.all).toFixed(1)} %)`);
    expect(tally.all).toBe(CHECKS.reduce((n, c) => n + 1 + Object.keys(c.values).length, 0));
    expect(tally.right / tally.all).toBeGreaterThanOrEqual(0.95);
  });
});
