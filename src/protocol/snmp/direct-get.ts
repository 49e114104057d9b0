// SNMPv1/v2c GETs sent by a session's get() without net-snmp's per-request objects. For every request, net-snmp's get()
// builds a varbind object per OID, a PDU, a Message and a Req, has nothing of them encoded (request-encoding.ts does
// that), and on the answer copies the reply's varbind list: allocation and work a UPS poll's 20-OID GET does not need.
// Here one object is the request, with the fields net-snmp's Req has (those its send, registerRequest, timer, onMsg,
// onSimpleGetResponse and cancelRequests read), and it goes out through net-snmp's own send(): the request table, the
// timer, retries (the same bytes again), backoff, socket errors, error-status replies, Reports and replies the decoder
// declines all take net-snmp's code as before. The answer is checked as get() checks it: as many varbinds as asked,
// else ResponseInvalidError (EReqResOidNoMatch). Whatever the encoder leaves to net-snmp (an OID or id it would treat
// otherwise), and a session that reports OID mismatches, goes to net-snmp's get() as before. Hooks net-snmp's
// internals like the encoder and decoder: package.json pins its version.
import snmp from 'net-snmp';
import { ENCODED_LIST, type EncodedList, getEncoder } from './request-encoding';
import type { ResponseMessage } from './response-decoding';

const GET_REQUEST = 0xa0;

type Callback = (err: Error | null, varbinds?: snmp.Varbind[]) => void;

/** The fields of a net-snmp v1/v2c Session a request reads and calls (net-snmp 3.29.2). */
interface NetSnmpSession {
  version: number;
  community: string;
  idBitsSize: number;
  retries: number;
  timeout: number;
  backoff: number;
  port: number;
  context: string;
  reportOidMismatchErrors?: boolean;
  onSimpleGetResponse(req: DirectGet, message: ResponseMessage): void;
  send(req: DirectGet): unknown;
  get(oids: string[], cb: Callback): unknown;
}

/** What net-snmp and the reply decoder read of a request's message: the bytes as encoded, version and community. */
interface DirectMessage {
  version: number;
  community: string;
  buffer: Buffer;
  pdu: { type: number; id: number };
  [ENCODED_LIST]: EncodedList;
  toBuffer(): Buffer;
  getReqId(): number;
}

/** net-snmp's request id (its _generateId). */
function requestId(bits: number): number {
  return bits === 16 ? Math.floor(Math.random() * 10000) % 65535 : Math.floor(Math.random() * 100000000) % 4294967295;
}

function toBuffer(this: DirectMessage): Buffer {
  return this.buffer;
}

function getReqId(this: DirectMessage): number {
  return this.pdu.id;
}

/** A request as net-snmp's Req holds it (the same fields; net-snmp sets and deletes `timer`). */
class DirectGet {
  readonly retries: number;
  readonly timeout: number;
  readonly backoff: number;
  readonly onResponse: NetSnmpSession['onSimpleGetResponse'];
  readonly port: number;
  readonly context: string;

  constructor(
    session: NetSnmpSession,
    readonly message: DirectMessage,
    readonly responseCb: Callback,
    private readonly asked: number,
  ) {
    this.retries = session.retries;
    this.timeout = session.timeout;
    this.backoff = session.backoff;
    this.onResponse = session.onSimpleGetResponse;
    this.port = session.port;
    this.context = session.context;
  }

  getId(): number {
    return this.message.pdu.id;
  }

  /** get()'s feedCb without its copy: the reply's list (a fresh one per datagram, nobody else's) is handed on. */
  feedCb(_req: DirectGet, message: ResponseMessage): void {
    const varbinds = message.pdu.varbinds as snmp.Varbind[];
    if (varbinds.length !== this.asked) {
      this.responseCb(new snmp.ResponseInvalidError('Requested OIDs do not match response OIDs', snmp.ResponseInvalidCode.EReqResOidNoMatch));
    } else {
      this.responseCb(null, varbinds);
    }
  }
}

/** Makes a v1/v2c session's get() send as described above; preEncodeRequests must have prepared the session. */
export function sendGetsDirectly(session: object): void {
  const s = session as NetSnmpSession;
  const get = s.get;
  const encoder = getEncoder(session);
  if (typeof get !== 'function' || typeof s.send !== 'function' || typeof s.onSimpleGetResponse !== 'function' || !encoder) {
    throw new Error('net-snmp session without get(), send() or a request encoder: GETs cannot be sent directly');
  }
  s.get = function (this: NetSnmpSession, oids, cb) {
    const id = requestId(s.idBitsSize);
    const encoded = Array.isArray(oids) && !s.reportOidMismatchErrors ? encoder.encodeGet(s.version, s.community, id, oids) : undefined;
    if (!encoded) return get.call(this, oids, cb);
    const message: DirectMessage = {
      version: s.version,
      community: s.community,
      buffer: encoded.bytes,
      pdu: { type: GET_REQUEST, id },
      [ENCODED_LIST]: encoded.list,
      toBuffer,
      getReqId,
    };
    s.send(new DirectGet(s, message, cb, oids.length));
    return this;
  };
}
