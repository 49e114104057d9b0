// One simulated SNMP device: a net-snmp agent (v1/v2c community, optional v3 user) serving the device's
// values encoded by its profile, on its own UDP port.
//
// The agent's own listener cannot bind port 0 (net-snmp turns 0 into 161) nor be told to stay silent, so the
// agent gets an inert socket and this module owns the real one: it reports the bound port, drops requests while
// the device is "comms-lost" (clients time out, as with a dead card), and feeds everything else to the agent.
import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import { isIPv6 } from 'node:net';
import * as snmp from 'net-snmp';
import type { ControlCell } from './devices/control';
import { answerBulkInFull } from './getbulk';
import { compareOids, planMib, type MibPlan } from './snmp-mib';
import type { DeviceSource } from './types';
import type { SnmpProfile } from '../profiles/types';

export interface SnmpAgentOptions {
  /** Device name (sysName). */
  name: string;
  profile: SnmpProfile;
  source: DeviceSource;
  host?: string;
  /** UDP port; 0 (default) picks a free one. */
  port?: number;
  /** v1/v2c community (default "public"). */
  community?: string;
  /** Also accept this SNMPv3 user. */
  user?: snmp.User;
  /** Writable OIDs (outlet control, UPS shutdown): SETs to them act on the model; every other SET is notWritable. */
  controls?: ControlCell[];
}

export interface RunningSnmpAgent {
  host: string;
  port: number;
  /** SET requests received and accepted by the agent's authorization (refused values included). */
  setRequests(): number;
  close(): Promise<void>;
}

// Narrow views of net-snmp's agent API, which @types/net-snmp leaves as `any`.
interface MibRequest {
  oid: string;
  operation: number;
  /** SETs run the handler twice: a test pass (testSet true), then the commit. */
  testSet?: boolean;
  setValue?: unknown;
  instanceNode: { value: unknown };
  done(result?: { errorStatus: snmp.ErrorStatus; type: snmp.ObjectType; value: unknown }): void;
}
interface ProviderDefinition {
  name: string;
  type: snmp.MibProviderType;
  oid: string;
  maxAccess: snmp.MaxAccess;
  tableColumns?: Array<{ number: number; name: string; type: snmp.ObjectType; maxAccess: snmp.MaxAccess }>;
  tableIndex?: Array<{ columnName: string; implied?: boolean }>;
  handler(request: MibRequest): void;
}
interface MibNode {
  valueType: snmp.ObjectType;
  value: unknown;
}
interface Mib {
  registerProvider(definition: ProviderDefinition): void;
  getProvider(name: string): unknown;
  /** Puts a registered provider on its tree node (net-snmp does this itself at the first addTableRow). */
  addProviderToNode(provider: unknown): void;
  /** The tree node of an OID, created with its ancestors when missing. */
  addNodesForOid(oid: string): MibNode;
}
interface Agent {
  getMib(): Mib;
  getAuthorizer(): { addCommunity(community: string): void; addUser(user: snmp.User): void };
  /** What the agent's listener calls per datagram; replies go out through `socket`. */
  onMsg(socket: dgram.Socket, buffer: Buffer, rinfo: dgram.RemoteInfo): void;
  setRequest(...args: unknown[]): void;
  close(): void;
}

/** A socket that binds nothing: the agent's listener gets it, so the agent never opens a port of its own. */
class InertSocket extends EventEmitter {
  bind(): void {}
  close(callback?: () => void): void {
    if (callback) setImmediate(callback);
  }
}
const INERT_DGRAM = { createSocket: () => new InertSocket() };

const { ObjectType, ErrorStatus, MibProviderType, MaxAccess } = snmp;
const READ_ONLY = MaxAccess['read-only'];
const READ_WRITE = MaxAccess['read-write'];

function placeholder(type: snmp.ObjectType): number | string {
  if (type === ObjectType.OctetString) return '';
  if (type === ObjectType.OID) return '0.0';
  return 0;
}

/** A value of the wrong SNMP type, as a confused firmware sends: text where a number belongs and vice versa. */
function garbage(type: snmp.ObjectType): { type: snmp.ObjectType; value: unknown } {
  return type === ObjectType.Integer || type === ObjectType.TimeTicks
    ? { type: ObjectType.OctetString, value: 'garbage' }
    : { type: ObjectType.Integer, value: -1 };
}

/** A served instance: a read-only cell of the profile's tree, or a writable control. */
interface AgentCell {
  type: snmp.ObjectType;
  read(): number | string | undefined;
  control?: ControlCell;
}

function makeHandler(cells: Map<string, AgentCell>, source: DeviceSource): (request: MibRequest) => void {
  return (request) => {
    const cell = cells.get(request.oid);
    if (!cell) return request.done({ errorStatus: ErrorStatus.NoError, type: ObjectType.NoSuchInstance, value: null });
    if (request.operation === snmp.PduType.SetRequest) {
      if (!cell.control?.write) return request.done({ errorStatus: ErrorStatus.NotWritable, type: ObjectType.Null, value: null });
      // The model decides at commit; a value it refuses is wrongValue, as on a real agent.
      if (request.testSet || cell.control.write(request.setValue)) return request.done();
      return request.done({ errorStatus: ErrorStatus.WrongValue, type: ObjectType.Null, value: null });
    }
    if (!cell.control?.write && source.fault() === 'garbage') return request.done({ errorStatus: ErrorStatus.NoError, ...garbage(cell.type) });
    const value = cell.read();
    if (value === undefined) {
      return request.done({ errorStatus: ErrorStatus.NoError, type: ObjectType.NoSuchInstance, value: null });
    }
    request.instanceNode.value = value;
    request.done();
  };
}

/** Arcs of a provider: `1.3.6.1.4.1.<enterprise>` or `1.3.6.1.2.1.<mib>`, shorter only for very short OIDs. */
const ROOT_ARCS = 7;

/**
 * Registers the served OIDs with net-snmp's agent. Its MIB is a tree of nodes answered in lexicographic order; a
 * table provider at each root (an enterprise, an RFC MIB) with an implied OBJECT IDENTIFIER index holds any instance
 * beneath it, whatever the MIB's own entries, columns and index arcs: scalars inside a table entry (`X.3.1.0` under
 * entry `X`), multi-arc indexes (`unit.cord.line`, `outlet.sensorType`) and one-row "scalars" (`...26.2.1.8.1`) are
 * all plain leaves, and no column of the simulator's own (a row index) appears beside the profile's.
 */
function populate(mib: Mib, cells: Map<string, AgentCell>, source: DeviceSource): void {
  const handler = makeHandler(cells, source);
  const byRoot = new Map<string, string[]>();
  const candidates = [...new Set([...cells.keys()].map((oid) => rootOf(oid)))].sort((a, b) => a.length - b.length);
  for (const oid of cells.keys()) {
    // The shortest root above it, so no provider lies inside another.
    const root = candidates.find((r) => oid.startsWith(r + '.'))!;
    let oids = byRoot.get(root);
    if (!oids) byRoot.set(root, (oids = []));
    oids.push(oid);
  }
  for (const [root, oids] of byRoot) {
    const name = `tree ${root}`;
    const depth = root.split('.').length;
    const columns = [...new Set(oids.map((oid) => Number(oid.split('.')[depth])))].sort((a, b) => a - b);
    const writable = new Set(oids.filter((oid) => cells.get(oid)!.control?.write).map((oid) => Number(oid.split('.')[depth])));
    mib.registerProvider({
      name,
      type: MibProviderType.Table,
      oid: root,
      maxAccess: MaxAccess['not-accessible'],
      tableColumns: [
        ...columns.map((n) => ({ number: n, name: `column${n}`, type: ObjectType.Integer, maxAccess: writable.has(n) ? READ_WRITE : READ_ONLY })),
        // The index is not a column anyone can read: net-snmp keeps not-accessible index columns off the tree.
        { number: columns[columns.length - 1] + 1, name: 'index', type: ObjectType.OID, maxAccess: MaxAccess['not-accessible'] },
      ],
      tableIndex: [{ columnName: 'index', implied: true }],
      handler,
    });
    mib.addProviderToNode(mib.getProvider(name));
    for (const oid of oids) {
      const cell = cells.get(oid)!;
      const node = mib.addNodesForOid(oid);
      node.valueType = cell.type;
      node.value = cell.read() ?? placeholder(cell.type);
    }
  }
}

function rootOf(oid: string): string {
  const arcs = oid.split('.');
  // At least a column arc and an index arc below the root.
  return arcs.slice(0, Math.max(1, Math.min(ROOT_ARCS, arcs.length - 2))).join('.');
}

/** The profile's cells reading the device's values now, and the writable controls (which win on a shared OID). */
function agentCells(plan: MibPlan, controls: ControlCell[], source: DeviceSource): Map<string, AgentCell> {
  const cells = new Map<string, AgentCell>();
  for (const control of controls) cells.set(control.oid, { type: control.type, read: () => control.read(), control });
  for (const [oid, cell] of plan.cells) {
    if (!cells.has(oid)) cells.set(oid, { type: cell.type, read: () => cell.read(source.values()) });
  }
  const sorted = [...cells.keys()].sort(compareOids);
  for (let k = 1; k < sorted.length; k++) {
    if (sorted[k].startsWith(sorted[k - 1] + '.')) throw new Error(`simulator: cannot serve both ${sorted[k - 1]} and ${sorted[k]} (one contains the other)`);
  }
  return new Map(sorted.map((oid) => [oid, cells.get(oid)!]));
}

function bind(socket: dgram.Socket, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
}

export async function startSnmpAgent(options: SnmpAgentOptions): Promise<RunningSnmpAgent> {
  const host = options.host ?? '127.0.0.1';
  const plan = planMib(options.profile, options.name, options.source.values());
  // Requests the agent refuses (wrong community, unknown user) are dropped unanswered, as real agents do;
  // the callback only reports them, so there is nothing to do with it.
  const agent = snmp.createAgent({ dgramModule: INERT_DGRAM }, () => undefined) as Agent;
  answerBulkInFull(agent);
  agent.getAuthorizer().addCommunity(options.community ?? 'public');
  if (options.user) agent.getAuthorizer().addUser(options.user);
  populate(agent.getMib(), agentCells(plan, options.controls ?? [], options.source), options.source);
  // Counted where the agent dispatches SET PDUs, so a test can prove that a dry run sent none.
  let sets = 0;
  const setRequest = agent.setRequest.bind(agent);
  agent.setRequest = (...args) => {
    sets++;
    setRequest(...args);
  };

  const socket = dgram.createSocket(isIPv6(host) ? 'udp6' : 'udp4');
  socket.on('message', (buffer, rinfo) => {
    if (options.source.fault() === 'comms-lost') return;
    try {
      agent.onMsg(socket, buffer, rinfo);
    } catch {
      // A request net-snmp's agent cannot handle is dropped unanswered, as a real agent would: never a simulator crash.
    }
  });
  try {
    await bind(socket, options.port ?? 0, host);
  } catch (err) {
    agent.close();
    socket.close();
    throw err;
  }
  // A send error (client gone) must not crash the simulator.
  socket.on('error', () => undefined);
  return {
    host,
    port: socket.address().port,
    setRequests: () => sets,
    close: () =>
      new Promise<void>((resolve) => {
        agent.close();
        socket.close(() => resolve());
      }),
  };
}
