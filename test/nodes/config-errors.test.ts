// Nodes other than the device nodes (nodes/lib/register.ts) in a real Node-RED runtime: a refused setting shows red
// under the node and reaches a Catch node as a CONFIG error, which needs it reported once flows have started (catch
// and status nodes are wired up only then); a refused node still closes on redeploy and stop.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { EventEmitter } from 'node:events';
import type { NodeAPI } from 'node-red';
import { registerNode } from '../../nodes/lib/register';
import { helper, packageNodeModules, record, type Received } from './harness';

const Z = 'flow1';
let nodes: unknown[];

beforeAll(async () => {
  nodes = packageNodeModules();
  await helper.startServer();
});
afterAll(() => helper.stopServer());
afterEach(() => helper.unload());

/** The node under test, then a status node and a catch node listening to the whole tab (as a user wires them). */
function flow(node: { id: string; type: string; [key: string]: unknown }): object[] {
  return [
    { id: Z, type: 'tab' },
    { z: Z, wires: [], ...node },
    { id: 'st1', type: 'status', z: Z, scope: null, wires: [['status-out']] },
    { id: 'ca1', type: 'catch', z: Z, scope: null, uncaught: false, wires: [['catch-out']] },
    ...['status-out', 'catch-out'].map((id) => ({ id, type: 'helper', z: Z })),
  ];
}

async function load(node: { id: string; type: string; [key: string]: unknown }, credentials: object = {}): Promise<Received> {
  await helper.load(nodes, flow(node), credentials);
  return record(['status-out', 'catch-out']);
}

// The helper's runtime loads no message catalogs: a translated text shows as its key.
const refused: [what: string, node: { id: string; type: string; [key: string]: unknown }, message: RegExp][] = [
  ['an alarm rule without a variable', { id: 'n', type: 'rackpower-alarm', rules: [{ id: 'hot', variable: '', kind: 'above', threshold: '30' }] }, /variable is empty/u],
  ['a budget without a budget or breaker', { id: 'n', type: 'rackpower-budget' }, /give a budget in W or a breaker rating in A/u],
  ['an outlet node without an SNMP agent', { id: 'n', type: 'rackpower-outlet', agent: '', profile: 'auto' }, /no SNMP agent selected|status\.noAgent/u],
  ['a shutdown node with an unknown redundancy', { id: 'n', type: 'rackpower-shutdown', supplies: 'ups', redundancy: 'most', stages: [] }, /unknown redundancy "most"/u],
];

describe('a refused setting', () => {
  it.each(refused)('%s: red status and one catchable CONFIG error after start', async (_what, node, message) => {
    const r = await load(node);
    await vi.waitFor(() => expect(r['catch-out']).toHaveLength(1), { timeout: 5000 });
    expect(r['catch-out'][0].error).toMatchObject({ code: 'CONFIG', message: expect.stringMatching(message), source: { id: 'n', type: node.type } });
    await vi.waitFor(() => expect(r['status-out'].at(-1)?.status).toMatchObject({ fill: 'red', shape: 'ring', text: expect.stringMatching(message) }));
  });

  it('found after start (a trap user with privacy but no authentication, refused while binding): reported at once', async () => {
    const r = await load({ id: 'n', type: 'rackpower-trap-receiver', host: '127.0.0.1', port: 0, user: 'ops', authProtocol: 'none', privProtocol: 'aes' }, { n: { privKey: 'secret-key' } });
    await vi.waitFor(() => expect(r['catch-out']).toHaveLength(1), { timeout: 5000 });
    expect(r['catch-out'][0].error).toMatchObject({ code: 'CONFIG', message: expect.stringContaining('privacy needs authentication') });
    expect(r['status-out'].at(-1)?.status).toMatchObject({ fill: 'red', shape: 'ring' });
  });

  it('is reported again by the node of the next deploy, and a refused node closes on redeploy and stop', async () => {
    const node = refused[0][1];
    const r = await load(node);
    await vi.waitFor(() => expect(r['catch-out']).toHaveLength(1), { timeout: 5000 });
    await helper.setFlows(flow(node), 'full');
    const again = record(['catch-out']);
    await vi.waitFor(() => expect(again['catch-out']).toHaveLength(1), { timeout: 5000 });
  });
});

describe('close', () => {
  /** Just enough of Node-RED to build one node with registerNode and close it. */
  function fakeRuntime(): { build(start: Parameters<typeof registerNode>[2]): { close(): Promise<string[]>; warnings: string[] } } {
    let constructor: (this: unknown, def: object) => void = () => undefined;
    const RED = {
      events: new EventEmitter(),
      nodes: { registerType: (_type: string, c: typeof constructor) => (constructor = c), createNode: () => undefined },
    } as unknown as NodeAPI;
    return {
      build(start) {
        registerNode(RED, 'x', start);
        const node = Object.assign(new EventEmitter(), { warnings: [] as string[], warn: (w: string) => node.warnings.push(w), status: () => undefined, error: () => undefined });
        constructor.call(node, { id: 'n', type: 'rackpower-influx' });
        return {
          warnings: node.warnings,
          close: () => new Promise((resolve) => node.emit('close', true, () => resolve(node.warnings))),
        };
      },
    };
  }

  it('runs every cleanup, latest first, though one throws, then calls done', async () => {
    const ran: string[] = [];
    const node = fakeRuntime().build(function (_def, { onClose }) {
      onClose(async () => void ran.push('timer'));
      onClose(() => {
        ran.push('socket');
        throw new Error('socket already gone');
      });
      onClose((removed) => void ran.push(`context removed=${removed}`));
    });
    expect(await node.close()).toEqual(['close: socket already gone']);
    expect(ran).toEqual(['context removed=true', 'socket', 'timer']);
  });

  it('runs what a start that then throws registered', async () => {
    const ran: string[] = [];
    const node = fakeRuntime().build(function (_def, { onClose }) {
      onClose(() => void ran.push('timer'));
      throw new Error('refused');
    });
    await node.close();
    expect(ran).toEqual(['timer']);
  });
});
