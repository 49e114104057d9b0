// A misbehaving Modbus peer for the fuzz harness and the resynchronization tests: a raw TCP server (and a serial
// responder on one end of a pty pair) that answers each read request as a fault plan says — correctly, late, split,
// truncated, with the wrong transaction id, unit, function code or byte count, with an exception, with garbage, with
// nothing, or by closing mid-frame. Correct answers carry registers that name the request (unit × 1000 + address + i),
// so a reply attributed to the wrong request shows as a mismatched register set.
import net from 'node:net';
import { createRequire } from 'node:module';
import type { EventEmitter } from 'node:events';
import { crc16 } from '../protocol/modbus/frames';

export interface SeenRequest {
  /** 0 on a serial line. */
  tid: number;
  unit: number;
  fn: number;
  address: number;
  count: number;
}

export type ModbusFault =
  | 'ok' | 'slow' | 'split' | 'late' | 'silence' | 'garbage' | 'short' | 'wrongTid' | 'wrongUnit' | 'wrongFunction'
  | 'wrongByteCount' | 'wrongProtocol' | 'exception' | 'closeMidFrame' | 'extraBytes' | 'duplicate' | 'badCrc';

/** Faults after which the request must still succeed with its own registers; every other one must fail it. */
export const HARMLESS: ReadonlySet<ModbusFault> = new Set(['ok', 'slow', 'split']);
/** Faults that end in bytes after a good reply: the request succeeds, the link must resynchronize for the next. */
export const TRAILING: ReadonlySet<ModbusFault> = new Set(['extraBytes', 'duplicate']);

/** The registers a correct device holds: they name the request they answer. */
export const registersFor = (unit: number, address: number, count: number): number[] =>
  Array.from({ length: count }, (_, i) => (unit * 1000 + address + i) & 0xffff);

export interface FaultPlan {
  /** What to do with this request. `random` is the plan's PRNG (0..1). */
  fault(req: SeenRequest): ModbusFault;
  /** Milliseconds for slow, late and split answers. */
  delayMs?: number;
  /** Longer than the client's timeout: when a late answer comes. */
  lateMs?: number;
  random?: () => number;
}

function pduFor(req: SeenRequest, fault: ModbusFault, random: () => number): Buffer {
  if (fault === 'exception') return Buffer.from([req.fn | 0x80, 1 + Math.floor(random() * 11)]);
  const regs = registersFor(req.unit, req.address, req.count);
  const pdu = Buffer.alloc(2 + regs.length * 2);
  pdu[0] = fault === 'wrongFunction' ? (req.fn === 3 ? 4 : 3) : req.fn;
  pdu[1] = fault === 'wrongByteCount' ? (req.count * 2 + 2) & 0xff : req.count * 2;
  regs.forEach((r, i) => pdu.writeUInt16BE(r, 2 + i * 2));
  return pdu;
}

function garbage(random: () => number): Buffer {
  return Buffer.from(Array.from({ length: 1 + Math.floor(random() * 24) }, () => Math.floor(random() * 256)));
}

/** The frame a TCP device sends for `req` under `fault` (split/late/silence/close are timing, handled by the caller). */
export function tcpReply(req: SeenRequest, fault: ModbusFault, random: () => number): Buffer {
  if (fault === 'garbage') return garbage(random);
  const pdu = pduFor(req, fault, random);
  const head = Buffer.alloc(7);
  head.writeUInt16BE(fault === 'wrongTid' ? (req.tid + 1 + Math.floor(random() * 100)) & 0xffff : req.tid, 0);
  head.writeUInt16BE(fault === 'wrongProtocol' ? 1 : 0, 2);
  head.writeUInt16BE(pdu.length + 1, 4);
  head[6] = fault === 'wrongUnit' ? (req.unit + 1) & 0xff : req.unit;
  const frame = Buffer.concat([head, pdu]);
  if (fault === 'short') return frame.subarray(0, Math.max(1, Math.floor(random() * (frame.length - 1))));
  return frame;
}

/** The frame a serial device sends for `req` under `fault`. */
export function rtuReply(req: SeenRequest, fault: ModbusFault, random: () => number): Buffer {
  if (fault === 'garbage') return garbage(random);
  const body = Buffer.concat([Buffer.from([fault === 'wrongUnit' ? (req.unit + 1) & 0xff : req.unit]), pduFor(req, fault, random)]);
  const crc = Buffer.alloc(2);
  crc.writeUInt16LE(fault === 'badCrc' ? crc16(body) ^ 0x5a5a : crc16(body), 0);
  const frame = Buffer.concat([body, crc]);
  if (fault === 'short') return frame.subarray(0, Math.max(1, Math.floor(random() * (frame.length - 1))));
  return frame;
}

/** Writes the answer to one request: the timing faults are played here, the byte faults come from `frame`. */
function answer(write: (b: Buffer) => void, end: () => void, fault: ModbusFault, frame: (f: ModbusFault) => Buffer, plan: FaultPlan, timers: Set<NodeJS.Timeout>): void {
  const later = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };
  const delay = plan.delayMs ?? 20;
  switch (fault) {
    case 'silence':
      return;
    case 'slow':
      return later(delay, () => write(frame('ok')));
    case 'late':
      return later(plan.lateMs ?? 1000, () => write(frame('ok')));
    case 'split': {
      const f = frame('ok');
      const at = 1 + Math.floor((plan.random ?? Math.random)() * (f.length - 1));
      write(f.subarray(0, at));
      return later(delay, () => write(f.subarray(at)));
    }
    case 'closeMidFrame': {
      const f = frame('ok');
      write(f.subarray(0, Math.floor(f.length / 2)));
      return end();
    }
    case 'extraBytes':
      return write(Buffer.concat([frame('ok'), garbage(plan.random ?? Math.random)]));
    case 'duplicate': {
      const f = frame('ok');
      return write(Buffer.concat([f, f]));
    }
    default:
      return write(frame(fault));
  }
}

export interface FaultyPeer {
  port: number;
  /** Requests seen, in order, with the fault each got. */
  seen: { req: SeenRequest; fault: ModbusFault }[];
  plan: FaultPlan;
  close(): Promise<void>;
}

/** A Modbus TCP server that misbehaves as `plan` says, on a free port of `host`. */
export async function startFaultyTcpServer(plan: FaultPlan, host = '127.0.0.1'): Promise<FaultyPeer> {
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<net.Socket>();
  const peer: FaultyPeer = { port: 0, seen: [], plan, close: async () => undefined };
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => undefined);
    let rx = Buffer.alloc(0);
    sock.on('data', (chunk: Buffer) => {
      rx = Buffer.concat([rx, chunk]);
      while (rx.length >= 12) {
        const req: SeenRequest = { tid: rx.readUInt16BE(0), unit: rx[6], fn: rx[7], address: rx.readUInt16BE(8), count: rx.readUInt16BE(10) };
        rx = rx.subarray(12);
        const fault = peer.plan.fault(req);
        peer.seen.push({ req, fault });
        const random = peer.plan.random ?? Math.random;
        answer(
          (b) => void (sock.destroyed || sock.write(b)),
          () => sock.destroy(),
          fault,
          (f) => tcpReply(req, f, random),
          peer.plan,
          timers,
        );
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  peer.port = (server.address() as net.AddressInfo).port;
  peer.close = async () => {
    for (const t of timers) clearTimeout(t);
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return peer;
}

interface SerialPortLike extends EventEmitter {
  write(data: Buffer): boolean;
  close(cb: () => void): void;
  isOpen: boolean;
}

/**
 * Serial devices on one end of a pty pair: every unit in `units` answers as `plan` says, other unit ids stay silent
 * (a dead unit). Requests are framed by their fixed length (8 bytes for reads 3 and 4).
 */
export async function startFaultyRtuPeer(path: string, units: Set<number>, plan: FaultPlan): Promise<FaultyPeer> {
  const { SerialPort } = createRequire(require.resolve('modbus-serial'))('serialport') as { SerialPort: new (o: object) => SerialPortLike };
  const timers = new Set<NodeJS.Timeout>();
  const port = new SerialPort({ path, baudRate: 9600, autoOpen: false }) as SerialPortLike & { open(cb: (err?: Error | null) => void): void };
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  port.on('error', () => undefined);
  const peer: FaultyPeer = { port: 0, seen: [], plan, close: async () => undefined };
  let rx = Buffer.alloc(0);
  port.on('data', (chunk: Buffer) => {
    rx = Buffer.concat([rx, chunk]);
    while (rx.length >= 8) {
      const frame = rx.subarray(0, 8);
      rx = rx.subarray(8);
      if (frame.readUInt16LE(6) !== crc16(frame, 6)) {
        rx = Buffer.alloc(0); // out of step: wait for the next request
        break;
      }
      const req: SeenRequest = { tid: 0, unit: frame[0], fn: frame[1], address: frame.readUInt16BE(2), count: frame.readUInt16BE(4) };
      if (!units.has(req.unit)) {
        peer.seen.push({ req, fault: 'silence' });
        continue;
      }
      const fault = peer.plan.fault(req);
      peer.seen.push({ req, fault });
      const random = peer.plan.random ?? Math.random;
      answer((b) => void (port.isOpen && port.write(b)), () => undefined, fault, (f) => rtuReply(req, f, random), peer.plan, timers);
    }
  });
  peer.close = async () => {
    for (const t of timers) clearTimeout(t);
    await new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve()));
  };
  return peer;
}
