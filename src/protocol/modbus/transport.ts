// One Modbus connection (a TCP socket or a serial bus) shared by every unit id behind it. Requests go through a
// bounded FIFO with exactly one in flight: a serial bus carries one frame at a time, and modbus-serial's client
// keeps per-connection state that concurrent calls corrupt. A timeout fails only its own request, so one dead unit
// id on a shared bus or gateway does not take the other units down with it.
import type { EventEmitter } from 'node:events';
import net from 'node:net';
import ModbusRTU from 'modbus-serial';
import { RackpowerError } from '../../errors';

export interface ModbusTcpEndpoint {
  kind: 'tcp';
  host: string;
  port: number;
}

export interface ModbusRtuEndpoint {
  kind: 'rtu';
  path: string;
  baudRate: number;
  parity: 'none' | 'even' | 'odd';
  stopBits: 1 | 2;
  dataBits: 7 | 8;
}

export interface ModbusTransportOptions {
  /** Per request, including connecting when the request has to open the connection (default 2000). */
  timeoutMs?: number;
  /** Quiet time between the end of one request and the next (default 0 TCP, 20 RTU: slow devices need turnaround). */
  interRequestDelayMs?: number;
  /** Requests allowed to wait behind the one in flight (default 100); more are refused, not buffered forever. */
  maxQueue?: number;
}

export type ModbusTransportConfig = (ModbusTcpEndpoint | ModbusRtuEndpoint) & ModbusTransportOptions;

/** Exception names from the Modbus application protocol spec, section 7. */
const EXCEPTIONS: Record<number, string> = {
  1: 'illegal function',
  2: 'illegal data address',
  3: 'illegal data value',
  4: 'server device failure',
  5: 'acknowledge',
  6: 'server device busy',
  8: 'memory parity error',
  10: 'gateway path unavailable',
  11: 'gateway target device failed to respond',
};

const NETWORK_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by the device',
  EPIPE: 'connection closed by the device',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ENOENT: 'no such device',
  EACCES: 'permission denied',
};

/** What ModbusRTU needs of a serial port. modbus-serial exports RTUBufferedPort at runtime but not in its typings. */
interface SerialPortLink extends EventEmitter {
  readonly isOpen: boolean;
  close(callback: (err?: Error | null) => void): void;
}
type SerialPortLinkClass = new (path: string, options: object) => SerialPortLink;
// The buffered port reassembles a reply from several serial reads; the plain one hands ModbusRTU partial frames.
const RTUBufferedPort = (ModbusRTU as unknown as { RTUBufferedPort?: SerialPortLinkClass }).RTUBufferedPort;

interface Connection {
  /** Set once the socket or port is open. */
  client?: ModbusRTU;
  /** False once the socket or port closed or failed: the next request opens a new one. */
  alive: boolean;
  /** The error that killed it, for the message of the request that was waiting. */
  lastError?: Error;
  ready: Promise<ModbusRTU>;
  /** Closes the handle; resolves when the OS has released it. Never rejects. */
  release(): Promise<void>;
}

interface Job {
  unit: number;
  fn: 3 | 4;
  address: number;
  count: number;
  resolve(registers: number[]): void;
  reject(err: RackpowerError): void;
  conn?: Connection;
}

export class ModbusTransport {
  private readonly config: ModbusTransportConfig;
  private readonly timeoutMs: number;
  private readonly interRequestDelayMs: number;
  private readonly maxQueue: number;
  private readonly queue: Job[] = [];
  private active?: Job;
  private conn?: Connection;
  /** The one timer alive at any time: the active request's timeout, or the wait for the quiet time to pass. */
  private timer?: NodeJS.Timeout;
  private quietUntil = 0;
  private requests = 0;
  private readonly counts = { timeouts: 0 };
  private closing?: Promise<void>;

  constructor(config: ModbusTransportConfig) {
    this.config = config;
    this.timeoutMs = config.timeoutMs ?? 2000;
    this.interRequestDelayMs = config.interRequestDelayMs ?? (config.kind === 'rtu' ? 20 : 0);
    this.maxQueue = config.maxQueue ?? 100;
  }

  /** Requests sent on the wire so far. */
  get requestCount(): number {
    return this.requests;
  }

  /** What went wrong on this connection so far, for the devices' diagnostics. */
  faults(): Record<string, number> {
    return { ...this.counts };
  }

  /** Where it talks to, for messages and DeviceIdentity.address. */
  describe(): string {
    const c = this.config;
    if (c.kind === 'rtu') return `modbus-rtu:${c.path}?baud=${c.baudRate}`;
    return `modbus-tcp://${c.host.includes(':') ? `[${c.host}]` : c.host}:${c.port}`;
  }

  /** Reads `count` holding (3) or input (4) registers of one unit; connects first when needed. */
  read(unit: number, fn: 3 | 4, address: number, count: number): Promise<number[]> {
    if (this.closing) return Promise.reject(new RackpowerError('UNREACHABLE', `${this.describe()}: transport closed`));
    const invalid = checkRequest(unit, address, count);
    if (invalid) return Promise.reject(new RackpowerError('CONFIG', `${this.describe()}: ${invalid}`));
    if (this.queue.length >= this.maxQueue) {
      return Promise.reject(
        new RackpowerError('PROTOCOL', `queue full (${this.maxQueue} requests waiting) on ${this.describe()}`),
      );
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ unit, fn, address, count, resolve, reject });
      this.pump();
    });
  }

  /** Closes the connection and fails everything queued. Idempotent; read() rejects afterwards. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    clearTimeout(this.timer);
    this.timer = undefined;
    const closed = new RackpowerError('UNREACHABLE', `${this.describe()}: transport closed`);
    const jobs = [...(this.active ? [this.active] : []), ...this.queue.splice(0)];
    this.active = undefined;
    for (const job of jobs) job.reject(closed);
    const conn = this.conn;
    this.conn = undefined;
    if (conn) conn.alive = false;
    this.closing = conn ? conn.release() : Promise.resolve();
    return this.closing;
  }

  /** Starts the next request when nothing is in flight and the quiet time has passed. */
  private pump(): void {
    if (this.active || this.timer || this.closing || this.queue.length === 0) return;
    const wait = this.quietUntil - Date.now();
    if (wait > 0) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.pump();
      }, wait);
      return;
    }
    const job = this.queue.shift()!;
    this.active = job;
    this.timer = setTimeout(() => this.timedOut(job), this.timeoutMs);
    this.run(job).then(
      (registers) => this.finish(job, undefined, registers),
      (err: unknown) => this.finish(job, err),
    );
  }

  private async run(job: Job): Promise<number[]> {
    if (!this.conn?.alive) this.conn = this.open();
    job.conn = this.conn;
    const client = await this.conn.ready;
    if (this.active !== job) return []; // timed out or closed while connecting; finish() ignores it
    this.requests++;
    const result = await new Promise<{ data: number[] }>((resolve, reject) => {
      const send = job.fn === 3 ? client.writeFC3.bind(client) : client.writeFC4.bind(client);
      send(job.unit, job.address, job.count, (err, res) => (err ? reject(err) : resolve(res)));
    });
    if (result.data.length !== job.count) {
      throw new RackpowerError('PROTOCOL', `${this.where(job)}: expected ${job.count} registers, got ${result.data.length}`);
    }
    return result.data;
  }

  private timedOut(job: Job): void {
    this.timer = undefined;
    this.counts.timeouts++;
    const conn = job.conn;
    // A connection still opening is worth nothing; an open one stays, the next unit id may well answer.
    if (conn && !conn.client) this.drop(conn);
    const what = conn?.client ? `no answer within ${this.timeoutMs} ms` : `no connection within ${this.timeoutMs} ms`;
    this.finish(job, new RackpowerError('TIMEOUT', `${this.where(job)}: ${what}`));
  }

  /** Settles the active job once (late replies, timeouts and connection loss may all try) and moves on. */
  private finish(job: Job, err: unknown, registers?: number[]): void {
    if (this.active !== job) return;
    this.active = undefined;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (err === undefined) job.resolve(registers!);
    else job.reject(this.toError(err, job));
    this.quietUntil = Date.now() + this.interRequestDelayMs;
    this.pump();
  }

  /** The socket or port died: fail the request waiting on it now rather than at its timeout. */
  private lost(conn: Connection): void {
    const active = this.active;
    this.drop(conn);
    if (active?.conn === conn) {
      this.finish(active, conn.lastError ?? new RackpowerError('UNREACHABLE', `${this.where(active)}: connection closed`));
    }
  }

  private drop(conn: Connection): void {
    if (!conn.alive) return;
    conn.alive = false;
    if (this.conn === conn) this.conn = undefined;
    void conn.release();
  }

  private open(): Connection {
    return this.config.kind === 'tcp' ? this.openTcp(this.config) : this.openRtu(this.config);
  }

  private openTcp(endpoint: ModbusTcpEndpoint): Connection {
    // We own the socket (modbus-serial only links to it) so we see every close and can destroy it at once.
    const socket = net.connect({ host: endpoint.host, port: endpoint.port });
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const conn: Connection = {
      alive: true,
      ready: new Promise((resolve, reject) => {
        socket.once('connect', () => {
          socket.setNoDelay(true);
          const client = new ModbusRTU();
          client.on('error', (err) => (conn.lastError = err as Error));
          client.linkTCP(socket, { port: endpoint.port }).then(() => {
            conn.client = client;
            resolve(client);
          }, reject);
        });
        closed.then(() => reject(conn.lastError ?? new Error('connection closed')));
      }),
      release: () => {
        socket.destroy();
        return closed;
      },
    };
    socket.on('error', (err) => (conn.lastError = err)); // 'close' follows every socket error
    closed.then(() => this.lost(conn));
    conn.ready.catch(() => undefined); // run() reports it; a connection nobody waits on any more must not crash
    return conn;
  }

  private openRtu(endpoint: ModbusRtuEndpoint): Connection {
    if (!RTUBufferedPort) {
      throw new RackpowerError('UNSUPPORTED', `${this.describe()}: the serialport package is not installed`);
    }
    const port = new RTUBufferedPort(endpoint.path, {
      baudRate: endpoint.baudRate,
      parity: endpoint.parity,
      stopBits: endpoint.stopBits,
      dataBits: endpoint.dataBits,
    });
    const client = new ModbusRTU(port);
    const conn: Connection = {
      alive: true,
      ready: new Promise((resolve, reject) => {
        client.open((err?: Error | null) => {
          if (err) return reject(new RackpowerError('UNREACHABLE', `${this.describe()}: ${oneLine(err)}`));
          if (!conn.alive) {
            port.close(() => undefined); // released while opening: close what just opened
            return reject(new RackpowerError('UNREACHABLE', `${this.describe()}: transport closed`));
          }
          conn.client = client;
          resolve(client);
        });
      }),
      release: () => new Promise((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve())),
    };
    // Listeners that outlive ModbusRTU's own (it removes them on close): an 'error' nobody hears would crash.
    port.on('error', (err: Error) => (conn.lastError = err));
    client.on('error', (err) => (conn.lastError = err as Error));
    port.on('close', () => this.lost(conn));
    conn.ready.catch(() => undefined);
    return conn;
  }

  private where(job: Job): string {
    return `${this.describe()} unit ${job.unit}`;
  }

  /** One error code and one line for anything the socket, the port or modbus-serial throws. */
  private toError(err: unknown, job: Job): RackpowerError {
    if (err instanceof RackpowerError) return err;
    const e = err as { modbusCode?: number; code?: string; errno?: string; name?: string; message?: string };
    if (typeof e.modbusCode === 'number') {
      const name = EXCEPTIONS[e.modbusCode] ?? 'unknown exception';
      return new RackpowerError('PROTOCOL', `${this.where(job)}: Modbus exception ${e.modbusCode}: ${name}`, { cause: err });
    }
    if (e.name === 'PortNotOpenError') {
      return new RackpowerError('UNREACHABLE', `${this.describe()}: connection closed`, { cause: err });
    }
    const code = e.code ?? e.errno;
    if (code === 'ETIMEDOUT') return new RackpowerError('TIMEOUT', `${this.describe()}: connection timed out`, { cause: err });
    if (code && NETWORK_ERRORS[code]) {
      return new RackpowerError('UNREACHABLE', `${this.describe()}: ${NETWORK_ERRORS[code]}`, { cause: err });
    }
    return new RackpowerError('PROTOCOL', `${this.where(job)}: ${oneLine(err)}`, { cause: err });
  }
}

/** The code of the Modbus exception a device answered with, when that is why read() rejected. */
export function modbusExceptionCode(err: unknown): number | undefined {
  const cause = err instanceof RackpowerError ? (err.cause as { modbusCode?: unknown } | undefined) : undefined;
  return typeof cause?.modbusCode === 'number' ? cause.modbusCode : undefined;
}

function checkRequest(unit: number, address: number, count: number): string | undefined {
  if (!Number.isInteger(unit) || unit < 0 || unit > 255) return `unit id ${unit} is not 0-255`;
  if (!Number.isInteger(count) || count < 1 || count > 125) return `register count ${count} is not 1-125`;
  if (!Number.isInteger(address) || address < 0 || address + count > 65536) {
    return `registers ${address}..${address + count - 1} are outside 0-65535`;
  }
  return undefined;
}

/** serialport nests "Error: " inside its messages; callers want one clean line. */
function oneLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String((err as { message?: unknown })?.message ?? err);
  return message.replace(/^(Error: )+/u, '').split('\n')[0];
}
