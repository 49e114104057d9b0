// GETBULK cells are taken by position only when every varbind's OID is the learned cell's, in the learned order. A
// reply whose rows come reordered, with a gap, twice or with a row the plan never learned must still put every value
// on the outlet its OID names, and none on another. The simulated PDU's real GETBULK replies are rewritten on their
// way to the client: each outlet's value is made its own outlet number, so a value on the wrong outlet shows. Likewise
// a GET's answers are found by their place in the request only when every OID is the one asked there.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SnmpClient, type Varbind } from '../../src/protocol/snmp/client';
import { SnmpDeviceReader } from '../../src/polling/snmp-reader';
import { startRack, type RunningRack } from '../../src/sim/rack';
import { parseScenario } from '../../src/sim/scenario';
import { findProfile } from '../../src/profiles/load';
import type { SnmpProfile } from '../../src/profiles/types';
import { parseTarget } from '../../src/url';

const REALPOWER = '1.3.6.1.4.1.318.1.1.26.9.4.3.1.7';
const CURRENT = '1.3.6.1.4.1.318.1.1.26.9.4.3.1.6';
const OUTLETS = 24;

let rack: RunningRack;
beforeAll(async () => {
  rack = await startRack(parseScenario({ name: 'bulk-rows', devices: [{ name: 'pdu', profile: 'apc-rpdu2', outlets: OUTLETS }] }, 'bulk-rows.test.ts'), { speed: 0 });
});
afterAll(() => rack?.close());

/** What to do to the varbinds of a GETBULK asking from the realpower or current column OID itself. */
type Rewrite = (column: string, rows: Varbind[]) => Varbind[];

/** A reader of the simulated PDU whose GETBULK replies go through `rewrite`, and GET replies through `rewriteGet`. */
async function pduReader(query = ''): Promise<{
  reader: SnmpDeviceReader;
  client: SnmpClient;
  rewrite(r: Rewrite | undefined): void;
  rewriteGet(r: ((varbinds: Varbind[]) => Varbind[]) | undefined): void;
}> {
  const target = parseTarget(rack.devices[0].url + query);
  if (target.protocol !== 'snmp') throw new Error('the simulated PDU speaks SNMP');
  const client = new SnmpClient(target.snmp);
  const reader = new SnmpDeviceReader(client, { profile: findProfile('apc-rpdu2') as SnmpProfile });
  await reader.identify();
  let rewrite: Rewrite | undefined;
  let rewriteGet: ((varbinds: Varbind[]) => Varbind[]) | undefined;
  const session = (client as unknown as { session: Record<'get' | 'getBulk', (...args: unknown[]) => void> }).session;
  const realGet = session.get.bind(session);
  session.get = (...args: unknown[]) => {
    const [oids, cb] = args as [string[], (err: Error | null, res?: Varbind[]) => void];
    realGet(oids, (err: Error | null, res?: Varbind[]) => cb(err, err || !res || !rewriteGet ? res : rewriteGet(res)));
  };
  const real = session.getBulk.bind(session);
  session.getBulk = (...args: unknown[]) => {
    const [oids, nonRepeaters, reps, cb] = args as [string[], number, number, (err: Error | null, res?: Varbind[][]) => void];
    real(oids, nonRepeaters, reps, (err: Error | null, res?: Varbind[][]) => {
      if (err || !res || !rewrite) return cb(err, res);
      cb(null, res.map((rows, i) => {
        // Each outlet's realpower and current: its outlet number (so 7 W and 0.7 A on outlet 7).
        const numbered = rows.map((vb) => (vb.oid.startsWith(`${oids[i]}.`) ? { ...vb, value: Number(vb.oid.split('.').pop()) } : vb));
        // Only a column asked from its start: a continuation (after a gap) is answered as it is.
        return oids[i] === REALPOWER || oids[i] === CURRENT ? rewrite!(oids[i], numbered) : numbered;
      }));
    });
  };
  return { reader, client, rewrite: (r) => (rewrite = r), rewriteGet: (r) => (rewriteGet = r) };
}

/** outlet.N.realpower and outlet.N.current of a reading, for every outlet. */
function perOutlet(values: Record<string, unknown>): { realpower: unknown[]; current: unknown[] } {
  const outlets = Array.from({ length: OUTLETS }, (_, i) => i + 1);
  return { realpower: outlets.map((n) => values[`outlet.${n}.realpower`]), current: outlets.map((n) => values[`outlet.${n}.current`]) };
}

const numbers = (skip: number[] = []) => Array.from({ length: OUTLETS }, (_, i) => (skip.includes(i + 1) ? undefined : i + 1));
const tenths = (skip: number[] = []) => numbers(skip).map((n) => (n === undefined ? undefined : n / 10));
const cell = (column: string, row: number, value: number, like: Varbind): Varbind => ({ ...like, oid: `${column}.${row}`, value });

describe('GETBULK rows that are not the learned rows in order', () => {
  it('in order: every outlet gets its own value (the replies are rewritten as the test means)', async () => {
    const { reader, client, rewrite } = await pduReader();
    rewrite((_c, rows) => rows);
    expect(perOutlet(await reader.read())).toEqual({ realpower: numbers(), current: tenths() });
    client.close();
  });

  it('reversed: still by OID, every outlet gets its own value', async () => {
    const { reader, client, rewrite } = await pduReader();
    rewrite((_c, rows) => [...rows].reverse());
    expect(perOutlet(await reader.read())).toEqual({ realpower: numbers(), current: tenths() });
    client.close();
  });

  it('a gap (outlet 5 missing from one column): that one value is absent, the rest stay on their outlets', async () => {
    const { reader, client, rewrite } = await pduReader();
    rewrite((c, rows) => (c === REALPOWER ? rows.filter((vb) => !vb.oid.endsWith('.5')) : rows));
    expect(perOutlet(await reader.read())).toEqual({ realpower: numbers([5]), current: tenths() });
    client.close();
  });

  it('a row twice and one missing (same count as learned): the last value of the repeated row, the missing row absent', async () => {
    const { reader, client, rewrite } = await pduReader();
    // Outlet 3 comes twice (the second time saying 99 W) in place of outlet 4: 24 varbinds, as many as learned.
    rewrite((c, rows) => (c === REALPOWER ? rows.map((vb) => (vb.oid.endsWith('.4') ? cell(c, 3, 99, vb) : vb)) : rows));
    const got = perOutlet(await reader.read());
    expect(got.realpower).toEqual(numbers([4]).map((n) => (n === 3 ? 99 : n)));
    expect(got.current).toEqual(tenths());
    client.close();
  });

  it('a row the plan never learned in place of a learned one: nothing lands on another outlet', async () => {
    const { reader, client, rewrite } = await pduReader();
    // Outlet 24 answered as a row 25: same count, but not the learned cell OID.
    rewrite((c, rows) => (c === CURRENT ? rows.map((vb) => (vb.oid.endsWith('.24') ? cell(c, 25, 25, vb) : vb)) : rows));
    const values = await reader.read();
    expect(perOutlet(values)).toEqual({ realpower: numbers(), current: tenths([24]) });
    expect(values['outlet.25.current']).toBeUndefined();
    client.close();
  });
});

describe('GET answers that are not at their place in the request', () => {
  const SCALARS = ['input.realpower', 'input.power', 'input.powerfactor', 'input.energy', 'input.current', 'outlet.group.1.current', 'outlet.group.2.current'];
  const pick = (values: Record<string, unknown>) => Object.fromEntries(SCALARS.map((n) => [n, values[n]]));

  it('reversed: every value still lands on its own name', async () => {
    const { reader, client, rewriteGet } = await pduReader();
    const before = pick(await reader.read());
    expect(Object.values(before).every((v) => typeof v === 'number')).toBe(true);
    rewriteGet((varbinds) => [...varbinds].reverse());
    expect(pick(await reader.read())).toEqual(before);
    client.close();
  });

  it('an OID the poll never asked in place of one it did: that value is absent, none lands elsewhere', async () => {
    const { reader, client, rewriteGet } = await pduReader();
    const before = pick(await reader.read());
    // input.power (rPDU2DeviceStatusApparentPower.1) answered as .2, an OID not asked.
    const power = '1.3.6.1.4.1.318.1.1.26.4.3.1.16.1';
    rewriteGet((varbinds) => varbinds.map((vb) => (vb.oid === power ? { ...vb, oid: power.replace(/1$/u, '2') } : vb)));
    const values = await reader.read();
    expect(pick(values)).toEqual({ ...before, 'input.power': undefined });
    client.close();
  });

  it('asked in several requests of 4 OIDs: the same values, in place or not', async () => {
    const whole = await pduReader();
    const expected = pick(await whole.reader.read());
    whole.client.close();
    const { reader, client, rewriteGet } = await pduReader('?maxVarbinds=4');
    for (let i = 0; i < 2; i++) expect(pick(await reader.read())).toEqual(expected);
    rewriteGet((varbinds) => [...varbinds].reverse());
    expect(pick(await reader.read())).toEqual(expected);
    client.close();
  });

  it("two answers swapping their OIDs: each value goes where the agent's OID says", async () => {
    const { reader, client, rewriteGet } = await pduReader();
    const before = pick(await reader.read());
    // The agent names realpower's value as apparent power's and the other way round: the names follow the OIDs.
    const [realpower, power] = ['1.3.6.1.4.1.318.1.1.26.4.3.1.5.1', '1.3.6.1.4.1.318.1.1.26.4.3.1.16.1'];
    const swapped = { [realpower]: power, [power]: realpower };
    rewriteGet((varbinds) => varbinds.map((vb) => (vb.oid in swapped ? { ...vb, oid: swapped[vb.oid] } : vb)));
    expect(pick(await reader.read())).toEqual({ ...before, 'input.realpower': before['input.power'], 'input.power': before['input.realpower'] });
    client.close();
  });
});
