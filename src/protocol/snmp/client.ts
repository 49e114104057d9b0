// One persistent SNMP session to one agent: batched GETs that learn the agent's size limit, GETBULK column reads
// that cope with short replies, and errors sorted into TIMEOUT / AUTH / PROTOCOL / UNREACHABLE.
import snmp from 'net-snmp';
import { RackpowerError, asRackpowerError } from '../../errors';
import { AdaptiveBatch } from './batch-size';
import { DEADLINE_SWEEP_MS, type Deadline, unwatchDeadline, watchDeadline } from './deadlines';
import { classifySnmpError, describeTarget, openSession } from './session';
import { type SnmpTarget, checkTarget } from './target';

/** The ASN.1 type an SNMP agent sent (net-snmp's ObjectType, named). */
export type SnmpType =
  | 'integer' | 'counter' | 'gauge' | 'timeticks' | 'counter64' | 'octetString' | 'oid' | 'ipAddress'
  | 'null' | 'boolean' | 'bitString' | 'opaque' | 'noSuchObject' | 'noSuchInstance' | 'endOfMibView'
  /** a value that does not decode as its type says (a truncated string, an empty Counter64) */
  | 'malformed';

/** A decoded varbind value: numbers for the integer types, text for strings, dotted text for OIDs. */
export type SnmpValue = number | string;

/**
 * A value with the ASN.1 type the agent sent, so callers can refuse a string where a number belongs, and a Null,
 * Boolean, BitString or Opaque anywhere (those carry `value` "" and `numeric` false: they are never a reading).
 */
export interface TypedValue {
  value: SnmpValue;
  numeric: boolean;
  /** Absent in values that did not come from an agent (the simulator's tables): then inferred from `numeric`. */
  type?: SnmpType;
}

/** One value to write: integers (INTEGER/Gauge), text (OCTET STRING) or an OBJECT IDENTIFIER in dotted form. */
export interface SetVarbind {
  oid: string;
  type: 'integer' | 'string' | 'oid' | 'gauge' | 'timeticks';
  value: number | string;
}

const SET_TYPES = {
  integer: snmp.ObjectType.Integer,
  string: snmp.ObjectType.OctetString,
  oid: snmp.ObjectType.OID,
  gauge: snmp.ObjectType.Gauge,
  timeticks: snmp.ObjectType.TimeTicks,
} as const;

/** One varbind as net-snmp decoded it (`type` its ObjectType number), before `decodeVarbind`. */
export type Varbind = snmp.Varbind;

export interface ColumnRow {
  /** The row index: the OID arcs after the column OID, dotted. */
  index: string;
  value: TypedValue;
}

const TOO_BIG = 1;
const NO_SUCH_NAME = 2;
const GEN_ERR = 5;
/** Beyond net-snmp's own timeouts and retries, before a request that never left is given up. */
const DEADLINE_MARGIN_MS = 1000;


function normalizeOid(oid: string): string {
  return oid.startsWith('.') ? oid.slice(1) : oid;
}

/**
 * `oid` lies beneath `column` (`<column>.<index>`), checked without building the `<column>.` prefix each time
 * (`lastIndexOf(column, 0)` measured three times faster than `startsWith(column)` on net-snmp's fresh OID strings).
 */
function isBeneath(oid: string, column: string): boolean {
  return oid.length > column.length + 1 && oid.charCodeAt(column.length) === 46 && oid.lastIndexOf(column, 0) === 0;
}

const T = snmp.ObjectType;
/** Types that carry no reading, whatever their content: decoded as "" with their name, for the reader to refuse. */
const NOT_A_READING = new Map<number, SnmpType>([
  [T.Null, 'null'],
  [T.Boolean, 'boolean'],
  [T.BitString, 'bitString'],
  [T.Opaque, 'opaque'],
  [T.NoSuchObject, 'noSuchObject'],
  [T.NoSuchInstance, 'noSuchInstance'],
  [T.EndOfMibView, 'endOfMibView'],
]);
/** One shared value per refused type: such answers allocate nothing. */
const REFUSED = new Map([...NOT_A_READING].map(([t, type]) => [t, Object.freeze({ value: '', numeric: false, type }) as TypedValue]));

/** What a varbind whose value net-snmp could not really decode (a truncated string, a Counter64 of nothing) gives. */
const MALFORMED: TypedValue = Object.freeze({ value: '', numeric: false, type: 'malformed' });

/**
 * Most readings are small integers (currents in tenths, states, percents, volts): one shared value per INTEGER or
 * Gauge32 from -1 to 1023, made on first use, so that decoding them allocates nothing.
 */
const SMALL_LIMIT = 1024;
const SMALL = { integer: [] as TypedValue[], gauge: [] as TypedValue[] };

function numberValue(v: number, type: SnmpType): TypedValue {
  const shared = type === 'integer' ? SMALL.integer : type === 'gauge' ? SMALL.gauge : undefined;
  if (!shared || !Number.isInteger(v) || v < -1 || v >= SMALL_LIMIT) return { value: v, numeric: true, type };
  return (shared[v + 1] ??= Object.freeze({ value: v, numeric: true, type }));
}

function numericValue(v: unknown, type: SnmpType): TypedValue {
  return typeof v === 'number' && Number.isFinite(v) ? numberValue(v, type) : MALFORMED;
}

/**
 * Never throws, never invents a number: a value that is not what its type promises is MALFORMED. A switch on the type
 * rather than map lookups: every value of every poll comes through here.
 */
export function decodeVarbind(vb: snmp.Varbind): TypedValue {
  const v: unknown = vb.value;
  switch (vb.type) {
    case T.Integer:
      return numericValue(v, 'integer');
    case T.Gauge:
      return numericValue(v, 'gauge');
    case T.Counter:
      return numericValue(v, 'counter');
    case T.TimeTicks:
      return numericValue(v, 'timeticks');
    case T.OctetString:
      // Agents pad with NULs; text is what NUT publishes.
      return Buffer.isBuffer(v) ? { value: v.toString('latin1').replace(/\0+$/u, ''), numeric: false, type: 'octetString' } : MALFORMED;
    case T.OID:
      return typeof v === 'string' ? { value: v, numeric: false, type: 'oid' } : MALFORMED;
    case T.IpAddress:
      return typeof v === 'string' ? { value: v, numeric: false, type: 'ipAddress' } : MALFORMED;
    case T.Counter64:
      if (Buffer.isBuffer(v) && v.length > 0) return { value: Number(BigInt('0x' + v.toString('hex'))), numeric: true, type: 'counter64' };
      return typeof v === 'number' && Number.isFinite(v) ? { value: v, numeric: true, type: 'counter64' } : MALFORMED;
    default:
      // Null, Boolean, BitString, Opaque and the exceptions are no reading; net-snmp refuses unknown types while
      // decoding, and should one pass, it is no reading either.
      return REFUSED.get(vb.type as number) ?? MALFORMED;
  }
}

/** Answers by OID: a GET's (GetAnswers), or any map of decoded values. */
export interface Answers {
  get(oid: string): TypedValue | undefined;
}

/** Each OID's place in a list, per list (getAnswers' lists are a poll's, asked again and again): made when first asked. */
const placesByList = new WeakMap<string[], Map<string, number>>();

/** Answers of a GET by OID, decoded when asked for. */
export class GetAnswers implements Answers {
  private placesOfOids: ReadonlyMap<string, number> | undefined;

  /**
   * `at`: each answered OID's place in `varbinds`; or, for an agent that answered every OID of `ordered` at its place
   * (as a well-behaved one does), nothing: the places are then those of `ordered`, looked up only when an OID is asked
   * by name rather than by place.
   */
  constructor(
    private readonly varbinds: snmp.Varbind[],
    at: ReadonlyMap<string, number> | undefined,
    private readonly ordered?: string[],
  ) {
    this.placesOfOids = at;
  }

  private get at(): ReadonlyMap<string, number> {
    if (!this.placesOfOids) {
      const list = this.ordered!;
      let places = placesByList.get(list);
      if (!places) placesByList.set(list, (places = placesOf(list)));
      this.placesOfOids = places;
    }
    return this.placesOfOids;
  }

  /** The answer for `oid`, decoded; undefined when the agent gave none, or named an exception (see `missing`). */
  get(oid: string): TypedValue | undefined {
    const k = this.at.get(oid);
    if (k === undefined) return undefined;
    const vb = this.varbinds[k];
    return snmp.isVarbindError(vb) ? undefined : decodeVarbind(vb);
  }

  /**
   * get(oid) for an OID the caller knows to be at `place` in the list it asked (a reader's learned plan): when the agent
   * answered in order, the answer is taken there, without a lookup by name. A wrong or stale place costs only that.
   */
  answerAt(place: number, oid: string): TypedValue | undefined {
    if (place < 0 || this.ordered?.[place] !== oid) return this.get(oid);
    const vb = this.varbinds[place];
    return snmp.isVarbindError(vb) ? undefined : decodeVarbind(vb);
  }

  /** The exception the agent named for `oid` (noSuchObject, noSuchInstance), if it named one. */
  missing(oid: string): SnmpType | undefined {
    const k = this.at.get(oid);
    if (k === undefined) return undefined;
    const vb = this.varbinds[k];
    return snmp.isVarbindError(vb) ? decodeVarbind(vb).type : undefined;
  }
}

/** Each OID's place in a list. */
function placesOf(oids: string[]): Map<string, number> {
  return new Map(oids.map((oid, k) => [oid, k]));
}

/**
 * Where each OID a reply names is answered, for a reply whose OIDs are not those asked in order: by the OIDs it
 * names, as `get` keys its map. An OID named twice keeps its last value, else its last exception.
 */
function answeredAt(varbinds: snmp.Varbind[]): Map<string, number> {
  const at = new Map<string, number>();
  varbinds.forEach((vb, k) => {
    const before = at.get(vb.oid);
    if (before === undefined || snmp.isVarbindError(varbinds[before]) || !snmp.isVarbindError(vb)) at.set(vb.oid, k);
  });
  return at;
}

/** A request waiting for its answer: how to fail it, and when it was sent (to tie a malformed reply to it). */
interface InFlight extends Deadline {
  session: snmp.Session;
  sentAt: number;
  fail(err: RackpowerError): void;
}

export class SnmpClient {
  private session: snmp.Session | undefined;
  private readonly inFlight = new Set<InFlight>();
  /** The last datagram net-snmp could not decode on the current session, and when it came. */
  private malformed: { err: Error; at: number } | undefined;
  private readonly batch: AdaptiveBatch;
  private requests = 0;
  /** Counters of what went wrong on this session, for the devices' diagnostics. */
  private readonly counts = { malformedReplies: 0, tooBig: 0, timeouts: 0 };
  private closed = false;

  constructor(readonly target: SnmpTarget) {
    checkTarget(target);
    this.batch = new AdaptiveBatch(target.maxVarbinds);
  }

  get requestCount(): number {
    return this.requests;
  }

  /** What went wrong on this connection so far, and the number of varbinds a request now carries at most. */
  faults(): Record<string, number> {
    return { ...this.counts, batch: this.batch.value };
  }

  /** `snmp://host:port` style address without secrets. */
  describe(): string {
    return describeTarget(this.target);
  }

  private open(): snmp.Session {
    if (this.closed) throw new RackpowerError('CONFIG', 'SNMP session is closed');
    if (!this.session) {
      const session = openSession(this.target, {
        malformed: (err) => {
          this.counts.malformedReplies++;
          if (this.session === session) this.malformed = { err, at: Date.now() };
        },
        crashed: (err) => this.crashed(session, err),
      });
      this.session = session;
    }
    return this.session;
  }

  /**
   * net-snmp threw while handling a reply it had matched to one of our requests and has forgotten that request: every
   * request on the session fails now with the reason, and the session (whose state the reply may have half-changed)
   * is replaced by a fresh one at the next request.
   */
  private crashed(session: snmp.Session, err: Error): void {
    this.counts.malformedReplies++;
    const reason = new RackpowerError('PROTOCOL', `malformed reply from ${this.describe()}: ${err.message}`, { cause: err });
    for (const call of [...this.inFlight]) if (call.session === session) call.fail(reason);
    if (this.session === session) this.dropSession();
  }

  /** The reason a request that got no usable answer failed: a malformed reply since it was sent, else the timeout. */
  private timeoutReason(call: InFlight, timeout: RackpowerError): RackpowerError {
    const bad = this.malformed;
    if (!bad || bad.at < call.sentAt) return timeout;
    return new RackpowerError('PROTOCOL', `malformed reply from ${this.describe()}: ${bad.err.message}`, { cause: bad.err });
  }

  private call<T>(send: (s: snmp.Session, cb: (err: Error | null, res: T) => void) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let session: snmp.Session;
      try {
        session = this.open();
      } catch (err) {
        reject(asRackpowerError(err, 'CONFIG'));
        return;
      }
      this.requests++;
      // net-snmp arms its own timer only once the datagram is sent; when the socket cannot even bind (EMFILE: out of
      // file descriptors) neither the callback nor an 'error' event ever comes. Our deadline ends such a request, and
      // the session is dropped so the next poll starts with a fresh socket. One sweep keeps every request's deadline
      // (deadlines.ts): it ends a request at most DEADLINE_SWEEP_MS after `at`, so `at` is that much earlier.
      const attempts = (this.target.retries + 1) * (this.target.version === 3 ? 2 : 1);
      const sentAt = Date.now();
      let settled = false;
      const settle = (): boolean => {
        if (settled) return false;
        settled = true;
        unwatchDeadline(call);
        this.inFlight.delete(call);
        return true;
      };
      const call: InFlight = {
        session,
        sentAt,
        at: sentAt + this.target.timeoutMs * attempts + DEADLINE_MARGIN_MS - DEADLINE_SWEEP_MS,
        prev: undefined,
        next: undefined,
        fail: (err) => {
          if (settle()) reject(err);
        },
        expire: () => {
          if (!settle()) return;
          if (this.session === session) this.dropSession();
          reject(this.timeoutReason(call, new RackpowerError('TIMEOUT', `no answer from ${this.describe()} and no error from the network stack: the request never left (out of sockets?)`)));
        },
      };
      this.inFlight.add(call);
      watchDeadline(call);
      try {
        send(session, (err, res) => {
          if (!settle()) return;
          if (!err) resolve(res);
          else {
            const e = this.classify(err);
            if (e.code === 'TIMEOUT') this.counts.timeouts++;
            reject(e.code === 'TIMEOUT' ? this.timeoutReason(call, e) : e);
          }
        });
      } catch (err) {
        // net-snmp throws synchronously for unencodable requests and missing crypto.
        settle();
        reject(this.classify(err as Error));
      }
    });
  }

  private dropSession(): void {
    const s = this.session;
    this.session = undefined;
    this.malformed = undefined;
    try {
      s?.close();
    } catch {
      // a socket that never opened cannot close
    }
  }

  private classify(err: Error & { status?: number; code?: number | string }): RackpowerError {
    return classifySnmpError(err, this.target);
  }

  /**
   * GETs many OIDs in as few requests as the agent accepts. Missing objects (noSuchObject/Instance, or v1's
   * noSuchName) are absent from the result. On tooBig the batch is halved and remembered for this session.
   */
  async get(oids: string[]): Promise<Map<string, TypedValue>> {
    const out = new Map<string, TypedValue>();
    const normalized = oids.some((o) => o.startsWith('.')) ? oids.map(normalizeOid) : oids;
    for (const vb of (await this.getVarbinds(normalized)).varbinds) if (!snmp.isVarbindError(vb)) out.set(vb.oid, decodeVarbind(vb));
    return out;
  }

  /**
   * `get` for a list of OIDs asked again and again (a poll's): the answers stay undecoded until asked for, and when
   * the agent answered every OID at its place in the request (as a well-behaved one always does) no map of the
   * answers is built: an OID's answer is found by its place in `oids` (GetAnswers.answerAt), or by name from a map of
   * places kept per list. `oids` are written without a leading dot (a reader's plan strips them): unlike `get`, this
   * does not look through the list for one every poll.
   */
  async getAnswers(oids: string[]): Promise<GetAnswers> {
    const { asked, varbinds } = await this.getVarbinds(oids);
    let inPlace = asked.length === varbinds.length;
    for (let k = 0; inPlace && k < varbinds.length; k++) inPlace = varbinds[k].oid === asked[k];
    if (!inPlace) return new GetAnswers(varbinds, answeredAt(varbinds));
    // Asked in several requests, `asked` is a new list each time, but with every OID of `oids` in it (none dropped)
    // its places are those of `oids`.
    return new GetAnswers(varbinds, undefined, asked.length === oids.length ? oids : asked);
  }

  /**
   * The batched GETs behind `get`: the OIDs asked (without a leading dot), in order, and the agent's varbinds for them
   * (exceptions included), one per OID asked. An OID that v1's noSuchName named is asked no more and is in neither list.
   */
  private async getVarbinds(oids: string[]): Promise<{ asked: string[]; varbinds: snmp.Varbind[] }> {
    // A poll's list fits one request: it is used as it is (nothing below mutates it).
    let pending = oids;
    let asked: string[] = [];
    let varbinds: snmp.Varbind[] = [];
    while (pending.length) {
      const limit = this.batch.value;
      const batch = pending.length <= limit ? pending : pending.slice(0, limit);
      try {
        const answered = await this.call<snmp.Varbind[]>((s, cb) => s.get(batch, cb as never));
        this.batch.answered(batch.length, batch.length < pending.length);
        // One request (the usual case): its own lists, nothing copied.
        asked = asked.length ? asked.concat(batch) : batch;
        varbinds = varbinds.length ? varbinds.concat(answered) : answered;
        pending = batch === pending ? [] : pending.slice(batch.length);
      } catch (err) {
        const failed = (err as RackpowerError).cause as { name?: string; status?: number; message?: string } | undefined;
        if (failed?.name !== 'RequestFailedError') throw err;
        if (failed.status === TOO_BIG) this.counts.tooBig++;
        if (failed.status === TOO_BIG && batch.length > 1) {
          this.batch.refused(batch.length);
          continue;
        }
        if (failed.status === NO_SUCH_NAME) {
          // SNMPv1 fails the whole PDU for one missing object and names it: drop that one and ask again.
          const missing = failed.message?.split(': ').pop();
          if (missing && pending.includes(missing)) {
            pending = pending.filter((o) => o !== missing);
            continue;
          }
        }
        throw err;
      }
    }
    return { asked, varbinds };
  }

  /**
   * Reads whole table columns. With v2c/v3 one GETBULK asks `rows` repetitions of every column; columns that
   * come back short (agent limits) are continued from where they stopped. v1 walks with GETNEXT.
   */
  async columns(columnOids: string[], rows: number): Promise<Map<string, ColumnRow[]>> {
    const out = new Map<string, ColumnRow[]>();
    for (const [column, varbinds] of await this.columnVarbinds(columnOids, rows)) {
      out.set(column, varbinds.map((vb) => ({ index: vb.oid.slice(column.length + 1), value: decodeVarbind(vb) })));
    }
    return out;
  }

  /**
   * `columns` as the agent answered them, per column its varbinds in the agent's order (every one beneath the column
   * and none an exception), undecoded: a poll decodes only the cells it uses, with `decodeVarbind`, and finds its
   * rows by comparing OIDs it already knows rather than cutting each row's index out of every OID. `cells`, when
   * given, holds per column the OIDs its rows are expected at, in order (a poll's learned rows): a varbind at its
   * expected OID is beneath its column without a prefix test (string equality costs a fifth of one).
   */
  async columnVarbinds(columnOids: string[], rows: number, cells?: ReadonlyMap<string, string[]>): Promise<Map<string, snmp.Varbind[]>> {
    const result = new Map<string, snmp.Varbind[]>();
    const cursor = new Map<string, string>();
    for (const c of columnOids) {
      const column = normalizeOid(c);
      result.set(column, []);
      cursor.set(column, column);
    }
    const v1 = this.target.version === 1;
    // Unknown size (discovery): walk in steps of 16 rows. v1 moves one row per GETNEXT.
    const reps = v1 ? 1 : rows > 0 ? rows : 16;
    let open = [...cursor.keys()];
    while (open.length) {
      const limit = this.batch.value;
      const repsNow = Math.min(reps, limit);
      const group = open.slice(0, Math.max(1, Math.floor(limit / repsNow)));
      let replies: snmp.Varbind[][];
      try {
        replies = await this.nextRows(group.map((c) => cursor.get(c)!), repsNow);
      } catch (err) {
        const failed = (err as RackpowerError).cause as { name?: string; status?: number; message?: string } | undefined;
        if (failed?.name !== 'RequestFailedError') throw err;
        // tooBig, or genErr from agents that fail a GETBULK above their varbind limit (snmpsimd): ask for less.
        if (failed.status === TOO_BIG) this.counts.tooBig++;
        if ((failed.status === TOO_BIG || failed.status === GEN_ERR) && group.length * repsNow > 1) {
          this.batch.refused(group.length * repsNow);
          continue;
        }
        if (v1 && failed.status === NO_SUCH_NAME) {
          // v1 answers a GETNEXT past the agent's last object with noSuchName for the whole PDU: that column is done.
          const at = failed.message?.split(': ').pop();
          const done = group.find((c) => cursor.get(c) === at);
          if (done) {
            open = open.filter((c) => c !== done);
            continue;
          }
        }
        throw err;
      }
      if (replies.every((r) => !r?.length)) {
        // An agent that answers with nothing cannot be walked; ask for less, down to one varbind.
        if (group.length * repsNow <= 1) throw new RackpowerError('PROTOCOL', `${this.describe()} sent an empty reply to GETBULK`);
        this.batch.refused(group.length * repsNow);
        continue;
      }
      this.batch.answered(group.length * repsNow, repsNow < reps || group.length < open.length);
      const stillOpen = group.filter((column, i) => {
        const got = replies[i] ?? [];
        const earlier = result.get(column)!;
        const expected = cells?.get(column);
        // endOfMibView, or an OID of the next column: this column is complete.
        let beneath = 0;
        for (; beneath < got.length; beneath++) {
          const vb = got[beneath];
          if (snmp.isVarbindError(vb)) break;
          if (vb.oid !== expected?.[earlier.length + beneath] && !isBeneath(vb.oid, column)) break;
        }
        // The reply's own array when all of it belongs to the column (the usual case): nothing copied.
        const taken = beneath === got.length ? got : got.slice(0, beneath);
        const rowsOfColumn = earlier.length ? earlier.concat(taken) : taken;
        result.set(column, rowsOfColumn);
        if (beneath < got.length) return false;
        if (got.length) cursor.set(column, got[got.length - 1].oid);
        // A known-size table read in full is done (growth is found at the next rediscovery). A column the agent
        // left out or cut short (RFC 3416 lets it trim a GETBULK reply) continues from its cursor.
        return !(rows > 0 && rowsOfColumn.length >= rows);
      });
      open = [...stillOpen, ...open.slice(group.length)];
    }
    return result;
  }

  /** Not async: the GETBULK of every poll is handed back as it is, with no promise of its own around it. */
  private nextRows(oids: string[], reps: number): Promise<snmp.Varbind[][]> {
    if (this.target.version === 1) {
      // No GETBULK in v1: one GETNEXT moves every column one row.
      return this.call<snmp.Varbind[]>((s, cb) => s.getNext(oids, cb as never)).then((vbs) => vbs.map((vb) => [vb]));
    }
    return this.call<snmp.Varbind[][]>((s, cb) => s.getBulk(oids, 0, reps, cb as never));
  }

  /**
   * Writes all varbinds in one SET (the agent applies all or none) and returns what it answered, decoded. A refusal
   * (notWritable, noAccess, wrongValue ... or a v1 noSuchName/readOnly) is a PROTOCOL error naming the agent's reason.
   */
  async set(varbinds: SetVarbind[]): Promise<Map<string, TypedValue>> {
    const request = varbinds.map((v) => ({ oid: normalizeOid(v.oid), type: SET_TYPES[v.type], value: v.value }));
    const answered = await this.call<snmp.Varbind[]>((s, cb) => s.set(request as snmp.Varbind[], cb as never));
    const out = new Map<string, TypedValue>();
    for (const vb of answered) {
      // An agent that answers a SET with noSuchObject/noSuchInstance in the varbind did not write anything.
      if (snmp.isVarbindError(vb)) throw new RackpowerError('PROTOCOL', `${this.describe()} refused the request: ${snmp.varbindError(vb)}`);
      out.set(vb.oid, decodeVarbind(vb));
    }
    return out;
  }

  /** sysObjectID and sysDescr, for detection. */
  async system(): Promise<{ sysObjectID?: string; sysDescr?: string }> {
    const got = await this.get(['1.3.6.1.2.1.1.2.0', '1.3.6.1.2.1.1.1.0']);
    return {
      sysObjectID: got.get('1.3.6.1.2.1.1.2.0')?.value as string | undefined,
      sysDescr: got.get('1.3.6.1.2.1.1.1.0')?.value as string | undefined,
    };
  }

  close(): void {
    this.closed = true;
    this.dropSession();
    // A request that never left would otherwise wait for its deadline: nothing of a closed client stays behind.
    const closed = new RackpowerError('CONFIG', 'SNMP session is closed');
    for (const call of [...this.inFlight]) call.fail(closed);
  }
}
