// examples/flows/simulated-rack.json (what `npm start` runs and Import > Examples offers) against the simulated
// rack: every device reads, and the switch on msg.flags.onBattery fires during the scenario's power cut. Debug
// nodes become helper nodes to see what they would show; inject and comment nodes are left out.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { startRack, type RunningRack } from '../../src/sim/rack';
import { loadScenario } from '../../src/sim/scenario';
import { freeTcpPort } from '../harness/ports';
import { ROOT, helper, packageNodeModules, record, type Received } from './harness';

const nodeRequire = createRequire(__filename);
type FlowNode = { id: string; type: string; name?: string; port?: string; [key: string]: unknown };

let rack: RunningRack;
let received: Received;
const byName: Record<string, string> = {};

beforeAll(async () => {
  // speed 0: the scenario's clock moves only when the test advances it.
  for (let attempt = 0; !rack; attempt++) {
    try {
      rack = await startRack(loadScenario('demo'), { speed: 0, basePort: await freeTcpPort() });
    } catch (err) {
      if (attempt > 5) throw err;
    }
  }
  const port = (name: string): string => new URL(rack.devices.find((d) => d.name === name)!.url).port;
  const ports: Record<string, string> = { 'sim UPS card': port('ups'), 'sim PDU card': port('pdu'), 'sim Modbus gateway': port('sensor') };
  const example: FlowNode[] = JSON.parse(readFileSync(path.join(ROOT, 'examples', 'flows', 'simulated-rack.json'), 'utf8'));
  const flow = example
    .filter((n) => n.type !== 'inject' && n.type !== 'comment')
    .map((n) => (n.type === 'debug' ? { id: n.id, type: 'helper', z: n.z, name: n.name } : n))
    .map((n) => (n.name && ports[n.name] ? { ...n, port: ports[n.name] } : n));
  for (const n of flow) if (n.name) byName[n.name] = n.id;
  const credentials = Object.fromEntries(flow.filter((n) => n.type === 'rackpower-snmp-endpoint').map((n) => [n.id, { community: 'public' }]));
  await helper.startServer();
  await helper.load([...packageNodeModules(), nodeRequire('@node-red/nodes/core/function/10-switch.js')], flow, credentials);
  received = record(flow.filter((n) => n.type === 'helper').map((n) => n.id));
});

afterAll(async () => {
  await helper.unload();
  await helper.stopServer();
  await rack?.close();
});

const got = (debugName: string) => received[byName[debugName]];

it('reads all four simulated devices', async () => {
  await vi.waitFor(() => {
    for (const name of ['UPS readings', 'PDU readings', 'sensor readings', 'meter readings']) expect(got(name).length, name).toBeGreaterThan(0);
  }, { timeout: 10_000 });
  expect(got('UPS readings')[0].device).toMatchObject({ kind: 'ups', profile: 'ietf-ups' });
  expect(got('UPS readings')[0].flags.online).toBe(true);
  // The PDU node's Variables field: outlet currents and input totals only.
  const pdu = got('PDU readings')[0].payload;
  expect(pdu['outlet.count']).toBe(8);
  expect(Object.keys(pdu).every((k) => /^(outlet\.count|outlet\..+\.current|input\..+)$/.test(k))).toBe(true);
  expect(got('sensor readings')[0].payload['ambient.1.temperature']).toBeTypeOf('number');
  // The meter sends one message per changed variable.
  expect(got('meter readings').map((m) => m.topic)).toContain('rackpower/rack_meter/input.voltage');
  expect(got('on battery!')).toHaveLength(0);
});

it('branches on msg.flags.onBattery during the power cut, and reports ONBATT', async () => {
  rack.model.advance(70); // the demo's power cut starts at 60 s
  helper.getNode(byName['rack UPS']).receive({}); // any message polls now
  await vi.waitFor(() => expect(got('on battery!').length).toBeGreaterThan(0), { timeout: 5000 });
  expect(got('on battery!')[0].flags.onBattery).toBe(true);
  // The readings say "on battery" at once; the event waits for the confirming read one second later (confirm 2).
  await vi.waitFor(() => expect(got('UPS events').map((m) => m.event)).toContain('ONBATT'), { timeout: 5000 });
});
