// rackpower-outlet and rackpower-ups-command in a real Node-RED runtime against the simulated rack: a power-cycle
// answered after read-back, a protected outlet refused (result and Catch), control not enabled refused, a UPS
// beeper command confirmed.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startRack, type RunningRack } from '../../src/sim/rack';
import { parseScenario } from '../../src/sim/scenario';
import { helper, packageNodeModules, record } from '../nodes/harness';

const Z = 'flow1';
let nodes: unknown[];
let rack: RunningRack;

beforeAll(async () => {
  nodes = packageNodeModules();
  const scenario = parseScenario({ name: 'nodes', devices: [{ name: 'ups', profile: 'ietf-ups' }, { name: 'pdu', profile: 'apc-rpdu2', outlets: 8 }], events: [] }, 'nodes.test.ts');
  rack = await startRack(scenario, { speed: 20, control: true });
  await helper.startServer();
});
afterAll(async () => {
  await helper.stopServer();
  await rack.close();
});
afterEach(() => helper.unload());

const portOf = (name: string): number => Number(new URL(rack.devices.find((d) => d.name === name)!.url).port);

/** `allowControl` is the SNMP agent config node's switch; tests set it per flow. */
function flow(node: object, allowControl = true): object[] {
  return [
    { id: Z, type: 'tab' },
    { id: 'ca', type: 'catch', z: Z, scope: null, uncaught: false, wires: [['caught']] },
    { id: 'ep-pdu', type: 'rackpower-snmp-endpoint', host: '127.0.0.1', port: portOf('pdu'), version: '2c', timeout: 1000, retries: 0, allowControl },
    { id: 'ep-ups', type: 'rackpower-snmp-endpoint', host: '127.0.0.1', port: portOf('ups'), version: '2c', timeout: 1000, retries: 0, allowControl },
    { id: 'n', z: Z, wires: [['result']], ...node },
    { id: 'result', type: 'helper', z: Z },
    { id: 'caught', type: 'helper', z: Z },
  ];
}
const creds = { 'ep-pdu': { community: 'public' }, 'ep-ups': { community: 'public' } };
const outletNode = { type: 'rackpower-outlet', endpoint: 'ep-pdu', profile: 'auto', allow: '3, web-02', protect: '1', dryRun: false, cycleDelay: 1 };

describe('rackpower-outlet', () => {
  it('power-cycles an outlet (detected rPDU2) and answers after reading it back on', async () => {
    await helper.load(nodes, flow(outletNode), creds);
    const r = record(['result']);
    helper.getNode('n').receive({ payload: 'cycle', outlet: 3 });
    await vi.waitFor(() => expect(r.result).toHaveLength(1), { timeout: 10_000 });
    expect(r.result[0]).toMatchObject({ topic: 'rackpower/outlet/3', payload: { ok: true, action: 'cycle', outlet: 3, name: 'app-01', state: 'on', dryRun: false } });
    expect(r.result[0].payload.readback).toContain('off');
  });

  it('refuses a protected outlet: ok false, and a catchable CONFIG error', async () => {
    await helper.load(nodes, flow(outletNode), creds);
    const r = record(['result', 'caught']);
    helper.getNode('n').receive({ payload: { action: 'off', outlet: 1 } });
    await vi.waitFor(() => expect(r.caught).toHaveLength(1), { timeout: 5000 });
    expect(r.result[0].payload).toEqual({ ok: false, error: { code: 'CONFIG', message: 'refused 1 (web-01): it is protected' } });
    expect(r.caught[0].error).toMatchObject({ code: 'CONFIG', message: expect.stringContaining('refused 1 (web-01): it is protected') });
    expect(rack.model.values('pdu')['outlet.1.status']).toBe('on');
  });

  it('refuses everything while "allow control" is off', async () => {
    await helper.load(nodes, flow(outletNode, false), creds);
    const r = record(['result']);
    helper.getNode('n').receive({ payload: 'off', outlet: 'web-02' });
    await vi.waitFor(() => expect(r.result).toHaveLength(1), { timeout: 5000 });
    expect(r.result[0].payload).toMatchObject({ ok: false, error: { message: expect.stringContaining('control is not enabled') } });
  });
});

describe('rackpower-ups-command', () => {
  it('mutes the beeper (RFC 1628) and confirms it by read-back', async () => {
    await helper.load(nodes, flow({ type: 'rackpower-ups-command', endpoint: 'ep-ups', profile: 'ietf-ups', allow: 'beeper.mute', dryRun: false }), creds);
    const r = record(['result']);
    helper.getNode('n').receive({ payload: 'beeper.mute' });
    await vi.waitFor(() => expect(r.result).toHaveLength(1), { timeout: 5000 });
    expect(r.result[0].payload).toMatchObject({ ok: true, command: 'beeper.mute', verified: true, readback: 3 });
  });
});
