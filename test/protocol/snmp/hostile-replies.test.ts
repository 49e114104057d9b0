// Replies no agent should send, byte for byte, to the real SnmpClient over loopback: none may crash the process or
// surface as a misleading timeout. Each case keeps the exact bytes that broke net-snmp 3.29 (its message handler
// throws on a v1/v2c Report PDU; its decoder's errors were swallowed), so a net-snmp upgrade is checked too.
import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RackpowerError } from '../../../src/errors';
import { ASN1, PDU, decodeMessage, encodeMessage, type SnmpMessage } from '../../../src/fuzz/ber';
import { SnmpClient } from '../../../src/protocol/snmp/client';
import { SNMP_DEFAULTS } from '../../../src/protocol/snmp/target';

const SYS_DESCR = '1.3.6.1.2.1.1.1.0';

/** What the fake agent answers to a request: a function of the request (its id must match to reach the handler). */
type Reply = (request: SnmpMessage) => Buffer;

const ok: Reply = (req) =>
  encodeMessage({ ...req, pduType: PDU.response, varbinds: req.varbinds.map((vb) => ({ oid: vb.oid, value: { tag: ASN1.octetString, value: Buffer.from('ok') } })) });

/** v2c, community "public", a PDU of `type` carrying the request's id, error 0/0, one varbind sysDescr = `value`. */
function crafted(type: number, value: Buffer): Reply {
  return (req) =>
    Buffer.concat([
      Buffer.from([0x30, 35 + req.requestId.length + value.length, 0x02, 0x01, 0x01, 0x04, 0x06]),
      Buffer.from('public'),
      Buffer.from([type, 22 + req.requestId.length + value.length, 0x02, req.requestId.length]),
      req.requestId,
      Buffer.from([0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 12 + value.length, 0x30, 10 + value.length]),
      Buffer.from([0x06, 0x08, 0x2b, 0x06, 0x01, 0x02, 0x01, 0x01, 0x01, 0x00]),
      value,
    ]);
}

let socket: dgram.Socket;
let port: number;
let reply: Reply = ok;
const uncaught: unknown[] = [];
const onUncaught = (err: unknown): void => void uncaught.push(err);

beforeAll(async () => {
  process.on('uncaughtException', onUncaught);
  socket = dgram.createSocket('udp4');
  socket.on('message', (msg, rinfo) => socket.send(reply(decodeMessage(msg)), rinfo.port, rinfo.address));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  port = socket.address().port;
});

afterAll(async () => {
  process.off('uncaughtException', onUncaught);
  await new Promise<void>((resolve) => socket.close(() => resolve()));
});

function client(): SnmpClient {
  return new SnmpClient({ ...SNMP_DEFAULTS, host: '127.0.0.1', port, version: 2, community: 'public', timeoutMs: 400, retries: 0 });
}

async function failure(c: SnmpClient): Promise<RackpowerError> {
  const err = await c.get([SYS_DESCR]).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(RackpowerError);
  return err as RackpowerError;
}

describe('SnmpClient against hostile replies', () => {
  it('the crafted template is a well-formed message (checked with a normal Response PDU)', async () => {
    reply = crafted(PDU.response, Buffer.from([0x04, 0x02, 0x6f, 0x6b]));
    const c = client();
    expect((await c.get([SYS_DESCR])).get(SYS_DESCR)?.value).toBe('ok');
    c.close();
  });

  it('a v1/v2c Report PDU with the right request id: PROTOCOL at once, no uncaught exception, next request fine', async () => {
    // 30 LL 02 01 01 04 06 "public" a8 LL 02 LL <id> 02 01 00 02 01 00 30 0e 30 0c 06 08 2b06010201010100 05 00
    reply = crafted(PDU.report, Buffer.from([0x05, 0x00]));
    const c = client();
    const started = Date.now();
    const err = await failure(c);
    expect(err.code).toBe('PROTOCOL');
    expect(err.message).toMatch(/^malformed reply from snmp:\/\/127\.0\.0\.1:\d+: .*msgAuthoritativeEngineID/u);
    expect(Date.now() - started).toBeLessThan(400); // failed by the reply, not left to a timeout
    expect(uncaught).toEqual([]);
    reply = ok;
    expect((await c.get([SYS_DESCR])).get(SYS_DESCR)?.value).toBe('ok');
    c.close();
  });

  it('an INTEGER longer than the datagram: PROTOCOL naming the decoder error, not a timeout', async () => {
    reply = crafted(PDU.response, Buffer.from([0x02, 0x04, 0x00]));
    const c = client();
    const err = await failure(c);
    expect(err.code).toBe('PROTOCOL');
    expect(err.message).toMatch(/^malformed reply from snmp:\/\/127\.0\.0\.1:\d+: Value read as integer null is not an integer$/u);
    reply = ok;
    expect((await c.get([SYS_DESCR])).get(SYS_DESCR)?.value).toBe('ok');
    c.close();
  });

  it('an INTEGER with no content octets: PROTOCOL, not a timeout', async () => {
    reply = crafted(PDU.response, Buffer.from([0x02, 0x00]));
    const c = client();
    const err = await failure(c);
    expect(err.code).toBe('PROTOCOL');
    expect(err.message).toMatch(/^malformed reply from snmp:\/\/127\.0\.0\.1:\d+: Zero-length integer$/u);
    reply = ok;
    expect((await c.get([SYS_DESCR])).get(SYS_DESCR)?.value).toBe('ok');
    c.close();
  });

  it('an unknown PDU type (0xa9): PROTOCOL naming it, not a timeout', async () => {
    reply = crafted(0xa9, Buffer.from([0x05, 0x00]));
    const c = client();
    const err = await failure(c);
    expect(err.code).toBe('PROTOCOL');
    expect(err.message).toMatch(/malformed reply from .*Unknown PDU type '169'/u);
    c.close();
  });

  it('an OCTET STRING longer than the datagram: a malformed value, never a TypeError out of the client', async () => {
    reply = crafted(PDU.response, Buffer.from([0x04, 0x05, 0x41]));
    const c = client();
    const got = await c.get([SYS_DESCR]).then((r) => r, (e: unknown) => e);
    expect(got).toBeInstanceOf(Map);
    expect((got as Map<string, unknown>).get(SYS_DESCR)).toEqual({ value: '', numeric: false, type: 'malformed' });
    c.close();
  });

  it('the exact bytes of the Report case', () => {
    const bytes = crafted(PDU.report, Buffer.from([0x05, 0x00]))({ requestId: Buffer.from([0x12, 0x34]) } as SnmpMessage);
    expect(bytes.toString('hex')).toBe('3027020101040670756' + '26c6963a81a02021234020100020100300e300c06082b060102010101000500');
    expect(decodeMessage(bytes).pduType).toBe(PDU.report);
    expect(uncaught).toEqual([]);
  });
});
