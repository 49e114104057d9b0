// SNMPv1/v2c read requests encoded with their varbind list cached. A poll asks the same OIDs every time, and
// net-snmp re-encodes every OID from its dotted text on every request (a regular expression, a split and a byte array
// per OID): that was the largest single cost of a UPS poll. Here the varbind list is encoded once per session and
// only the few bytes around it (request id, lengths) are written per request. The bytes are exactly those net-snmp
// would send (test/protocol/snmp-request-encoding.test.ts compares them); anything this does not cover (SET, traps,
// SNMPv3, an OID net-snmp would refuse) is left to net-snmp, which then encodes or refuses it as before.

const GET = 0xa0;
const GET_NEXT = 0xa1;
const GET_BULK = 0xa5;
const SEQUENCE = 0x30;
const INTEGER = 0x02;
const OCTET_STRING = 0x04;
const NULL = 0x05;
const OID = 0x06;
/** Varbind lists kept per session: a poll's GET, its GETBULKs and their continuations. */
const CACHED_LISTS = 8;
const DOTTED = /^\d+(\.\d+)+$/u;

/**
 * Marks a request message encoded here with the varbind list it carries, so the reply decoder
 * (response-decoding.ts) can check the reply's OIDs against the request's bytes and reuse the request's OID text.
 */
export const ENCODED_LIST = Symbol('rackpower.encodedList');

/** Where a session's encoder is kept (getEncoder), for requests sent without net-snmp's get() (direct-get.ts). */
const ENCODER = Symbol('rackpower.requestEncoder');

/** A varbind list as encoded once per session: the request's OIDs and their SEQUENCE of { OID, NULL }. */
export interface EncodedList {
  oids: string[];
  bytes: Buffer;
}

/**
 * Makes a net-snmp session send its v1/v2c read requests encoded here. net-snmp sends `message.buffer` when it is set
 * (a retry resends the same bytes), so the hook only fills it in before net-snmp's own send.
 */
export function preEncodeRequests(session: object): void {
  const s = session as { send(req: { message: CommunityMessage }, noWait?: boolean): unknown };
  const send = s.send;
  if (typeof send !== 'function') throw new Error('net-snmp session without send(): requests cannot be pre-encoded');
  const encoder = new RequestEncoder();
  (session as { [ENCODER]?: RequestEncoder })[ENCODER] = encoder;
  s.send = function (this: unknown, req, noWait) {
    const m = req?.message;
    if (m && !m.buffer) {
      const encoded = encoder.encode(m);
      if (encoded) {
        m.buffer = encoded.bytes;
        m[ENCODED_LIST] = encoded.list;
      }
    }
    return send.call(this, req, noWait);
  };
}

/** The encoder preEncodeRequests gave `session`, if it did. */
export function getEncoder(session: object): RequestEncoder | undefined {
  return (session as { [ENCODER]?: RequestEncoder })[ENCODER];
}

/** The parts of a net-snmp Message (v1/v2c) a request is made of. */
export interface CommunityMessage {
  version: number;
  community: string;
  buffer?: Buffer;
  [ENCODED_LIST]?: EncodedList;
  pdu: {
    type: number;
    id: number;
    varbinds: { oid: string; type?: unknown }[];
    options?: { nonRepeaters?: number; maxRepetitions?: number };
  };
}

export class RequestEncoder {
  /** Encoded varbind lists (SEQUENCE of { OID, NULL }), most recently used first. */
  private lists: EncodedList[] = [];
  private community: Community | undefined;

  /**
   * The whole message as net-snmp would encode it, with the cached varbind list in it, or undefined for anything this
   * leaves to net-snmp.
   */
  encode(m: CommunityMessage): { bytes: Buffer; list: EncodedList } | undefined {
    const pdu = m.pdu;
    if (m.version === 3 || (pdu.type !== GET && pdu.type !== GET_NEXT && pdu.type !== GET_BULK)) return undefined;
    const bulk = pdu.type === GET_BULK;
    const nonRepeaters = bulk ? (pdu.options?.nonRepeaters ?? 0) : 0;
    const maxRepetitions = bulk ? (pdu.options?.maxRepetitions ?? 0) : 0;
    if (!isInt32(pdu.id) || !isInt32(m.version) || !isInt32(nonRepeaters) || !isInt32(maxRepetitions)) return undefined;
    // A request varbind carries no value; one that does (a SET) is net-snmp's to encode.
    if (pdu.varbinds.some((vb) => vb.type !== undefined)) return undefined;
    const list = this.varbinds(pdu.varbinds.map((vb) => vb.oid));
    return list && this.message(m.version, m.community, pdu.type, pdu.id, nonRepeaters, maxRepetitions, list);
  }

  /** A GetRequest for `oids` (direct-get.ts), or undefined for what net-snmp must encode or refuse. */
  encodeGet(version: number, community: string, id: number, oids: string[]): { bytes: Buffer; list: EncodedList } | undefined {
    if (!isInt32(id) || !isInt32(version)) return undefined;
    const list = this.varbinds(oids);
    return list && this.message(version, community, GET, id, 0, 0, list);
  }

  private message(
    version: number,
    communityText: unknown,
    type: number,
    id: number,
    nonRepeaters: number,
    maxRepetitions: number,
    list: EncodedList,
  ): { bytes: Buffer; list: EncodedList } | undefined {
    if (typeof communityText !== 'string') return undefined;
    const varbinds = list.bytes;
    if (this.community?.text !== communityText) this.community = communityOf(communityText);
    // One buffer, written front to back: only the request id changes from one poll to the next.
    const community = this.community.tlv;
    const pduLength = intLength(id) + intLength(nonRepeaters) + intLength(maxRepetitions) + varbinds.length;
    const messageLength = intLength(version) + community.length + headerLength(pduLength) + pduLength;
    if (messageLength > 0xffff) return undefined; // beyond any UDP datagram: net-snmp's to refuse
    const out = Buffer.allocUnsafe(headerLength(messageLength) + messageLength);
    let at = writeHeader(out, 0, SEQUENCE, messageLength);
    at = writeInt(out, at, version);
    at += community.copy(out, at);
    at = writeHeader(out, at, type, pduLength);
    at = writeInt(out, at, id);
    at = writeInt(out, at, nonRepeaters);
    at = writeInt(out, at, maxRepetitions);
    varbinds.copy(out, at);
    return { bytes: out, list };
  }

  /** The cached list of these OIDs, or a new one; undefined when one will not encode. */
  private varbinds(oids: string[]): EncodedList | undefined {
    for (let i = 0; i < this.lists.length; i++) {
      const cached = this.lists[i];
      if (!sameOids(cached.oids, oids)) continue;
      if (i > 0) {
        this.lists.splice(i, 1);
        this.lists.unshift(cached);
      }
      return cached;
    }
    const encoded = sharedList(oids);
    if (!encoded) return undefined;
    this.lists.unshift(encoded);
    if (this.lists.length > CACHED_LISTS) this.lists.pop();
    return encoded;
  }
}

/** A community text, its UTF-8 bytes and their OCTET STRING TLV: what the encoder writes and the decoder compares. */
export interface Community {
  text: string;
  bytes: Buffer;
  tlv: Buffer;
  /** The bytes read as UTF-8 give `text` again (net-snmp compares the text it decodes from a reply). */
  exact: boolean;
}

/** One per community text for the process (most of a rack shares one); never more than KEPT_COMMUNITIES kept. */
const communities = new Map<string, Community>();
const KEPT_COMMUNITIES = 1000;

export function communityOf(text: string): Community {
  let c = communities.get(text);
  if (!c) {
    const bytes = Buffer.from(text, 'utf8');
    c = { text, bytes, tlv: tlv(OCTET_STRING, bytes), exact: bytes.toString('utf8') === text };
    if (communities.size < KEPT_COMMUNITIES) communities.set(text, c);
  }
  return c;
}

/**
 * Encoded lists by their OIDs, shared by every session that asks the same list (the readers of a hundred UPS of one
 * model ask one list): each round of polls then reads one copy of the OIDs, their bytes and the reply decoder's memory
 * of them, not one per device. Held only while some session's cache holds the list.
 */
const shared = new Map<string, WeakRef<EncodedList>>();
const unused = new FinalizationRegistry<string>((key) => {
  if (!shared.get(key)?.deref()) shared.delete(key);
});

function sharedList(oids: string[]): EncodedList | undefined {
  const key = oids.join(' ');
  const known = shared.get(key)?.deref();
  if (known) return known;
  const parts: Buffer[] = [];
  for (const dotted of oids) {
    const oid = encodeOid(dotted);
    if (!oid) return undefined;
    parts.push(tlv(SEQUENCE, Buffer.concat([oid, Buffer.from([NULL, 0])])));
  }
  const encoded: EncodedList = { oids: [...oids], bytes: tlv(SEQUENCE, Buffer.concat(parts)) };
  shared.set(key, new WeakRef(encoded));
  unused.register(encoded, key);
  return encoded;
}

function sameOids(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function isInt32(n: unknown): n is number {
  return Number.isInteger(n) && (n as number) >= -0x80000000 && (n as number) <= 0x7fffffff;
}

/** An OID as BER, or undefined where net-snmp's encoder would refuse or mangle it (it is then left to net-snmp). */
export function encodeOid(dotted: string): Buffer | undefined {
  if (typeof dotted !== 'string' || !DOTTED.test(dotted)) return undefined;
  const arcs = dotted.split('.').map(Number);
  const first = arcs[0] * 40 + arcs[1];
  // net-snmp writes the first two arcs as one byte, and arcs above 32 bits wrap: leave such OIDs to it.
  if (first > 0x7f || arcs.some((a) => a > 0xffffffff)) return undefined;
  const bytes = [first];
  for (let i = 2; i < arcs.length; i++) {
    const a = arcs[i];
    const groups = [a % 128];
    for (let rest = Math.floor(a / 128); rest > 0; rest = Math.floor(rest / 128)) groups.unshift((rest % 128) | 0x80);
    bytes.push(...groups);
  }
  return tlv(OID, Buffer.from(bytes));
}

/** Bytes of a signed 32-bit INTEGER's content in the fewest bytes (as net-snmp's encoder writes it). */
function intBytes(n: number): number {
  let size = 1;
  for (let rest = n; rest < -0x80 || rest >= 0x80; rest = Math.floor(rest / 0x100)) size++;
  return size;
}

function intLength(n: number): number {
  return 2 + intBytes(n);
}

function writeInt(out: Buffer, at: number, n: number): number {
  const size = intBytes(n);
  out[at++] = INTEGER;
  out[at++] = size;
  for (let i = size - 1, rest = n; i >= 0; i--, rest = Math.floor(rest / 0x100)) out[at + i] = rest & 0xff;
  return at + size;
}

function headerLength(length: number): number {
  return length <= 0x7f ? 2 : length <= 0xff ? 3 : length <= 0xffff ? 4 : 5;
}

function writeHeader(out: Buffer, at: number, tag: number, length: number): number {
  out[at++] = tag;
  // Long form: 0x81-0x83 and then the length's bytes, high first.
  const size = length > 0xffff ? 3 : length > 0xff ? 2 : length > 0x7f ? 1 : 0;
  if (size) out[at++] = 0x80 | size;
  for (let i = size - 1; i > 0; i--) out[at++] = (length >> (8 * i)) & 0xff;
  out[at++] = length & 0xff;
  return at;
}

function tlv(tag: number, content: Buffer): Buffer {
  const out = Buffer.allocUnsafe(headerLength(content.length) + content.length);
  content.copy(out, writeHeader(out, 0, tag, content.length));
  return out;
}
