// The Modbus transport resynchronizes after any fault and attributes a reply only to the request it answers. A raw
// misbehaving peer (src/fuzz/modbus-faults.ts) plays one fault per request; correct replies carry registers that name
// their request, so a reply given to the wrong request shows. Regression tests for what wedged or fooled the
// modbus-serial based transport: one bad frame timed out every later request on the connection, frames of the wrong
// unit or function were taken as register data, and a late frame could answer a newer request.
// @module-tag peer: socat
import { afterEach, describe, expect, it } from 'vitest';
import { RackpowerError } from '../../../src/errors';
import { registersFor, startFaultyRtuPeer, startFaultyTcpServer, type FaultyPeer, type ModbusFault } from '../../../src/fuzz/modbus-faults';
import { ModbusTransport } from '../../../src/protocol/modbus/transport';
import { startPtyPair } from '../../harness/pty';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A peer that plays `faults` in order, one per request, then answers correctly. */
function script(faults: ModbusFault[], lateMs = 450, delayMs = 30) {
  const queue = [...faults];
  return { fault: () => queue.shift() ?? 'ok', lateMs, delayMs };
}

async function tcp(faults: ModbusFault[]): Promise<{ peer: FaultyPeer; transport: ModbusTransport }> {
  const peer = await startFaultyTcpServer(script(faults));
  cleanups.push(() => peer.close());
  const transport = new ModbusTransport({ kind: 'tcp', host: '127.0.0.1', port: peer.port, timeoutMs: 300 });
  cleanups.push(() => transport.close());
  return { peer, transport };
}

async function outcome(p: Promise<number[]>): Promise<number[] | string> {
  return p.then(
    (r) => r,
    (e: unknown) => {
      expect(e).toBeInstanceOf(RackpowerError);
      return `${(e as RackpowerError).code}: ${(e as RackpowerError).message.replace(/^.* unit \d+: /u, '')}`;
    },
  );
}

describe('Modbus TCP: one bad frame costs at most the request it hit', () => {
  it.each<[ModbusFault, RegExp]>([
    ['garbage', /^(PROTOCOL|TIMEOUT): /u],
    ['short', /^TIMEOUT: no answer within 300 ms$/u],
    ['wrongTid', /^PROTOCOL: transaction id \d+ where 1 was expected$/u],
    ['wrongUnit', /^PROTOCOL: unit 3 answered a request to unit 2$/u],
    ['wrongFunction', /^PROTOCOL: function code 3 in the reply to a function 4 request$/u],
    ['wrongByteCount', /^PROTOCOL: byte count 6 where 4 was asked for$/u],
    ['wrongProtocol', /^PROTOCOL: protocol id 1 \(not Modbus\)$/u],
    ['closeMidFrame', /^UNREACHABLE: /u],
    ['silence', /^TIMEOUT: no answer within 300 ms$/u],
  ])('%s: that request fails precisely, the next ones read their own registers', async (fault, reason) => {
    const { transport } = await tcp([fault]);
    expect(await outcome(transport.read(2, 4, 10, 2))).toMatch(reason);
    expect(await transport.read(2, 4, 20, 2)).toEqual(registersFor(2, 20, 2));
    expect(await transport.read(5, 3, 7, 3)).toEqual(registersFor(5, 7, 3));
  });

  it('an exception reply is refused with its name, never read as registers', async () => {
    const { transport } = await tcp(['exception']);
    expect(await outcome(transport.read(2, 4, 10, 2))).toMatch(/^PROTOCOL: Modbus exception \d+: /u);
    expect(await transport.read(2, 4, 10, 2)).toEqual(registersFor(2, 10, 2));
  });

  it('a reply split over two segments is reassembled', async () => {
    const { transport } = await tcp(['split', 'slow']);
    expect(await transport.read(1, 3, 0, 5)).toEqual(registersFor(1, 0, 5));
    expect(await transport.read(1, 3, 5, 1)).toEqual(registersFor(1, 5, 1));
  });

  it('a late reply is discarded, never taken as the answer to the next request', async () => {
    const { peer, transport } = await tcp(['late']);
    expect(await outcome(transport.read(1, 4, 100, 2))).toMatch(/^TIMEOUT/u);
    // The same shape of request, asked while the late reply is on its way: it must get its own registers.
    const next = await transport.read(1, 4, 200, 2);
    expect(next).toEqual(registersFor(1, 200, 2));
    await new Promise((r) => setTimeout(r, 300));
    expect(await transport.read(1, 4, 300, 2)).toEqual(registersFor(1, 300, 2));
    expect(peer.seen.map((s) => s.req.address)).toEqual([100, 200, 300]);
  });

  it('bytes after a good reply (a duplicate) do not answer the next request', async () => {
    const { transport } = await tcp(['duplicate', 'extraBytes']);
    expect(await transport.read(1, 4, 1, 1)).toEqual(registersFor(1, 1, 1));
    expect(await transport.read(1, 4, 2, 1)).toEqual(registersFor(1, 2, 1));
    expect(await transport.read(1, 4, 3, 1)).toEqual(registersFor(1, 3, 1));
    expect(transport.faults().resyncs).toBe(2);
  });
});

describe('Modbus RTU: a flushed bus, the inter-frame gap, late frames discarded', () => {
  async function rtu(units: number[], faults: ModbusFault[], lateMs?: number, delayMs?: number, guardMs?: number) {
    const pty = await startPtyPair();
    cleanups.push(() => pty.close());
    const peer = await startFaultyRtuPeer(pty.a, new Set(units), script(faults, lateMs, delayMs));
    cleanups.push(() => peer.close());
    const transport = new ModbusTransport({ kind: 'rtu', path: pty.b, baudRate: 9600, parity: 'none', stopBits: 1, dataBits: 8, timeoutMs: 300, lateReplyGuardMs: guardMs });
    cleanups.push(() => transport.close());
    return { peer, transport };
  }

  it.each<[ModbusFault, RegExp]>([
    ['badCrc', /^PROTOCOL: CRC error$/u],
    ['wrongUnit', /^PROTOCOL: unit 2 answered a request to unit 1$/u],
    ['garbage', /^(PROTOCOL|TIMEOUT): /u],
    ['short', /^TIMEOUT: /u],
    ['exception', /^PROTOCOL: Modbus exception/u],
  ])('%s: that request fails, the next reads its own registers', async (fault, reason) => {
    const { transport } = await rtu([1, 2], [fault]);
    expect(await outcome(transport.read(1, 4, 0, 2))).toMatch(reason);
    expect(await transport.read(2, 4, 5, 2)).toEqual(registersFor(2, 5, 2));
    expect(await transport.read(1, 3, 9, 1)).toEqual(registersFor(1, 9, 1));
  });

  it('a late frame in the guard time after a timeout is discarded, not matched to the next request to the same unit', async () => {
    // The late reply comes 150 ms after the timeout, inside a 400 ms guard; the next request (same unit, function and
    // size) is answered slowly, so without the guard the late frame would arrive while it waits and pass for its answer.
    const { transport } = await rtu([1], ['late', 'slow'], 450, 150, 400);
    expect(await outcome(transport.read(1, 4, 10, 2))).toMatch(/^TIMEOUT/u);
    expect(await transport.read(1, 4, 20, 2)).toEqual(registersFor(1, 20, 2));
    expect(await transport.read(1, 4, 30, 2)).toEqual(registersFor(1, 30, 2));
    expect(transport.faults().strayBytes).toBe(9);
  });
});
