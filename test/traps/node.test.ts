// rackpower-trap-receiver in a real Node-RED runtime next to a rackpower-ups node reading the simulated UPS: a real
// snmptrap reaches the receiver, which sends the normalized trap and makes the UPS node poll at once, so its
// ONBATT event arrives without waiting for its one-hour interval.
// @module-tag peer: snmptrap
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startRack, type RunningRack } from '../../src/sim/rack';
import { parseScenario } from '../../src/sim/scenario';
import { freeUdpPort } from '../harness/ports';
import { ROOT, helper, nodeModules, record } from '../nodes/harness';

const run = promisify(execFile);
const nodeRequire = createRequire(__filename);
const Z = 'flow1';
let nodes: unknown[];
let rack: RunningRack;

beforeAll(async () => {
  // nodeModules() loads what package.json registers; the Set keeps each module once whether or not that includes this
  nodes = [...new Set([...nodeModules(), nodeRequire(path.join(ROOT, 'dist', 'nodes', 'trap-receiver.js'))])];
  rack = await startRack(parseScenario({ name: 'trap-node', devices: [{ name: 'ups', profile: 'ietf-ups' }], events: [{ at: 10, action: 'power-cut' }] }, 'node.test.ts'), { speed: 0 });
  await helper.startServer();
});
afterAll(async () => {
  await helper.stopServer();
  await rack.close();
});
afterEach(() => helper.unload());

describe('rackpower-trap-receiver', () => {
  it('normalizes a trap and makes the matching device node poll at once', async () => {
    const trapPort = await freeUdpPort();
    const upsPort = Number(new URL(rack.devices[0].url).port);
    const flow = [
      { id: Z, type: 'tab' },
      { id: 'ep', type: 'rackpower-snmp-endpoint', host: '127.0.0.1', port: upsPort, version: '2c', timeout: 1000, retries: 0 },
      { id: 'ups', type: 'rackpower-ups', z: Z, name: 'rack-ups', endpoint: 'ep', transport: 'snmp', profile: 'ietf-ups', interval: 3600, wires: [['readings'], ['events']] },
      { id: 'traps', type: 'rackpower-trap-receiver', z: Z, host: '127.0.0.1', port: trapPort, pollDevices: true, wires: [['trapped']] },
      ...['readings', 'events', 'trapped'].map((id) => ({ id, type: 'helper', z: Z })),
    ];
    await helper.load(nodes, flow, { ep: { community: 'public' }, traps: { communities: 'public' } });
    const r = record(['readings', 'events', 'trapped']);
    await vi.waitFor(() => expect(r.readings).toHaveLength(1), { timeout: 5000 });
    expect(r.readings[0].payload['ups.status']).toBe('OL');
    rack.model.advance(11); // mains gone; the next scheduled poll is an hour away

    await run('snmptrap', ['-v', '2c', '-c', 'public', `127.0.0.1:${trapPort}`, '', '1.3.6.1.2.1.33.2.1']);
    await vi.waitFor(() => expect(r.events.map((m) => m.event)).toEqual(['ONBATT']), { timeout: 5000 });
    expect(r.trapped[0]).toMatchObject({ event: 'ONBATT', topic: 'rackpower/trap/127.0.0.1', payload: { trap: 'upsTrapOnBattery', vendor: 'ietf' } });
    expect(r.readings).toHaveLength(2);
    expect(String(r.readings[1].payload['ups.status'])).toMatch(/^OB/u);
  });
});
