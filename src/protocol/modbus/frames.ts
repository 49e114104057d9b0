// Modbus read-register frames, built and checked here rather than in modbus-serial: a reply is accepted only when
// every field matches the request it answers (transaction id, unit, function code, byte count, and the CRC on a
// serial line), so a late, stray or corrupted frame can never be taken for register data.

/** Function codes this engine reads with: 3 holding registers, 4 input registers. */
export type ReadFunction = 3 | 4;

export interface ReadRequest {
  unit: number;
  fn: ReadFunction;
  address: number;
  count: number;
}

/** What the bytes received so far say about the reply to `req`. */
export type FrameResult =
  | { kind: 'incomplete' }
  | { kind: 'registers'; registers: number[]; used: number }
  | { kind: 'exception'; code: number; used: number }
  /** The bytes cannot be the reply to this request: the link is out of step and must be resynchronized. */
  | { kind: 'bad'; reason: string };

const INCOMPLETE: FrameResult = { kind: 'incomplete' };

function pdu(req: ReadRequest): Buffer {
  const b = Buffer.alloc(5);
  b[0] = req.fn;
  b.writeUInt16BE(req.address, 1);
  b.writeUInt16BE(req.count, 3);
  return b;
}

function registersOf(buf: Buffer, at: number, count: number): number[] {
  const out = new Array<number>(count);
  for (let i = 0; i < count; i++) out[i] = buf.readUInt16BE(at + i * 2);
  return out;
}

/** Checks the PDU (function code onwards) of a reply at `at` in `buf`, `available` bytes of it received. */
function checkPdu(buf: Buffer, at: number, available: number, req: ReadRequest): FrameResult | { kind: 'pdu'; length: number } {
  if (available < 1) return INCOMPLETE;
  const fn = buf[at];
  if (fn === (req.fn | 0x80)) return available < 2 ? INCOMPLETE : { kind: 'pdu', length: 2 };
  if (fn !== req.fn) return { kind: 'bad', reason: `function code ${fn} in the reply to a function ${req.fn} request` };
  if (available < 2) return INCOMPLETE;
  if (buf[at + 1] !== req.count * 2) return { kind: 'bad', reason: `byte count ${buf[at + 1]} where ${req.count * 2} was asked for` };
  return { kind: 'pdu', length: 2 + req.count * 2 };
}

function parsedPdu(buf: Buffer, at: number, req: ReadRequest, used: number): FrameResult {
  if (buf[at] & 0x80) return { kind: 'exception', code: buf[at + 1], used };
  return { kind: 'registers', registers: registersOf(buf, at + 2, req.count), used };
}

// ------------------------------------------------------------------------------------------------- TCP (MBAP)

export function tcpRequest(tid: number, req: ReadRequest): Buffer {
  const head = Buffer.alloc(7);
  head.writeUInt16BE(tid, 0);
  head.writeUInt16BE(0, 2);
  head.writeUInt16BE(6, 4);
  head[6] = req.unit;
  return Buffer.concat([head, pdu(req)]);
}

/** The reply to transaction `tid` at the start of `buf`. */
export function parseTcp(buf: Buffer, tid: number, req: ReadRequest): FrameResult {
  if (buf.length < 7) return INCOMPLETE;
  const gotTid = buf.readUInt16BE(0);
  if (gotTid !== tid) return { kind: 'bad', reason: `transaction id ${gotTid} where ${tid} was expected` };
  if (buf.readUInt16BE(2) !== 0) return { kind: 'bad', reason: `protocol id ${buf.readUInt16BE(2)} (not Modbus)` };
  const length = buf.readUInt16BE(4);
  if (buf[6] !== req.unit) return { kind: 'bad', reason: `unit ${buf[6]} answered a request to unit ${req.unit}` };
  const checked = checkPdu(buf, 7, buf.length - 7, req);
  if (checked.kind !== 'pdu') return checked;
  if (length !== checked.length + 1) return { kind: 'bad', reason: `MBAP length ${length} where ${checked.length + 1} fits the reply` };
  if (buf.length < 6 + length) return INCOMPLETE;
  return parsedPdu(buf, 7, req, 6 + length);
}

// ------------------------------------------------------------------------------------------------------ RTU

const CRC_TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1;
    t[i] = c;
  }
  return t;
})();

/** Modbus CRC-16 (polynomial 0xA001, initial 0xFFFF), sent low byte first. */
export function crc16(buf: Buffer, end = buf.length): number {
  let crc = 0xffff;
  for (let i = 0; i < end; i++) crc = (crc >>> 8) ^ CRC_TABLE[(crc ^ buf[i]) & 0xff];
  return crc;
}

export function rtuRequest(req: ReadRequest): Buffer {
  const body = Buffer.concat([Buffer.from([req.unit]), pdu(req)]);
  const crc = Buffer.alloc(2);
  crc.writeUInt16LE(crc16(body), 0);
  return Buffer.concat([body, crc]);
}

/** The reply to `req` at the start of `buf`. */
export function parseRtu(buf: Buffer, req: ReadRequest): FrameResult {
  if (buf.length < 1) return INCOMPLETE;
  if (buf[0] !== req.unit) return { kind: 'bad', reason: `unit ${buf[0]} answered a request to unit ${req.unit}` };
  const checked = checkPdu(buf, 1, buf.length - 1, req);
  if (checked.kind !== 'pdu') return checked;
  const end = 1 + checked.length;
  if (buf.length < end + 2) return INCOMPLETE;
  if (buf.readUInt16LE(end) !== crc16(buf, end)) return { kind: 'bad', reason: 'CRC error' };
  return parsedPdu(buf, 1, req, end + 2);
}
