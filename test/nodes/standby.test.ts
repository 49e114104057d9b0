// The standby role from the owner's status topic (nodes/lib/standby.ts) on a fake clock, and the standby node in a
// Node-RED runtime: pause at start, readings passed on only while active, resume/pause on takeover and hand-back.
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { StandbyGate, type Role } from '../../nodes/lib/standby';
import { ROOT, ensureBuilt, helper, record } from './harness';

const nodeRequire = createRequire(__filename);

describe('StandbyGate', () => {
  afterEach(() => vi.useRealTimers());

  function gate(graceMs = 30_000): { g: StandbyGate; roles: string[] } {
    vi.useFakeTimers();
    const roles: string[] = [];
    const g = new StandbyGate({ graceMs, onRole: (role: Role, reason) => roles.push(`${role}:${reason}`) });
    g.start();
    return { g, roles };
  }

  it('stays standby while the owner is online, whatever the time', () => {
    const { g, roles } = gate();
    g.ownerStatus('online');
    vi.advanceTimersByTime(10 * 60_000);
    expect(roles).toEqual([]);
    expect(g.active).toBe(false);
  });

  it('takes over once the owner stayed offline for the grace period, hands back at once when it returns', () => {
    const { g, roles } = gate();
    g.ownerStatus('online');
    g.ownerStatus('offline');
    vi.advanceTimersByTime(29_999);
    expect(g.active).toBe(false);
    vi.advanceTimersByTime(1);
    expect(roles).toEqual(['active:owner-offline']);
    g.ownerStatus('offline'); // repeated: nothing new
    g.ownerStatus('online');
    expect(roles).toEqual(['active:owner-offline', 'standby:owner-online']);
    expect(g.active).toBe(false);
  });

  it('an owner back within the grace period causes no takeover (a restart)', () => {
    const { g, roles } = gate();
    g.ownerStatus('offline');
    vi.advanceTimersByTime(20_000);
    g.ownerStatus('online');
    vi.advanceTimersByTime(60_000);
    expect(roles).toEqual([]);
  });

  it('an owner never heard of since start counts as offline; an emptied retained status too', () => {
    const silent = gate();
    vi.advanceTimersByTime(30_000);
    expect(silent.roles).toEqual(['active:owner-silent']);
    const emptied = gate(1000);
    emptied.g.ownerStatus('online');
    emptied.g.ownerStatus('');
    vi.advanceTimersByTime(1000);
    expect(emptied.roles).toEqual(['active:owner-offline']);
  });

  it('does nothing once closed', () => {
    const { g, roles } = gate();
    g.ownerStatus('offline');
    g.close();
    vi.advanceTimersByTime(60_000);
    expect(roles).toEqual([]);
  });
});

describe('rackpower-standby in Node-RED', () => {
  beforeAll(async () => {
    ensureBuilt();
    await helper.startServer();
  });
  afterAll(() => helper.stopServer());
  afterEach(() => helper.unload());

  it('pauses at start, passes readings only while active, resumes and pauses the device nodes', async () => {
    const standby = nodeRequire(path.join(ROOT, 'dist', 'nodes', 'standby.js'));
    const flow = [
      { id: 'f', type: 'tab' },
      { id: 's', type: 'rackpower-standby', z: 'f', ownerTopic: 'rackpower/bridge/a', grace: 1, wires: [['passed'], ['commands']] },
      { id: 'passed', type: 'helper', z: 'f' },
      { id: 'commands', type: 'helper', z: 'f' },
    ];
    await helper.load([standby], flow);
    const r = record(['passed', 'commands']);
    const reading = { topic: 'rackpower/rack_ups', device: { name: 'rack ups', kind: 'ups' }, payload: { 'ups.status': 'OL' } };
    const node = helper.getNode('s');
    node.receive({ topic: 'rackpower/bridge/a', payload: 'online' });
    await vi.waitFor(() => expect(r.commands.map((m) => m.payload)).toEqual(['pause']));
    node.receive(reading);
    node.receive({ topic: 'rackpower/bridge/a', payload: 'offline' });
    await vi.waitFor(() => expect(r.commands.map((m) => m.payload)).toEqual(['pause', 'resume']), { timeout: 5000 });
    expect(r.commands[1]).toMatchObject({ resume: true });
    node.receive(reading);
    node.receive({ topic: 'rackpower/bridge/a', payload: 'online' });
    await vi.waitFor(() => expect(r.commands.map((m) => m.payload)).toEqual(['pause', 'resume', 'pause']));
    node.receive(reading);
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Only the reading sent while active went through, then, on hand-back, the word to forget the shard.
    expect(r.passed).toHaveLength(2);
    expect(r.passed[0]).toMatchObject({ device: { name: 'rack ups' } });
    expect(r.passed[1]).toMatchObject({ forget: true });
  });
});
