// The pre-encoded v1/v2c requests must be byte for byte what net-snmp itself sends: same request ids, OIDs, lengths,
// GETBULK parameters and community. Each case is sent by a plain net-snmp session and by one with the encoder hooked
// in; both datagrams are captured at the socket (nothing leaves the process) and compared.
import snmp from 'net-snmp';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RequestEncoder, encodeOid, preEncodeRequests } from '../../../src/protocol/snmp/request-encoding';

type Send = (s: snmp.Session, cb: (err: Error | null) => void) => void;

const opened: snmp.Session[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const s of opened.splice(0)) s.close();
});

/** The datagram a session sends for `send`, with Math.random fixed so the request id is `id`. */
function captured(version: 0 | 1, community: string, id: number, send: Send, encoded: boolean): { bytes?: Buffer; error?: unknown } {
  const session = snmp.createSession('127.0.0.1', community, { port: 9, version, idBitsSize: 32 });
  opened.push(session);
  if (encoded) preEncodeRequests(session);
  let bytes: Buffer | undefined;
  (session as unknown as { dgram: { send: (b: Buffer) => void } }).dgram.send = (b: Buffer) => (bytes = Buffer.from(b));
  vi.spyOn(Math, 'random').mockReturnValue((id + 0.5) / 100_000_000);
  let error: unknown;
  send(session, (err) => (error = err));
  vi.restoreAllMocks();
  return { bytes, error };
}

function same(version: 0 | 1, community: string, id: number, send: Send): Buffer {
  const theirs = captured(version, community, id, send, false);
  const ours = captured(version, community, id, send, true);
  expect(theirs.error).toBeUndefined();
  expect(ours.bytes?.toString('hex')).toBe(theirs.bytes?.toString('hex'));
  return ours.bytes!;
}

const arcs = [0, 1, 127, 128, 255, 16383, 16384, 2097151, 2097152, 268435455, 268435456, 4294967295];
const ids = [0, 1, 127, 128, 255, 256, 32767, 32768, 8388607, 8388608, 99999999];

describe('pre-encoded SNMP requests', () => {
  it('GET: every request id and OID arc size encodes as net-snmp encodes it', () => {
    const oids = arcs.map((a) => `1.3.6.1.4.1.${a}.0`);
    for (const id of ids) same(1, 'public', id, (s, cb) => s.get(oids, cb));
    for (const a of arcs) same(1, 'public', 42, (s, cb) => s.get([`1.3.${a}`, `0.0.${a}.1`, `2.39.${a}`], cb));
  });

  it('lengths of one, two and three bytes (small, 128-255 and 256+ byte lists and communities)', () => {
    const list = (n: number): string[] => Array.from({ length: n }, (_, i) => `1.3.6.1.2.1.33.1.${i + 1}.${i * 300}.0`);
    for (const n of [1, 5, 8, 9, 10, 30, 60, 200]) same(1, 'public', 7, (s, cb) => s.get(list(n), cb));
    for (const community of ['', 'p', 'x'.repeat(127), 'x'.repeat(128), 'y'.repeat(300), 'pübliç ✓']) {
      same(1, community, 7, (s, cb) => s.get(['1.3.6.1.2.1.1.1.0'], cb));
    }
  });

  it('GETNEXT and GETBULK (non-repeaters, max-repetitions), SNMPv1 and v2c', () => {
    const cols = ['1.3.6.1.4.1.318.1.1.26.9.4.3.1.6', '1.3.6.1.4.1.318.1.1.26.9.4.3.1.7'];
    for (const version of [0, 1] as const) same(version, 'public', 99, (s, cb) => s.getNext(cols, cb));
    for (const [nonRepeaters, reps] of [[0, 0], [0, 24], [1, 24], [0, 127], [0, 128], [2, 1000]]) {
      same(1, 'public', 12345, (s, cb) => s.getBulk(cols, nonRepeaters, reps, cb));
    }
  });

  it('reuses a cached list only for the same OIDs: a changed list is encoded afresh', () => {
    const encoder = new RequestEncoder();
    const message = (oids: string[]) => ({ version: 1, community: 'public', pdu: { type: 0xa0, id: 5, varbinds: oids.map((oid) => ({ oid })) } });
    const a = encoder.encode(message(['1.3.6.1.2.1.1.1.0', '1.3.6.1.2.1.1.2.0']))!.bytes;
    const b = encoder.encode(message(['1.3.6.1.2.1.1.1.0', '1.3.6.1.2.1.1.3.0']))!.bytes;
    const c = encoder.encode(message(['1.3.6.1.2.1.1.1.0']))!.bytes;
    expect(encoder.encode(message(['1.3.6.1.2.1.1.1.0', '1.3.6.1.2.1.1.2.0']))!.bytes.equals(a)).toBe(true);
    expect(a.equals(b)).toBe(false);
    expect(b.length - c.length).toBeGreaterThan(0);
    // Nine lists in turn: the oldest falls out of the cache and is encoded again, still the same bytes.
    for (let i = 0; i < 9; i++) encoder.encode(message([`1.3.6.1.2.1.2.${i}.0`]));
    expect(encoder.encode(message(['1.3.6.1.2.1.1.1.0', '1.3.6.1.2.1.1.2.0']))!.bytes.equals(a)).toBe(true);
  });

  it('sessions asking the same list share one encoded list; another list, or another order, gets its own', () => {
    const message = (oids: string[], id: number) => ({ version: 1, community: 'public', pdu: { type: 0xa0, id, varbinds: oids.map((oid) => ({ oid })) } });
    const oids = ['1.3.6.1.2.1.33.1.2.4.0', '1.3.6.1.2.1.33.1.4.1.0'];
    const one = new RequestEncoder().encode(message(oids, 7))!;
    const two = new RequestEncoder().encode(message([...oids], 8))!;
    expect(two.list).toBe(one.list);
    expect(one.list.oids).toEqual(oids);
    const reversed = new RequestEncoder().encode(message([...oids].reverse(), 9))!;
    expect(reversed.list).not.toBe(one.list);
    expect(reversed.list.oids).toEqual([...oids].reverse());
    // Each message is still its own request: only the list's bytes are shared.
    expect(two.bytes.equals(one.bytes)).toBe(false);
  });

  it('leaves to net-snmp what it does not cover: SET, v3, and OIDs net-snmp refuses or would mangle', () => {
    const encoder = new RequestEncoder();
    const get = (oid: string, extra: object = {}) => ({ version: 1, community: 'public', pdu: { type: 0xa0, id: 1, varbinds: [{ oid, ...extra }] }, ...extra });
    expect(encoder.encode({ ...get('1.3.6.1.2.1.1.5.0'), pdu: { type: 0xa3, id: 1, varbinds: [{ oid: '1.3.6.1.2.1.1.5.0', type: 4 }] } })).toBeUndefined();
    expect(encoder.encode({ ...get('1.3.6.1.2.1.1.5.0'), version: 3 })).toBeUndefined();
    for (const oid of ['1.3.6.x', '', '.1.3.6', '1', '2.48.1', '1.3.4294967296']) expect(encodeOid(oid)).toBeUndefined();
    // net-snmp then refuses the bad OID itself, exactly as without the encoder.
    const theirs = captured(1, 'public', 3, (s, cb) => s.get(['1.3.6.x'], cb), false);
    const ours = captured(1, 'public', 3, (s, cb) => s.get(['1.3.6.x'], cb), true);
    expect(String(ours.error)).toBe(String(theirs.error));
    expect(ours.bytes).toBeUndefined();
    // A SET still goes out as net-snmp encodes it.
    const set: Send = (s, cb) => s.set([{ oid: '1.3.6.1.2.1.1.5.0', type: snmp.ObjectType.OctetString, value: 'rack 4' }], cb);
    expect(captured(1, 'public', 3, set, true).bytes?.toString('hex')).toBe(captured(1, 'public', 3, set, false).bytes?.toString('hex'));
  });
});
