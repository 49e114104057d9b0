// The Modbus half of the fuzz harness: a misbehaving Modbus TCP server and a serial peer on a pty pair play one fault
// per request (modbus-faults.ts) while the real transport reads through them, with a real ModbusDeviceReader sharing
// the link. Each request names its fault to the peer by its address, so the referee knows what must happen: harmless
// faults (slow, split) succeed with the request's own registers, every other fault fails that request only, and no
// register set is ever attributed to the wrong request.
import { assembleReader } from '../device';
import { RackpowerError } from '../errors';
import { findProfile } from '../profiles/load';
import type { ModbusProfile } from '../profiles/types';
import { ModbusTransport, type ModbusTransportConfig } from '../protocol/modbus/transport';
import { Random } from '../sim/random';
import { CrashWatch, badValues, finishRun, within } from './check';
import { HARMLESS, TRAILING, registersFor, startFaultyRtuPeer, startFaultyTcpServer, type FaultPlan, type FaultyPeer, type ModbusFault } from './modbus-faults';

export const TCP_FAULTS: ModbusFault[] = [
  'slow', 'split', 'late', 'silence', 'garbage', 'short', 'wrongTid', 'wrongUnit', 'wrongFunction', 'wrongByteCount',
  'wrongProtocol', 'exception', 'closeMidFrame', 'extraBytes', 'duplicate',
];
export const RTU_FAULTS: ModbusFault[] = [
  'slow', 'split', 'late', 'silence', 'garbage', 'short', 'wrongUnit', 'wrongFunction', 'wrongByteCount', 'exception',
  'extraBytes', 'duplicate', 'badCrc',
];

/**
 * A serial late reply comes this long after the request's timeout, well inside the late-reply guard: a serial frame
 * has no transaction id, so only the guard keeps it from answering the next request (later ones cannot be told apart).
 */
const RTU_LATE_AFTER_TIMEOUT_MS = 50;
const RTU_GUARD_MS = 250;

export interface ModbusFuzzOptions {
  seed: number;
  /** Faulty replies to play before stopping. */
  faults: number;
  kind: 'tcp' | 'rtu';
  /** RTU: the client's end of a pty pair whose other end is `peerPath`. */
  path?: string;
  peerPath?: string;
  /** Share of requests answered with a fault (default 0.6). */
  rate?: number;
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface ModbusFuzzFigures {
  kind: 'tcp' | 'rtu';
  seed: number;
  faults: number;
  byFault: Partial<Record<ModbusFault, number>>;
  requests: number;
  /** Requests that succeeded with exactly their own registers. */
  correct: number;
  /** Requests whose fault must fail them that failed (each with a RackpowerError). */
  refused: number;
  /** A fault that must fail the request was accepted as register data. */
  acceptedBadFrames: number;
  /** Registers that were not the request's own. */
  mismatchedRegisterSets: number;
  /** Requests answered correctly by the peer that failed anyway (a fault spilling onto the next request). */
  collateralFailures: number;
  foreignErrors: number;
  hungRequests: number;
  readerPolls: number;
  readerBadValues: number;
  uncaughtExceptions: number;
  unhandledRejections: number;
  /** From a failed request to the next good one, ms. */
  recoveryMs: { median: number; p99: number; max: number };
  transportFaults: Record<string, number>;
  rssStartMb: number;
  rssEndMb: number;
  durationS: number;
}

export async function fuzzModbus(opts: ModbusFuzzOptions): Promise<ModbusFuzzFigures> {
  const started = Date.now();
  const rng = new Random(opts.seed);
  const rate = opts.rate ?? 0.6;
  const timeoutMs = opts.timeoutMs ?? (opts.kind === 'tcp' ? 150 : 300);
  const log = opts.log ?? (() => undefined);
  const list = opts.kind === 'tcp' ? TCP_FAULTS : RTU_FAULTS;
  const watch = new CrashWatch().start();
  /** unit:fn:address:count → the fault that request is to get. */
  const planned = new Map<string, ModbusFault>();
  const key = (unit: number, fn: number, address: number, count: number): string => `${unit}:${fn}:${address}:${count}`;
  const plan: FaultPlan = {
    fault: (req) => planned.get(key(req.unit, req.fn, req.address, req.count)) ?? 'ok',
    delayMs: 5,
    // TCP: long after the timeout (the connection is gone by then). RTU: inside the transport's late-reply guard.
    lateMs: opts.kind === 'tcp' ? timeoutMs * 2 : timeoutMs + RTU_LATE_AFTER_TIMEOUT_MS,
    random: () => rng.next(),
  };
  const figures: ModbusFuzzFigures = {
    kind: opts.kind, seed: opts.seed, faults: 0, byFault: {}, requests: 0, correct: 0, refused: 0, acceptedBadFrames: 0,
    mismatchedRegisterSets: 0, collateralFailures: 0, foreignErrors: 0, hungRequests: 0, readerPolls: 0, readerBadValues: 0,
    uncaughtExceptions: 0, unhandledRejections: 0, recoveryMs: { median: 0, p99: 0, max: 0 }, transportFaults: {},
    rssStartMb: 0, rssEndMb: 0, durationS: 0,
  };
  let peer: FaultyPeer | undefined;
  let transport: ModbusTransport | undefined;
  const recoveries: number[] = [];
  try {
    let config: ModbusTransportConfig;
    if (opts.kind === 'tcp') {
      peer = await startFaultyTcpServer(plan);
      config = { kind: 'tcp', host: '127.0.0.1', port: peer.port, timeoutMs };
    } else {
      peer = await startFaultyRtuPeer(opts.peerPath!, new Set([1, 2, 3]), plan);
      config = { kind: 'rtu', path: opts.path!, baudRate: 38400, parity: 'none', stopBits: 1, dataBits: 8, timeoutMs, lateReplyGuardMs: RTU_GUARD_MS };
    }
    transport = new ModbusTransport(config);
    const { reader } = assembleReader({ protocol: 'modbus', transport, profile: findProfile('eastron-sdm120') as ModbusProfile, unit: 3 });
    figures.rssStartMb = process.memoryUsage().rss / 1e6;
    let failedAt = 0;
    let seq = 0;
    while (figures.faults < opts.faults) {
      // Now and then a whole device read shares the link (its registers are never faulted): it must not suffer.
      if (seq % 25 === 24) {
        figures.readerPolls++;
        const got = await within(reader.read(), timeoutMs * 40 + 2000);
        if (got === 'hung') figures.hungRequests++;
        else if (got.ok) figures.readerBadValues += badValues(got.value).length;
        else {
          figures.collateralFailures++;
          log(`device read failed: ${String(got.error)}`);
        }
      }
      seq++;
      const unit = 1 + rng.int(3);
      const fn = rng.int(2) ? 3 : 4;
      const count = 1 + rng.int(20);
      // Addresses from 1000 up, one per request: the reader's registers (below 1000) are never faulted.
      const address = 1000 + (seq % 60000);
      const fault: ModbusFault = rng.next() < rate ? list[rng.int(list.length)] : 'ok';
      planned.set(key(unit, fn, address, count), fault);
      if (fault !== 'ok') {
        figures.faults++;
        figures.byFault[fault] = (figures.byFault[fault] ?? 0) + 1;
      }
      figures.requests++;
      const got = await within(transport.read(unit, fn, address, count), timeoutMs * 3 + 2000);
      planned.delete(key(unit, fn, address, count));
      const mustSucceed = fault === 'ok' || HARMLESS.has(fault) || TRAILING.has(fault);
      if (got === 'hung') {
        figures.hungRequests++;
        log(`hung request under ${fault}`);
        continue;
      }
      if (got.ok) {
        const want = registersFor(unit, address, count);
        if (got.value.length !== want.length || got.value.some((r, i) => r !== want[i])) {
          figures.mismatchedRegisterSets++;
          log(`mismatched registers under ${fault}`);
        } else if (!mustSucceed) {
          figures.acceptedBadFrames++;
          log(`accepted a ${fault} frame`);
        } else figures.correct++;
        if (failedAt) recoveries.push(Date.now() - failedAt);
        failedAt = 0;
        continue;
      }
      failedAt ||= Date.now();
      if (!(got.error instanceof RackpowerError)) {
        figures.foreignErrors++;
        log(`foreign error under ${fault}: ${String(got.error)}`);
      } else if (mustSucceed) {
        figures.collateralFailures++;
        log(`request with fault ${fault} failed: ${got.error.message}`);
      } else figures.refused++;
    }
    global.gc?.();
    figures.rssEndMb = process.memoryUsage().rss / 1e6;
    figures.transportFaults = transport.faults();
  } finally {
    await transport?.close();
    await peer?.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    watch.stop();
  }
  finishRun(figures, recoveries, watch, started, log);
  return figures;
}
