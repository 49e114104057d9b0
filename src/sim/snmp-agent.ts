// One simulated SNMP device: a net-snmp agent (v1/v2c community, optional v3 user) serving the device's
// values encoded by its profile, on its own UDP port.
//
// The agent's own listener cannot bind port 0 (net-snmp turns 0 into 161) nor be told to stay silent, so the
// agent gets an inert socket and this module owns the real one: it reports the bound port, drops requests while
// the device is "comms-lost" (clients time out, as with a dead card), and feeds everything else to the agent.
import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import * as snmp from 'net-snmp';
import type { ControlCell } from './devices/control';
import { answerBulkInFull } from './getbulk';
import { planMib, type Cell, type MibPlan } from './snmp-mib';
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
  scalarType?: snmp.ObjectType;
  tableColumns?: Array<{ number: number; name: string; type: snmp.ObjectType; maxAccess: snmp.MaxAccess }>;
  tableIndex?: Array<{ columnName: string }>;
  handler(request: MibRequest): void;
}
interface Mib {
  registerProvider(definition: ProviderDefinition): void;
  setScalarValue(name: string, value: unknown): void;
  addTableRow(name: string, row: unknown[]): void;
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

function makeHandler(plan: MibPlan, source: DeviceSource): (request: MibRequest) => void {
  return (request) => {
    const cell: Cell | undefined = plan.cells.get(request.oid);
    // Index columns (and filler cells) keep the value they were created with.
    if (!cell) return request.done();
    if (source.fault() === 'garbage') return request.done({ errorStatus: ErrorStatus.NoError, ...garbage(cell.type) });
    const value = cell.read(source.values());
    if (value === undefined) {
      return request.done({ errorStatus: ErrorStatus.NoError, type: ObjectType.NoSuchInstance, value: null });
    }
    request.instanceNode.value = value;
    request.done();
  };
}

function populate(mib: Mib, plan: MibPlan, source: DeviceSource): void {
  const handler = makeHandler(plan, source);
  const now = source.values();
  for (const [oid, cell] of plan.scalars) {
    const name = `scalar ${oid}`;
    mib.registerProvider({ name, type: MibProviderType.Scalar, oid, scalarType: cell.type, maxAccess: READ_ONLY, handler });
    mib.setScalarValue(name, cell.read(now) ?? placeholder(cell.type));
  }
  for (const table of plan.tables) {
    const name = `table ${table.oid}`;
    const columns = [{ number: table.indexColumn, type: ObjectType.Integer }, ...table.columns].sort((a, b) => a.number - b.number);
    mib.registerProvider({
      name,
      type: MibProviderType.Table,
      oid: table.oid,
      maxAccess: MaxAccess['not-accessible'],
      tableColumns: columns.map((c) => ({ number: c.number, name: `column${c.number}`, type: c.type, maxAccess: READ_ONLY })),
      tableIndex: [{ columnName: `column${table.indexColumn}` }],
      handler,
    });
    for (const [index, cells] of table.rows) {
      mib.addTableRow(
        name,
        columns.map((c) => (c.number === table.indexColumn ? index : (cells.get(c.number)?.read(now) ?? placeholder(c.type)))),
      );
    }
  }
}

/** Registers the writable cells: scalars for `.0` OIDs, otherwise one table per entry (like planMib lays out). */
function populateControls(mib: Mib, cells: ControlCell[]): void {
  const byOid = new Map(cells.map((c) => [c.oid, c]));
  const handler = (request: MibRequest): void => {
    const cell = byOid.get(request.oid);
    if (!cell) return request.done();
    if (request.operation === snmp.PduType.SetRequest) {
      // The model decides at commit; a value it refuses is wrongValue, as on a real agent.
      if (request.testSet || cell.write(request.setValue)) return request.done();
      return request.done({ errorStatus: ErrorStatus.WrongValue, type: ObjectType.Null, value: null });
    }
    request.instanceNode.value = cell.read();
    request.done();
  };
  const tables = new Map<string, { column: number; index: number; cell: ControlCell }[]>();
  for (const cell of cells) {
    const arcs = cell.oid.split('.');
    if (arcs.at(-1) === '0') {
      const name = `control ${cell.oid}`;
      mib.registerProvider({ name, type: MibProviderType.Scalar, oid: arcs.slice(0, -1).join('.'), scalarType: cell.type, maxAccess: READ_WRITE, handler });
      mib.setScalarValue(name, cell.read());
      continue;
    }
    const entry = arcs.slice(0, -2).join('.');
    const rows = tables.get(entry) ?? [];
    rows.push({ column: Number(arcs.at(-2)), index: Number(arcs.at(-1)), cell });
    tables.set(entry, rows);
  }
  for (const [entry, rows] of tables) {
    const name = `control ${entry}`;
    const numbers = [...new Set(rows.map((r) => r.column))].sort((a, b) => a - b);
    const indexColumn = numbers.includes(1) ? Math.max(...numbers) + 1 : 1;
    const columns = [{ number: indexColumn, type: ObjectType.Integer, maxAccess: MaxAccess['not-accessible'] }, ...numbers.map((n) => ({ number: n, type: rows.find((r) => r.column === n)!.cell.type, maxAccess: READ_WRITE }))].sort((a, b) => a.number - b.number);
    mib.registerProvider({
      name,
      type: MibProviderType.Table,
      oid: entry,
      maxAccess: MaxAccess['not-accessible'],
      tableColumns: columns.map((c) => ({ number: c.number, name: `column${c.number}`, type: c.type, maxAccess: c.maxAccess })),
      tableIndex: [{ columnName: `column${indexColumn}` }],
      handler,
    });
    for (const index of [...new Set(rows.map((r) => r.index))].sort((a, b) => a - b)) {
      mib.addTableRow(name, columns.map((c) => (c.number === indexColumn ? index : (rows.find((r) => r.index === index && r.column === c.number)?.cell.read() ?? 0))));
    }
  }
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
  populate(agent.getMib(), plan, options.source);
  populateControls(agent.getMib(), options.controls ?? []);
  // Counted where the agent dispatches SET PDUs, so a test can prove that a dry run sent none.
  let sets = 0;
  const setRequest = agent.setRequest.bind(agent);
  agent.setRequest = (...args) => {
    sets++;
    setRequest(...args);
  };

  const socket = dgram.createSocket('udp4');
  socket.on('message', (buffer, rinfo) => {
    if (options.source.fault() !== 'comms-lost') agent.onMsg(socket, buffer, rinfo);
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
