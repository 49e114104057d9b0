// SNMPv1/v2c GetResponse datagrams decoded here instead of by net-snmp. net-snmp reads every reply through asn1-ber,
// which builds each OID's dotted text from an array of arcs: that was the largest single cost of a poll once requests
// were pre-encoded (1500 PDU polls: ~110 ms of ~560 ms). A poll's replies name the same OIDs every time: a GET's reply
// names the request's own OIDs, so their text is reused once their bytes match the request's, and a GETBULK's
// successors are remembered per position of the same request and reused while their bytes match. The message handed
// on is what net-snmp's Message.createFromBuffer would give (test/protocol/snmp/response-decoding.test.ts compares
// them on real and mutated replies). Anything this is not sure of (another PDU type, an odd length form or integer,
// trailing bytes, a reply to no request this session encoded, a proxy session) is declined and goes to net-snmp's own
// handler unchanged, so errors, Reports and malformed datagrams behave exactly as before. This (and request-encoding.ts)
// hooks net-snmp's internals (its message listener, reqs, unregisterRequest, onResponse), so package.json pins net-snmp
// to the exact version the differential test compares against.
import type dgram from 'node:dgram';
import { communityOf, ENCODED_LIST, type Community, type CommunityMessage, type EncodedList } from './request-encoding';

const SEQUENCE = 0x30;
const INTEGER = 0x02;
const OCTET_STRING = 0x04;
const NULL = 0x05;
const OID = 0x06;
const IP_ADDRESS = 0x40;
const COUNTER = 0x41;
const GAUGE = 0x42;
const TIME_TICKS = 0x43;
const OPAQUE = 0x44;
const COUNTER64 = 0x46;
const NO_SUCH_OBJECT = 0x80;
const NO_SUCH_INSTANCE = 0x81;
const END_OF_MIB_VIEW = 0x82;
const GET_RESPONSE = 0xa2;
const MAX_ARC = 0xffffffff;
/** Reply positions whose OID text is remembered per request list (a 48-outlet PDU's columns fit several times). */
const REMEMBERED_POSITIONS = 256;
/** What a value that net-snmp might read differently decodes to: the whole datagram is then declined. */
const DECLINE = Symbol('decline');

export interface ResponseVarbind {
  oid: string;
  type: number;
  value: number | string | Buffer | null;
}

/** The fields of net-snmp's Message for a v1/v2c GetResponse, in its order. */
export interface ResponseMessage {
  version: number;
  community: string;
  pdu: { type: number; id: number; errorStatus: number; errorIndex: number; varbinds: ResponseVarbind[]; scoped: false };
  buffer: Buffer;
}

/** The parts of a pending net-snmp request (Req) the fast path reads and calls. */
export interface PendingRequest {
  message: CommunityMessage;
  onResponse(req: PendingRequest, message: ResponseMessage): void;
}

interface NetSnmpSession {
  dgram?: dgram.Socket;
  reqs: Record<number, PendingRequest | undefined>;
  proxy?: unknown;
  unregisterRequest(id: number): unknown;
}

/**
 * Makes a net-snmp v1/v2c session decode its GetResponses here. Must run before anything wraps the socket's message
 * listener (guard.ts), so a throw from the response callback reaches that wrapper as it does from net-snmp's onMsg.
 */
export function decodeResponses(session: object): void {
  const s = session as NetSnmpSession;
  const listeners = s.dgram?.listeners('message');
  if (!s.dgram || listeners?.length !== 1 || typeof s.unregisterRequest !== 'function') {
    throw new Error('net-snmp session without its one message listener: replies cannot be decoded here');
  }
  const onMsg = listeners[0] as (buffer: Buffer, rinfo: dgram.RemoteInfo) => void;
  const decoder = new ResponseDecoder();
  s.dgram.off('message', onMsg);
  s.dgram.on('message', (buffer: Buffer, rinfo: dgram.RemoteInfo) => {
    const message = s.proxy ? undefined : decoder.decode(buffer, s.reqs);
    if (!message) return onMsg(buffer, rinfo);
    // What net-snmp's onMsg does for a v1/v2c GetResponse whose version and community match its request (its
    // security and engine-time steps are no-ops there): forget the request (clearing its timer), then hand it on.
    const req = s.reqs[message.pdu.id]!;
    s.unregisterRequest(message.pdu.id);
    req.onResponse(req, message);
  });
}

/** Where the TLV reader is: module state rather than a returned pair, so reading allocates nothing. */
let at = 0;
/** Where OID text is written before it becomes a string (shared: decoding is synchronous). */
let scratch = Buffer.alloc(256);

/** Enters the TLV at `at` if its tag is `tag` and it ends within `limit`: returns its end, `at` then at its content. */
function enter(b: Buffer, tag: number, limit: number): number {
  if (at + 2 > limit || b[at] !== tag) return -1;
  let length = b[at + 1];
  at += 2;
  if (length > 0x7f) {
    // One or two length bytes (net-snmp reads any count the same way); indefinite or longer forms are its to judge.
    const n = length - 0x80;
    if (n < 1 || n > 2 || at + n > limit) return -1;
    length = n === 1 ? b[at] : b[at] * 256 + b[at + 1];
    at += n;
  }
  const end = at + length;
  return end <= limit ? end : -1;
}

/** An INTEGER's content read as asn1-ber reads it (first byte signed, then base 256), or NaN where it would not. */
function intValue(b: Buffer, start: number, end: number): number {
  // Up to 6 bytes stays a safe integer; asn1-ber refuses an empty one.
  if (end <= start || end - start > 6) return NaN;
  let v = b[start] > 0x7f ? b[start] - 0x100 : b[start];
  for (let i = start + 1; i < end; i++) v = v * 256 + b[i];
  return v;
}

function isInt32(v: number): boolean {
  return v >= -0x80000000 && v <= 0x7fffffff;
}

/** An INTEGER field of the message (version, request id, error status and index): 1-4 bytes, so always in range. */
function field(b: Buffer, limit: number): number {
  const end = enter(b, INTEGER, limit);
  if (end < 0 || end - at > 4) return NaN;
  const v = intValue(b, at, end);
  at = end;
  return v;
}

/** Remembered OID text by reply position, for one request varbind list: `raw` is the OID's content as latin1. */
interface OidMemory {
  raw: string[];
  text: string[];
}

const MEMORY = Symbol('rackpower.replyOids');
type RememberingList = EncodedList & { [MEMORY]?: OidMemory };

export class ResponseDecoder {
  private community: Community | undefined;

  /**
   * The message net-snmp would decode from `b`, if it is a GetResponse to a pending request of `reqs` this session
   * encoded, with the request's version and community, read without doubt; otherwise undefined.
   */
  decode(b: Buffer, reqs: Record<number, PendingRequest | undefined>): ResponseMessage | undefined {
    try {
      return this.read(b, reqs);
    } catch {
      return undefined; // nothing here should throw; if it does, net-snmp decides as before
    }
  }

  private read(b: Buffer, reqs: Record<number, PendingRequest | undefined>): ResponseMessage | undefined {
    const end = b.length;
    at = 0;
    if (enter(b, SEQUENCE, end) !== end) return undefined;
    const version = field(b, end);
    const communityEnd = enter(b, OCTET_STRING, end);
    if (communityEnd < 0) return undefined;
    const communityStart = at;
    at = communityEnd;
    if (enter(b, GET_RESPONSE, end) !== end) return undefined;
    const id = field(b, end);
    const req = Number.isNaN(id) ? undefined : reqs[id];
    const m = req?.message;
    const list = m?.[ENCODED_LIST] as RememberingList | undefined;
    if (!m || !list || m.version !== version || !this.sameCommunity(m.community, b, communityStart, communityEnd)) return undefined;
    const errorStatus = field(b, end);
    const errorIndex = field(b, end);
    if (Number.isNaN(errorStatus) || Number.isNaN(errorIndex) || enter(b, SEQUENCE, end) !== end) return undefined;
    const memory = (list[MEMORY] ??= this.remember(list));
    const varbinds: ResponseVarbind[] = [];
    for (let position = 0; at < end; position++) {
      const varbindEnd = enter(b, SEQUENCE, end);
      if (varbindEnd < 0) return undefined;
      const oidEnd = enter(b, OID, varbindEnd);
      if (oidEnd < 0) return undefined;
      const oid = this.oidAt(memory, position, b, at, oidEnd);
      if (oid === undefined) return undefined;
      at = oidEnd;
      const type = b[at];
      const tagAt = at;
      const valueEnd = enter(b, type, varbindEnd);
      if (valueEnd !== varbindEnd) return undefined;
      const value = this.value(type, b, tagAt, at, valueEnd);
      if (value === DECLINE) return undefined;
      varbinds.push({ oid, type, value });
      at = varbindEnd;
    }
    return { version, community: m.community, pdu: { type: GET_RESPONSE, id, errorStatus, errorIndex, varbinds, scoped: false }, buffer: b };
  }

  /** Whether net-snmp would read the community bytes as exactly the request's community text. */
  private sameCommunity(text: string, b: Buffer, start: number, end: number): boolean {
    if (typeof text !== 'string') return false;
    let c = this.community;
    if (c?.text !== text) c = this.community = communityOf(text);
    if (!c.exact || c.bytes.length !== end - start) return false;
    for (let i = 0; i < c.bytes.length; i++) if (c.bytes[i] !== b[start + i]) return false;
    return true;
  }

  /** The value of the TLV at `tagAt` whose content is `start`..`end`, as net-snmp's readVarbindValue reads it. */
  private value(type: number, b: Buffer, tagAt: number, start: number, end: number): ResponseVarbind['value'] | typeof DECLINE {
    switch (type) {
      case INTEGER: {
        const v = intValue(b, start, end);
        return isInt32(v) ? v : DECLINE;
      }
      case COUNTER:
      case GAUGE:
      case TIME_TICKS: {
        // net-snmp takes the signed value modulo 2^32 (`>>> 0`): a 5-byte 00 FF FF FF FF is 4294967295.
        const v = intValue(b, start, end);
        return Number.isNaN(v) ? DECLINE : v >>> 0;
      }
      case OCTET_STRING:
      case OPAQUE:
      case COUNTER64:
        // net-snmp hands out a view of the datagram (and a new empty Buffer for an empty string): so does this.
        return end > start ? b.subarray(start, end) : Buffer.alloc(0);
      case NULL:
      case NO_SUCH_OBJECT:
      case NO_SUCH_INSTANCE:
      case END_OF_MIB_VIEW:
        // net-snmp skips exactly two bytes here whatever the length says: only `tag 00` reads the same.
        return start === tagAt + 2 && end === start ? null : DECLINE;
      case OID:
        return this.oidText(b, start, end) ?? DECLINE;
      case IP_ADDRESS:
        return end - start === 4 ? `${b[start]}.${b[start + 1]}.${b[start + 2]}.${b[start + 3]}` : DECLINE;
      default:
        return DECLINE; // Boolean, BitString and unknown tags: net-snmp's to read or refuse
    }
  }

  /** The varbind name at reply `position`: remembered text when the bytes are the same, else built and remembered. */
  private oidAt(memory: OidMemory, position: number, b: Buffer, start: number, end: number): string | undefined {
    if (position < memory.raw.length && end > start) {
      const raw = memory.raw[position];
      if (raw.length === end - start) {
        let same = true;
        for (let i = 0; i < raw.length && same; i++) same = raw.charCodeAt(i) === b[start + i];
        if (same) return memory.text[position];
      }
    }
    const text = this.oidText(b, start, end);
    if (text !== undefined && position <= memory.raw.length && position < REMEMBERED_POSITIONS) {
      memory.raw[position] = b.toString('latin1', start, end);
      memory.text[position] = text;
    }
    return text;
  }

  /** A request list's OIDs as the first guess for each reply position (a GET's reply names them in order). */
  private remember(list: EncodedList): OidMemory {
    const memory: OidMemory = { raw: [], text: [] };
    const b = list.bytes;
    const reading = at; // called in the middle of reading a reply
    at = 0;
    const listEnd = enter(b, SEQUENCE, b.length);
    for (let i = 0; listEnd >= 0 && i < list.oids.length && i < REMEMBERED_POSITIONS; i++) {
      const varbindEnd = enter(b, SEQUENCE, b.length);
      const oidEnd = varbindEnd < 0 ? -1 : enter(b, OID, varbindEnd);
      if (oidEnd < 0) break;
      // Reused only where reading the bytes gives the very text asked for ("1.3.06" is sent as 1.3.6, read as 1.3.6).
      const same = this.oidText(b, at, oidEnd) === list.oids[i];
      memory.raw.push(same ? b.toString('latin1', at, oidEnd) : '');
      memory.text.push(same ? list.oids[i] : '');
      at = varbindEnd;
    }
    at = reading;
    return memory;
  }

  /**
   * Dotted text of an OID's content as asn1-ber's readOID gives it (the first subidentifier split as x / 40 and
   * x % 40), or undefined where it would give something odd: empty, a last subidentifier cut short, an arc above 32
   * bits (it wraps those).
   */
  private oidText(b: Buffer, start: number, end: number): string | undefined {
    if (end <= start || b[end - 1] > 0x7f) return undefined;
    // At most 10 digits and a dot per content byte, and one more arc from the first.
    if (scratch.length < (end - start + 1) * 11) scratch = Buffer.alloc((end - start + 1) * 11);
    const out = scratch;
    let i = start;
    let v = 0;
    for (;;) {
      const byte = b[i++];
      v = v * 128 + (byte & 0x7f);
      if (v > MAX_ARC) return undefined;
      if (byte < 0x80) break;
    }
    let n = writeDecimal(out, 0, Math.floor(v / 40));
    out[n++] = 0x2e;
    n = writeDecimal(out, n, v % 40);
    v = 0;
    for (; i < end; i++) {
      const byte = b[i];
      v = v * 128 + (byte & 0x7f);
      if (v > MAX_ARC) return undefined;
      if (byte < 0x80) {
        out[n++] = 0x2e;
        n = writeDecimal(out, n, v);
        v = 0;
      }
    }
    return out.toString('latin1', 0, n);
  }
}

/** Writes `n` in decimal at `from`; returns where it ends. */
function writeDecimal(out: Buffer, from: number, n: number): number {
  let digits = 1;
  for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++;
  for (let k = from + digits - 1; k >= from; k--, n = Math.floor(n / 10)) out[k] = 0x30 + (n % 10);
  return from + digits;
}
