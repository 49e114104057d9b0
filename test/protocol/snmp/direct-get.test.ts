// A v1/v2c session's get() sends its request itself (direct-get.ts) through net-snmp's request table, timer and
// send(): retries must resend the same bytes, a silent agent must time out after the retries, and every reply net-snmp
// would refuse (wrong varbind count, wrong community, an error status, a Report) must fail exactly as net-snmp's own
// get() fails it. Each case runs once through the direct path and once through net-snmp's get() on the same kind of
// session, against a UDP peer in this process that answers as the case says.
import dgram from 'node:dgram';
import snmp from 'net-snmp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ASN1, PDU, decodeMessage, encodeMessage, type SnmpMessage } from '../../../src/fuzz/ber';
import { openSession } from '../../../src/protocol/snmp/session';
import { SNMP_DEFAULTS } from '../../../src/protocol/snmp/target';

const OIDS = ['1.3.6.1.2.1.1.1.0', '1.3.6.1.2.1.33.1.2.4.0', '1.3.6.1.2.1.33.1.4.1.0'];

/** How the peer answers the n-th datagram of a case (0-based): bytes, or nothing. */
type Answer = (request: SnmpMessage, n: number) => Buffer | undefined;

const value = { tag: ASN1.integer, value: Buffer.from([42]) };
const answer =
  (edit: Partial<SnmpMessage> = {}): Answer =>
  (req) =>
    encodeMessage({ ...req, pduType: PDU.response, varbinds: req.varbinds.map((vb) => ({ oid: vb.oid, value })), ...edit });

let peer: dgram.Socket;
let port: number;
let respond: Answer = answer();
let received: Buffer[] = [];

beforeAll(async () => {
  peer = dgram.createSocket('udp4');
  peer.on('message', (msg, rinfo) => {
    const reply = respond(decodeMessage(msg), received.length);
    received.push(msg);
    if (reply) peer.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => peer.bind(0, '127.0.0.1', resolve));
  port = peer.address().port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => peer.close(() => resolve()));
});

interface Outcome {
  error?: { name: string; message: string; code?: unknown; status?: unknown };
  /** net-snmp threw handling the reply (its handler does on a v1/v2c Report): the session guard's report. */
  crashed?: string;
  varbinds?: { oid: string; type: number; value: unknown }[];
}

/** One GET of OIDS on a fresh session, direct or through net-snmp's own get(); what it gave and the datagrams sent. */
async function getOnce(how: 'direct' | 'net-snmp', answers: Answer, retries = 0): Promise<{ outcome: Outcome; sent: Buffer[] }> {
  respond = answers;
  received = [];
  let crashed = (_err: Error): void => undefined;
  const target = { ...SNMP_DEFAULTS, host: '127.0.0.1', port, version: 2 as const, community: 'public', timeoutMs: 150, retries };
  const session = openSession(target, { malformed: () => undefined, crashed: (err) => crashed(err) });
  const get = how === 'direct' ? session.get : snmp.Session.prototype.get;
  try {
    const outcome = await new Promise<Outcome>((resolve) => {
      crashed = (err) => resolve({ crashed: err.message });
      get.call(session, OIDS, (err: (Error & { code?: unknown; status?: unknown }) | null, varbinds?: snmp.Varbind[]) =>
        resolve(
          err
            ? { error: { name: err.name, message: err.message, code: err.code, status: err.status } }
            : { varbinds: varbinds!.map((vb) => ({ oid: vb.oid, type: vb.type as number, value: vb.value })) },
        ),
      );
    });
    return { outcome, sent: received };
  } finally {
    session.close();
  }
}

describe('GETs sent directly through net-snmp', () => {
  it('takes the direct path: net-snmp get() builds nothing for a v2c GET', async () => {
    const spy = vi.spyOn(snmp.Session.prototype, 'get');
    try {
      const { outcome } = await getOnce('direct', answer());
      expect(outcome.varbinds?.map((vb) => [vb.oid, vb.value])).toEqual(OIDS.map((oid) => [oid, 42]));
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });

  it('sends the bytes net-snmp sends, and a retry resends them unchanged before the answer', async () => {
    const late: Answer = (req, n) => (n === 1 ? answer()(req, n) : undefined);
    const direct = await getOnce('direct', late, 1);
    expect(direct.sent).toHaveLength(2);
    expect(direct.sent[1]).toEqual(direct.sent[0]);
    expect(direct.outcome.varbinds).toHaveLength(OIDS.length);
    // With the same random draw, the datagram is net-snmp's byte for byte (the request id included).
    const random = vi.spyOn(Math, 'random').mockReturnValue(0.123456);
    try {
      const same = await getOnce('direct', answer());
      const own = await getOnce('net-snmp', answer());
      expect(same.sent[0].toString('hex')).toBe(own.sent[0].toString('hex'));
    } finally {
      random.mockRestore();
    }
  });

  it('a silent agent: every retry sent, then the timeout net-snmp gives', async () => {
    const silent: Answer = () => undefined;
    const direct = await getOnce('direct', silent, 2);
    expect(direct.sent).toHaveLength(3);
    expect(new Set(direct.sent.map((b) => b.toString('hex'))).size).toBe(1);
    expect(direct.outcome.error?.name).toBe('RequestTimedOutError');
    expect(direct.outcome).toEqual((await getOnce('net-snmp', silent, 2)).outcome);
  });

  const refused: [string, Answer][] = [
    ['fewer varbinds than asked', (req) => answer({ varbinds: req.varbinds.slice(1).map((vb) => ({ oid: vb.oid, value })) })(req, 0)],
    ['more varbinds than asked', (req) => answer({ varbinds: [...req.varbinds, req.varbinds[0]].map((vb) => ({ oid: vb.oid, value })) })(req, 0)],
    ['another community (declined by the decoder, refused by net-snmp)', answer({ community: Buffer.from('private') })],
    ['an error status (tooBig)', answer({ errorStatus: 1, errorIndex: 0 })],
    ['an error status naming a varbind (noSuchName at 2)', answer({ errorStatus: 2, errorIndex: 2 })],
    ['a Report PDU', answer({ pduType: PDU.report })],
  ];
  for (const [what, reply] of refused) {
    it(`${what}: the error net-snmp's get() gives`, async () => {
      const direct = await getOnce('direct', reply);
      expect(direct.outcome.error ?? direct.outcome.crashed).toBeDefined();
      expect(direct.outcome).toEqual((await getOnce('net-snmp', reply)).outcome);
    });
  }

  it('what the encoder leaves to net-snmp (an OID it would mangle) goes through net-snmp get()', async () => {
    const spy = vi.spyOn(snmp.Session.prototype, 'get');
    const session = openSession({ ...SNMP_DEFAULTS, host: '127.0.0.1', port, version: 2, community: 'public', timeoutMs: 150, retries: 0 });
    respond = answer();
    try {
      await new Promise<void>((resolve) => session.get(['1.3.6.1.2.1.1.1.4294967296'], () => resolve()));
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
      session.close();
    }
  });
});
