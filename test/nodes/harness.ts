// node-red-node-test-helper with the built node modules (dist/nodes/*.js, as Node-RED loads them), rebuilt first
// when a source is newer than the last build, plus small waits on the helper's per-node events.
import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const nodeRequire = createRequire(__filename);
export { ROOT, ensureBuilt } from '../harness/build';
import { ROOT, ensureBuilt } from '../harness/build';

/** Untyped: node-red-node-test-helper ships no types. */
export interface Helper {
  init(runtimePath: string): void;
  startServer(): Promise<void>;
  stopServer(): Promise<void>;
  load(nodes: unknown[], flow: object[], credentials?: object): Promise<void>;
  unload(): Promise<void>;
  setFlows(flow: object[], type: string, credentials?: object): Promise<void>;
  getNode(id: string): TestNode;
  request(): { get(url: string): Promise<{ status: number; body: unknown }> };
  _redNodes: { getFlows(): { flows: object[] }; getCredentials(id: string): Record<string, string> | undefined };
}

export interface TestNode {
  id: string;
  receive(msg: object): void;
  on(event: string, listener: (arg: never) => void): void;
}

export const helper: Helper = nodeRequire('node-red-node-test-helper');
helper.init(nodeRequire.resolve('node-red'));

/** The device and config node modules. Tests of other nodes add theirs (some wrap a module to reach its RED). */
export function nodeModules(): unknown[] {
  ensureBuilt();
  return ['snmp-endpoint', 'modbus-connection', 'ups', 'pdu', 'sensor', 'meter'].map((f) => nodeRequire(path.join(ROOT, 'dist', 'nodes', `${f}.js`)));
}

/** Every node module the package declares (package.json node-red.nodes), as Node-RED loads them: for example flows,
 * which may use any of the package's nodes. */
export function packageNodeModules(): unknown[] {
  ensureBuilt();
  const pkg = nodeRequire(path.join(ROOT, 'package.json')) as { 'node-red': { nodes: Record<string, string> } };
  return Object.values(pkg['node-red'].nodes).map((file) => nodeRequire(path.join(ROOT, file)));
}

/** The parts of reading, event, status and catch messages the tests look at. */
export interface Msg {
  topic?: string;
  event?: string;
  payload: Record<string, unknown>;
  device: Record<string, unknown>;
  flags: Record<string, boolean>;
  error?: Record<string, unknown>;
  status?: { fill: string; shape: string; text: string };
}

/** What helper nodes received so far, by helper node id (recorded from the moment the flow is loaded). */
export type Received = Record<string, Msg[]>;

export function record(helperIds: string[]): Received {
  const received: Received = {};
  for (const id of helperIds) {
    received[id] = [];
    helper.getNode(id).on('input', (msg: never) => received[id].push(msg));
  }
  return received;
}

/**
 * What must not outlive a flow: timers and TCP handles (as Node.js counts them) and open socket descriptors, which
 * also covers net-snmp's UDP socket (unref'd, so Node.js does not list it). Linux /proc; elsewhere handles only.
 */
export function openHandles(): string[] {
  const handles = process.getActiveResourcesInfo().filter((r) => ['TCPWRAP', 'TCPSocketWrap', 'UDPWRAP', 'Timeout'].includes(r));
  if (existsSync('/proc/self/fd')) {
    for (const fd of readdirSync('/proc/self/fd')) {
      try {
        if (readlinkSync(`/proc/self/fd/${fd}`).startsWith('socket:')) handles.push('socket');
      } catch {
        // closed while listing
      }
    }
  }
  return handles.sort();
}

/** What is open now beyond `before` (a timer of someone else's that ended meanwhile is not a gain). */
function excess(before: string[]): string[] {
  const left = [...before];
  return openHandles().filter((h) => {
    const i = left.indexOf(h);
    if (i === -1) return true;
    left.splice(i, 1);
    return false;
  });
}

/** Waits until nothing is open beyond `before` (sockets close asynchronously) and returns what still is. Sleeps
 * between checks rather than using vi.waitFor, whose own timers would count as open handles. */
export async function leftOpen(before: string[], timeoutMs = 2000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  while (excess(before).length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  return excess(before);
}
