// Flows saved by earlier rackpower versions still run: test/fixtures/flows/simulated-rack.v1.json is
// examples/flows/simulated-rack.json as it was before the vocabulary change (device nodes at configVersion 1 with
// `transport`, `endpoint`, `connection`; config nodes unversioned; numbers as strings), and the same flow without any
// configVersion or `transport` is the shape from before versioning (version 0). A real Node-RED runtime loads each
// against the simulated rack, and every device polls its simulator through the config node the old field names.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startRack, type RunningRack } from '../../src/sim/rack';
import { loadScenario } from '../../src/sim/scenario';
import { freeTcpPort } from '../harness/ports';
import { ROOT, helper, packageNodeModules, record } from './harness';

type FlowNode = { id: string; type: string; name?: string; [key: string]: unknown };

const SAVED: FlowNode[] = JSON.parse(readFileSync(path.join(ROOT, 'test', 'fixtures', 'flows', 'simulated-rack.v1.json'), 'utf8'));
const DEVICE = /^rackpower-(ups|pdu|sensor|meter)$/u;

/** The v1 fixture as a flow saved before versioning: no configVersion, and devices without `transport` (its default). */
function version0(flow: FlowNode[]): FlowNode[] {
  return flow.map((n) => {
    if (!n.type.startsWith('rackpower-')) return n;
    const rest = { ...n };
    delete rest.configVersion;
    if (DEVICE.test(n.type) && rest.transport === (/^rackpower-(ups|pdu)$/u.test(n.type) ? 'snmp' : 'modbus')) delete rest.transport;
    return rest;
  });
}

let rack: RunningRack;

beforeAll(async () => {
  for (let attempt = 0; !rack; attempt++) {
    try {
      rack = await startRack(loadScenario('demo'), { speed: 0, basePort: await freeTcpPort() });
    } catch (err) {
      if (attempt > 5) throw err;
    }
  }
  await helper.startServer();
});

afterEach(async () => {
  await helper.unload();
});

afterAll(async () => {
  await helper.stopServer();
  await rack?.close();
});

describe.each([
  ['version 1 (examples/flows before the vocabulary change)', SAVED],
  ['version 0 (saved before configVersion existed)', version0(SAVED)],
])('a flow saved at %s', (_label, saved) => {
  it('uses the old field names, so this test reads what it claims to', () => {
    const devices = saved.filter((n) => DEVICE.test(n.type));
    expect(devices).toHaveLength(4);
    for (const n of devices) {
      expect(n.endpoint || n.connection, n.name).toBeTruthy();
      expect(n, n.name).not.toHaveProperty('agent');
      expect(n, n.name).not.toHaveProperty('link');
      expect(n, n.name).not.toHaveProperty('protocol');
    }
  });

  it('polls every simulated device through the config node its old fields name', async () => {
    const port = (name: string): string => new URL(rack.devices.find((d) => d.name === name)!.url).port;
    const ports: Record<string, string> = { 'sim UPS card': port('ups'), 'sim PDU card': port('pdu'), 'sim Modbus gateway': port('sensor') };
    const flow = saved
      .filter((n) => n.type !== 'inject' && n.type !== 'comment' && n.type !== 'switch')
      .map((n) => (n.type === 'debug' ? { id: n.id, type: 'helper', z: n.z, name: n.name } : n))
      .map((n) => (n.name && ports[n.name] ? { ...n, port: ports[n.name] } : n));
    const credentials = Object.fromEntries(flow.filter((n) => n.type === 'rackpower-snmp-endpoint').map((n) => [n.id, { community: 'public' }]));
    await helper.load(packageNodeModules(), flow, credentials);
    const byName = Object.fromEntries(flow.filter((n) => n.name).map((n) => [n.name, n.id]));
    const received = record(flow.filter((n) => n.type === 'helper').map((n) => n.id));
    const got = (name: string) => received[byName[name]];
    await vi.waitFor(() => {
      for (const name of ['UPS readings', 'PDU readings', 'sensor readings', 'meter readings']) expect(got(name).length, name).toBeGreaterThan(0);
    }, { timeout: 15_000 });
    expect(got('UPS readings')[0].device).toMatchObject({ kind: 'ups', profile: 'ietf-ups' });
    expect(got('PDU readings')[0].payload['outlet.count']).toBe(8);
    expect(got('sensor readings')[0].payload['ambient.1.temperature']).toBeTypeOf('number');
    expect(got('meter readings').map((m) => m.topic)).toContain('rackpower/rack_meter/input.voltage');
  });
});
