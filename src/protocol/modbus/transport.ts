// One Modbus connection (a TCP socket or a serial bus) shared by every unit id behind it. Requests go through a
// bounded FIFO with exactly one in flight: a serial bus carries one frame at a time. A timeout fails only its own
// request, so one dead unit id on a shared bus or gateway does not take the other units down with it.
//
// The link resynchronizes after anything unexpected. A reply is accepted only when transaction id, unit, function
// code and byte count (and the CRC on a serial line) all match the request in flight (frames.ts). After a timeout, a
// frame that does not match, or bytes nobody asked for, a TCP connection is dropped and the next request opens a new
// one, so nothing left in the old stream can be read as the next answer; a serial bus is flushed and must stay quiet
// for the inter-frame gap before the next request goes out, so a late frame is discarded, never matched.
import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import net from 'node:net';
import { RackpowerError } from '../../errors';
import { parseRtu, parseTcp, rtuRequest, tcpRequest, type FrameResult, type ReadRequest } from './frames';

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
  /**
   * Serial only: after a timeout, how long the bus must stay quiet before the next request (default 100 ms). A serial
   * frame carries no transaction id, so a late reply of the same shape would pass for the next request's answer:
   * one arriving in this window is discarded (and restarts it). Later than that it cannot be told apart.
   */
  lateReplyGuardMs?: number;
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

/** What the transport needs of a serial port (serialport's SerialPort). */
interface SerialPortLink extends EventEmitter {
  readonly isOpen: boolean;
  open(callback: (err?: Error | null) => void): void;
  write(data: Buffer): boolean;
  flush(callback?: (err?: Error | null) => void): void;
  close(callback: (err?: Error | null) => void): void;
}
type SerialPortLinkClass = new (options: object) => SerialPortLink;

/** serialport is modbus-serial's optional dependency: resolved beside it, absent on installs without it. */
function serialPortClass(): SerialPortLinkClass | undefined {
  try {
    const fromModbusSerial = createRequire(require.resolve('modbus-serial'));
    return (fromModbusSerial('serialport') as { SerialPort: SerialPortLinkClass }).SerialPort;
  } catch {
    return undefined;
  }
}

interface Connection {
  /** True once the socket or port is open. */
  open: boolean;
  /** False once the socket or port closed or failed, or was dropped to resynchronize: the next request opens anew. */
  alive: boolean;
  /** The error that killed it, for the message of the request that was waiting. */
  lastError?: Error;
  ready: Promise<void>;
  write(frame: Buffer): void;
  /** Serial: discards what the OS holds received and unsent; resolves when done. Never rejects. */
  flush(): Promise<void>;
  /** Closes the handle; resolves when the OS has released it. Never rejects. */
  release(): Promise<void>;
}

interface Job extends ReadRequest {
  resolve(registers: number[]): void;
  reject(err: RackpowerError): void;
  conn?: Connection;
  /** Set once the request is on the wire: the transaction id its reply must carry (TCP). */
  tid?: number;
}

export class ModbusTransport {
  private readonly config: ModbusTransportConfig;
  private readonly timeoutMs: number;
  private readonly interRequestDelayMs: number;
  /** Serial: silence that separates frames (3.5 characters), and after a fault, before the next request goes out. */
  private readonly gapMs: number;
  private readonly lateGuardMs: number;
  private readonly maxQueue: number;
  private readonly queue: Job[] = [];
  private active?: Job;
  private conn?: Connection;
  /** Bytes received for the request in flight. */
  private rx: Buffer = Buffer.alloc(0);
  /** The one timer alive at any time: the active request's timeout, or the wait for the quiet time to pass. */
  private timer?: NodeJS.Timeout;
  private quietUntil = 0;
  /** A serial flush under way: the next request waits for it (a flush finishing late would discard that request). */
  private flushing?: Promise<void>;
  private requests = 0;
  private tid = 0;
  private readonly counts = { timeouts: 0, exceptions: 0, badFrames: 0, strayBytes: 0, resyncs: 0 };
  private closing?: Promise<void>;

  constructor(config: ModbusTransportConfig) {
    this.config = config;
    this.timeoutMs = config.timeoutMs ?? 2000;
    this.interRequestDelayMs = config.interRequestDelayMs ?? (config.kind === 'rtu' ? 20 : 0);
    // 3.5 characters of 11 bits; the spec fixes 1.75 ms above 19200 baud.
    this.gapMs = config.kind === 'rtu' ? Math.max(2, Math.ceil(config.baudRate > 19200 ? 1.75 : (3.5 * 11 * 1000) / config.baudRate)) : 0;
    this.lateGuardMs = config.kind === 'rtu' ? (config.lateReplyGuardMs ?? 100) : 0;
    this.maxQueue = config.maxQueue ?? 100;
  }

  /** Requests sent on the wire so far. */
  get requestCount(): number {
    return this.requests;
  }

  /**
   * What went wrong on this connection so far, for the devices' diagnostics: timeouts, exception replies, frames that
   * matched no request (badFrames), bytes nobody asked for (strayBytes), and resynchronizations (reconnect or flush).
   */
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
    if (this.active || this.timer || this.flushing || this.closing || this.queue.length === 0) return;
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
    this.send(job).catch((err: unknown) => this.finish(job, err));
  }

  private async send(job: Job): Promise<void> {
    if (!this.conn?.alive) this.conn = this.open();
    const conn = this.conn;
    job.conn = conn;
    await conn.ready;
    // Bytes nobody asked for may have arrived meanwhile: the flush they started must not swallow this request.
    while (this.flushing) await this.flushing;
    if (this.active !== job) return; // timed out or closed while connecting
    this.rx = Buffer.alloc(0);
    this.requests++;
    if (this.config.kind === 'tcp') {
      this.tid = (this.tid + 1) & 0xffff;
      job.tid = this.tid;
      conn.write(tcpRequest(this.tid, job));
    } else {
      job.tid = 0;
      conn.write(rtuRequest(job));
    }
  }

  /** Bytes from the device: the reply to the request in flight, or bytes nobody asked for. */
  private received(conn: Connection, chunk: Buffer): void {
    if (conn !== this.conn || !conn.alive) return; // a connection already given up
    const job = this.active;
    if (!job || job.conn !== conn || job.tid === undefined) {
      // Nothing was asked: a late or duplicated frame, or noise. It must never be read as the next answer.
      this.counts.strayBytes += chunk.length;
      // Serial: a late frame arriving while the bus is kept quiet after a timeout restarts that quiet time.
      this.resync(conn, this.quietUntil > Date.now() ? this.lateGuardMs : 0);
      return;
    }
    this.rx = this.rx.length ? Buffer.concat([this.rx, chunk]) : chunk;
    const frame: FrameResult = this.config.kind === 'tcp' ? parseTcp(this.rx, job.tid, job) : parseRtu(this.rx, job);
    switch (frame.kind) {
      case 'incomplete':
        return;
      case 'bad':
        this.counts.badFrames++;
        this.resync(conn);
        this.finish(job, new RackpowerError('PROTOCOL', `${this.where(job)}: ${frame.reason}`));
        return;
      case 'exception':
        this.counts.exceptions++;
        this.afterFrame(conn, frame.used);
        this.finish(job, exceptionError(this.where(job), frame.code));
        return;
      case 'registers':
        this.afterFrame(conn, frame.used);
        this.finish(job, undefined, frame.registers);
    }
  }

  /** A complete reply was taken: bytes after it belong to no request. */
  private afterFrame(conn: Connection, used: number): void {
    const extra = this.rx.length - used;
    this.rx = Buffer.alloc(0);
    if (extra > 0) {
      this.counts.strayBytes += extra;
      this.resync(conn);
    }
  }

  /**
   * Back in step with the device: TCP drops the connection (the next request opens a fresh one), a serial bus is
   * flushed and must stay quiet for the inter-frame gap before the next request.
   */
  private resync(conn: Connection, quietMs = 0): void {
    this.rx = Buffer.alloc(0);
    if (this.config.kind === 'tcp') {
      if (conn.alive) this.counts.resyncs++;
      this.drop(conn);
      return;
    }
    this.counts.resyncs++;
    if (!this.flushing) {
      this.flushing = conn.flush().then(() => {
        this.flushing = undefined;
        this.pump();
      });
    }
    this.quietUntil = Math.max(this.quietUntil, Date.now() + Math.max(this.gapMs, this.interRequestDelayMs, quietMs));
  }

  private timedOut(job: Job): void {
    this.timer = undefined;
    this.counts.timeouts++;
    const conn = job.conn;
    const connected = !!conn?.open;
    // A connection still opening is worth nothing; an open one may still deliver the late reply: resynchronize.
    if (conn && !connected) this.drop(conn);
    else if (conn) this.resync(conn, this.lateGuardMs);
    const what = connected ? `no answer within ${this.timeoutMs} ms` : `no connection within ${this.timeoutMs} ms`;
    this.finish(job, new RackpowerError('TIMEOUT', `${this.where(job)}: ${what}`));
  }

  /** Settles the active job once (replies, timeouts and connection loss may all try) and moves on. */
  private finish(job: Job, err: unknown, registers?: number[]): void {
    if (this.active !== job) return;
    this.active = undefined;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (err === undefined) job.resolve(registers!);
    else job.reject(this.toError(err, job));
    this.quietUntil = Math.max(this.quietUntil, Date.now() + this.interRequestDelayMs);
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
    const socket = net.connect({ host: endpoint.host, port: endpoint.port });
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const conn: Connection = {
      open: false,
      alive: true,
      ready: new Promise((resolve, reject) => {
        socket.once('connect', () => {
          socket.setNoDelay(true);
          conn.open = true;
          resolve();
        });
        closed.then(() => reject(conn.lastError ?? new Error('connection closed')));
      }),
      write: (frame) => void socket.write(frame),
      flush: () => Promise.resolve(),
      release: () => {
        socket.destroy();
        return closed;
      },
    };
    socket.on('data', (chunk: Buffer) => this.received(conn, chunk));
    socket.on('error', (err) => (conn.lastError = err)); // 'close' follows every socket error
    closed.then(() => this.lost(conn));
    conn.ready.catch(() => undefined); // send() reports it; a connection nobody waits on any more must not crash
    return conn;
  }

  private openRtu(endpoint: ModbusRtuEndpoint): Connection {
    const SerialPort = serialPortClass();
    if (!SerialPort) {
      throw new RackpowerError('UNSUPPORTED', `${this.describe()}: the serialport package is not installed`);
    }
    const port = new SerialPort({
      path: endpoint.path,
      baudRate: endpoint.baudRate,
      parity: endpoint.parity,
      stopBits: endpoint.stopBits,
      dataBits: endpoint.dataBits,
      autoOpen: false,
    });
    const conn: Connection = {
      open: false,
      alive: true,
      ready: new Promise((resolve, reject) => {
        port.open((err?: Error | null) => {
          if (err) return reject(new RackpowerError('UNREACHABLE', `${this.describe()}: ${oneLine(err)}`));
          if (!conn.alive) {
            port.close(() => undefined); // released while opening: close what just opened
            return reject(new RackpowerError('UNREACHABLE', `${this.describe()}: transport closed`));
          }
          conn.open = true;
          resolve();
        });
      }),
      write: (frame) => void port.write(frame),
      flush: () => new Promise((resolve) => (port.isOpen ? port.flush(() => resolve()) : resolve())),
      release: () => new Promise((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve())),
    };
    port.on('data', (chunk: Buffer) => this.received(conn, chunk));
    port.on('error', (err: Error) => (conn.lastError = err)); // an 'error' nobody hears would crash
    port.on('close', () => this.lost(conn));
    conn.ready.catch(() => undefined);
    return conn;
  }

  private where(job: ReadRequest): string {
    return `${this.describe()} unit ${job.unit}`;
  }

  /** One error code and one line for anything the socket or the port throws. */
  private toError(err: unknown, job: Job): RackpowerError {
    if (err instanceof RackpowerError) return err;
    const e = err as { code?: string; errno?: string; message?: string };
    const code = e.code ?? e.errno;
    if (code === 'ETIMEDOUT') return new RackpowerError('TIMEOUT', `${this.describe()}: connection timed out`, { cause: err });
    if (code && NETWORK_ERRORS[code]) {
      return new RackpowerError('UNREACHABLE', `${this.describe()}: ${NETWORK_ERRORS[code]}`, { cause: err });
    }
    return new RackpowerError('PROTOCOL', `${this.where(job)}: ${oneLine(err)}`, { cause: err });
  }
}

/** A Modbus exception reply, named; its code stays readable for modbusExceptionCode. */
function exceptionError(where: string, code: number): RackpowerError {
  const name = EXCEPTIONS[code] ?? 'unknown exception';
  return new RackpowerError('PROTOCOL', `${where}: Modbus exception ${code}: ${name}`, { cause: { modbusCode: code } });
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
