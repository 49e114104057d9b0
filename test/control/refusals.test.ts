// Requests the outlet and UPS command nodes must refuse before any SET, in a real Node-RED runtime against the
// simulated rack, which counts every SET it receives: malformed UPS command parameters (never replaced by the
// node's default delay) and an allowlisted outlet number the PDU does not have.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startRack, type RunningRack } from '../../src/sim/rack';
import { parseScenario } from '../../src/sim/scenario';
import { helper, packageNodeModules, record } from '../nodes/harness';

const Z = 'flow1';
let nodes: unknown[];
let rack: RunningRack;

beforeAll(async () => {
  nodes = packageNodeModules();
  const scenario = parseScenario({ name: 'refusals', devices: [{ name: 'ups', profile: 'ietf-ups' }, { name: 'pdu', profile: 'apc-rpdu2', outlets: 8 }], events: [] }, 'refusals.test.ts');
  rack = await startRack(scenario, { speed: 0, control: true });
  await helper.startServer();
}, 30_000);
afterAll(async () => {
  await helper.stopServer();
  await rack?.close();
});
afterEach(() => helper.unload());

const portOf = (name: string): number => Number(new URL(rack.devices.find((d) => d.name === name)!.url).port);

function flow(node: object): object[] {
  return [
    { id: Z, type: 'tab' },
    { id: 'ca', type: 'catch', z: Z, scope: null, uncaught: false, wires: [['caught']] },
    { id: 'ep-pdu', type: 'rackpower-snmp-endpoint', host: '127.0.0.1', port: portOf('pdu'), version: '2c', timeout: 1000, retries: 0, allowControl: true },
    { id: 'ep-ups', type: 'rackpower-snmp-endpoint', host: '127.0.0.1', port: portOf('ups'), version: '2c', timeout: 1000, retries: 0, allowControl: true },
    { id: 'n', z: Z, wires: [['result']], ...node },
    { id: 'result', type: 'helper', z: Z },
    { id: 'caught', type: 'helper', z: Z },
  ];
}
const creds = { 'ep-pdu': { community: 'public' }, 'ep-ups': { community: 'public' } };

describe('rackpower-ups-command refuses malformed parameters before any SET', () => {
  const upsNode = { type: 'rackpower-ups-command', endpoint: 'ep-ups', profile: 'ietf-ups', allow: 'shutdown.return, beeper.mute', rateCount: 10, ratePerS: 60, dryRun: false, delay: 60 };

  it.each([
    ['payload delay "abc"', { payload: { command: 'shutdown.return', delay: 'abc' } }, 'msg.payload.delay must be whole seconds from 0 to 86400 (got "abc")'],
    ['msg.delay NaN', { payload: 'shutdown.return', delay: NaN }, 'msg.delay must be whole seconds from 0 to 86400 (got NaN)'],
    ['msg.delay -1', { payload: 'shutdown.return', delay: -1 }, 'msg.delay must be whole seconds from 0 to 86400 (got -1)'],
    ['a misspelt delay', { payload: { command: 'shutdown.return', dealy: 30 } }, 'msg.payload has unknown parameter(s) dealy'],
  ])('%s: ok false, a catchable CONFIG error, and no SET reaches the UPS', async (_what, msg, message) => {
    await helper.load(nodes, flow(upsNode), creds);
    const r = record(['result', 'caught']);
    const before = rack.setRequests();
    helper.getNode('n').receive(msg);
    await vi.waitFor(() => expect(r.caught).toHaveLength(1), { timeout: 10_000 });
    expect(r.caught[0].error).toMatchObject({ code: 'CONFIG', message: expect.stringContaining(message) });
    expect(r.result[0].payload).toMatchObject({ ok: false, error: { code: 'CONFIG' } });
    expect(rack.setRequests() - before).toBe(0);
  });

  it('a well-formed shutdown.return still goes through (one SET), with the delay it asked for', async () => {
    await helper.load(nodes, flow(upsNode), creds);
    const r = record(['result']);
    const before = rack.setRequests();
    helper.getNode('n').receive({ payload: 'shutdown.return', delay: '90' });
    await vi.waitFor(() => expect(r.result).toHaveLength(1), { timeout: 10_000 });
    expect(r.result[0].payload).toMatchObject({ ok: true, command: 'shutdown.return', sent: expect.arrayContaining([expect.objectContaining({ value: 90 })]) });
    expect(rack.setRequests() - before).toBe(1);
    await helper.unload();
    // Leave the UPS as it was for the other tests: abort the countdown.
    await helper.load(nodes, flow({ ...upsNode, allow: 'shutdown.stop' }), creds);
    const stop = record(['result']);
    helper.getNode('n').receive({ payload: 'shutdown.stop' });
    await vi.waitFor(() => expect(stop.result).toHaveLength(1), { timeout: 10_000 });
  });
});

describe('rackpower-outlet checks the outlet against the PDU before any SET', () => {
  const outletNode = { type: 'rackpower-outlet', endpoint: 'ep-pdu', profile: 'apc-rpdu2', allow: '3, 99', protect: '1', rateCount: 10, ratePerS: 60, dryRun: false, cycleDelay: 1 };

  it('outlet 99 on an 8-outlet PDU, allowlisted: refused with the outlets it has, and no SET', async () => {
    await helper.load(nodes, flow(outletNode), creds);
    const r = record(['result', 'caught']);
    const before = rack.setRequests();
    helper.getNode('n').receive({ payload: 'off', outlet: 99 });
    await vi.waitFor(() => expect(r.caught).toHaveLength(1), { timeout: 10_000 });
    expect(r.caught[0].error).toMatchObject({ code: 'CONFIG', message: expect.stringMatching(/outlet 99 does not exist on snmp:\/\/127\.0\.0\.1:\d+: it reports outlets 1-8$/u) });
    expect(r.result[0].payload).toMatchObject({ ok: false, error: { code: 'CONFIG' } });
    expect(rack.setRequests() - before).toBe(0);
  });

  it('an outlet the PDU has is still switched (one SET, read back)', async () => {
    await helper.load(nodes, flow(outletNode), creds);
    const r = record(['result']);
    const before = rack.setRequests();
    helper.getNode('n').receive({ payload: 'off', outlet: 3 });
    await vi.waitFor(() => expect(r.result).toHaveLength(1), { timeout: 10_000 });
    expect(r.result[0].payload).toMatchObject({ ok: true, outlet: 3, state: 'off' });
    expect(rack.setRequests() - before).toBe(1);
  });
});
