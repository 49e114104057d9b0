// The example flows for alarms, traps, outlet power-cycle, UPS shutdown and budgets load into Node-RED with every
// node of theirs created, and the shutdown example's drill walks its whole plan against the simulated rack without
// one SET reaching the simulator.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startRack, type RunningRack } from '../../src/sim/rack';
import { loadScenario } from '../../src/sim/scenario';
import { ROOT, helper, nodeModules, record } from '../nodes/harness';

const nodeRequire = createRequire(__filename);
const MINE = ['alarm', 'trap-receiver', 'outlet', 'ups-command', 'shutdown', 'budget'];
let nodes: unknown[];
beforeAll(async () => {
  const core = ['function/10-switch.js', 'common/20-inject.js', 'common/25-catch.js', 'common/90-comment.js'].map((f) => nodeRequire(`@node-red/nodes/core/${f}`));
  // nodeModules() loads what package.json registers; the Set keeps each module once whether or not that includes these
  nodes = [...new Set([...nodeModules(), ...core, ...MINE.map((f) => nodeRequire(path.join(ROOT, 'dist', 'nodes', `${f}.js`)))])];
  await helper.startServer();
});
afterAll(() => helper.stopServer());
afterEach(() => helper.unload());

type FlowNode = { id: string; type: string; z?: string; name?: string; port?: string; wires?: string[][] };
/** An example flow with its debug nodes as test helpers (which record what the debug sidebar would show). */
const example = (name: string): FlowNode[] =>
  (JSON.parse(readFileSync(path.join(ROOT, 'examples', 'flows', `${name}.json`), 'utf8')) as FlowNode[]).map((n) =>
    n.type === 'debug' ? { id: n.id, type: 'helper', z: n.z, name: n.name } : n,
  );

describe('example flows', () => {
  for (const name of ['alarm', 'traps', 'pdu-power-cycle', 'ups-shutdown', 'budget']) {
    it(`${name}.json: every node is known and created`, async () => {
      // the trap example listens on 1162: another port here, so a busy 1162 on the machine cannot matter
      const flow = example(name).map((n) => (n.type === 'rackpower-trap-receiver' ? { ...n, host: '127.0.0.1', port: 0 } : n));
      await helper.load(nodes, flow);
      for (const n of flow.filter((x) => x.type !== 'tab')) expect(helper.getNode(n.id), `${n.type} ${n.id}`).toBeTruthy();
      expect(flow.some((n) => n.type.startsWith('rackpower-') && MINE.includes(n.type.slice(10)))).toBe(true);
    });
  }

  describe('ups-shutdown.json on the simulated rack', () => {
    // The example's agents are the demo rack's devices at the ports npm start serves them on (scripts/start.mjs).
    // This rack's ports are chosen by the OS; each agent is moved to its device's port, as `npm start --sim-port` does.
    const DEVICE_AT = { '16161': 'ups', '16162': 'pdu' } as Record<string, string>;
    let rack: RunningRack;
    beforeAll(async () => {
      rack = await startRack(loadScenario('demo'), { speed: 0, control: true });
    });
    afterAll(() => rack.close());
    const onThisRack = (flow: FlowNode[]): FlowNode[] => {
      const agents = flow.filter((n) => n.type === 'rackpower-snmp-endpoint');
      expect(agents.map((n) => n.port).sort()).toEqual(Object.keys(DEVICE_AT));
      const portOf = (name: string): string => new URL(rack.devices.find((d) => d.name === name)!.url).port;
      return flow.map((n) => (agents.includes(n) ? { ...n, port: portOf(DEVICE_AT[n.port!]) } : n));
    };

    it('drill: the whole plan, each action answered by a dry run, no SET at the simulator', async () => {
      const flow = onThisRack(example('ups-shutdown'));
      const audit = flow.find((n) => n.name === 'audit: why')!;
      const results = flow.filter((n) => n.type === 'helper' && /results|host actions/u.test(n.name ?? ''));
      await helper.load(nodes, flow);
      const r = record([audit.id, ...results.map((n) => n.id)]);
      const shutdown = flow.find((n) => n.type === 'rackpower-shutdown')!;
      helper.getNode(shutdown.id).receive({ payload: 'drill' });
      // stage delays are 60 s and 120 s: the drill's first stage answers at once
      await vi.waitFor(() => expect(r[results[0].id]).toHaveLength(2), { timeout: 5000 });
      expect(r[results[0].id].map((m) => m.payload)).toEqual([
        expect.objectContaining({ ok: true, dryRun: true, outlet: 7 }),
        expect.objectContaining({ ok: true, dryRun: true, outlet: 8 }),
      ]);
      expect(r[audit.id].map((m) => m.payload.event)).toEqual(['drill', 'stage']);
      expect(rack.setRequests()).toBe(0);
    });
  });
});
