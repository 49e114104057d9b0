// One serial bus, units 1-3 alive and unit 4 absent, each polled every second by its own DevicePoller through one
// shared transport: how much of their poll rate the live units keep when the dead unit is on the bus too. The dead
// unit costs a timeout per attempt, during which the bus carries nothing else; the poller's backoff makes those
// attempts rarer, so the figure is given for the whole window and for the steady state after the warm-up.
import { assembleReader } from '../device';
import { DevicePoller } from '../polling/poller';
import { findProfile } from '../profiles/load';
import type { ModbusProfile } from '../profiles/types';
import { ModbusTransport } from '../protocol/modbus/transport';
import { startFaultyRtuPeer } from './modbus-faults';

export interface DeadUnitOptions {
  /** The client's end and the devices' end of a pty pair. */
  path: string;
  peerPath: string;
  /** Measured window per phase, s (default 120). */
  seconds?: number;
  /** From the start of the dead-unit phase, when the steady state is taken to begin, s (default 60). */
  warmupSeconds?: number;
  intervalMs?: number;
  timeoutMs?: number;
}

export interface DeadUnitFigures {
  intervalMs: number;
  timeoutMs: number;
  seconds: number;
  warmupSeconds: number;
  /** Successful polls per second of each live unit, bus without the dead unit. */
  aloneRate: number[];
  /** The same with unit 4 polled too (whole window, and from the end of the warm-up). */
  withDeadRate: number[];
  withDeadSteadyRate: number[];
  /** Worst live unit: with / without the dead unit. */
  ratio: number;
  steadyRatio: number;
  deadAttempts: number;
}

async function phase(opts: DeadUnitOptions, units: number[], seconds: number, from: number): Promise<{ rates: number[]; steady: number[]; dead: number }> {
  const intervalMs = opts.intervalMs ?? 1000;
  const transport = new ModbusTransport({ kind: 'rtu', path: opts.path, baudRate: 9600, parity: 'none', stopBits: 1, dataBits: 8, timeoutMs: opts.timeoutMs ?? 1000 });
  const profile = findProfile('xy-md02') as ModbusProfile;
  const okAt = new Map<number, number[]>(units.map((u) => [u, []]));
  let dead = 0;
  const start = Date.now();
  const pollers = units.map((unit) => {
    const p = new DevicePoller(assembleReader({ protocol: 'modbus', transport, profile, unit }).reader, { name: `unit-${unit}`, address: transport.describe(), intervalMs });
    p.on('stats', (s) => {
      if (s.ok) okAt.get(unit)!.push(s.startedAt - start);
      else if (unit === 4) dead++;
    });
    p.start();
    return p;
  });
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  for (const p of pollers) await p.stop();
  await transport.close();
  const live = units.filter((u) => u !== 4);
  return {
    rates: live.map((u) => okAt.get(u)!.length / seconds),
    steady: live.map((u) => okAt.get(u)!.filter((t) => t >= from * 1000).length / (seconds - from)),
    dead,
  };
}

export async function measureDeadUnit(opts: DeadUnitOptions): Promise<DeadUnitFigures> {
  const seconds = opts.seconds ?? 120;
  const warmup = opts.warmupSeconds ?? 60;
  const peer = await startFaultyRtuPeer(opts.peerPath, new Set([1, 2, 3]), { fault: () => 'ok' });
  try {
    const alone = await phase(opts, [1, 2, 3], seconds - warmup, 0);
    const withDead = await phase(opts, [1, 2, 3, 4], seconds, warmup);
    const worst = (a: number[], b: number[]): number => Math.min(...a.map((r, i) => r / b[i]));
    const round = (n: number): number => Math.round(n * 1000) / 1000;
    return {
      intervalMs: opts.intervalMs ?? 1000,
      timeoutMs: opts.timeoutMs ?? 1000,
      seconds,
      warmupSeconds: warmup,
      aloneRate: alone.rates.map(round),
      withDeadRate: withDead.rates.map(round),
      withDeadSteadyRate: withDead.steady.map(round),
      ratio: round(worst(withDead.rates, alone.rates)),
      steadyRatio: round(worst(withDead.steady, alone.rates)),
      deadAttempts: withDead.dead,
    };
  } finally {
    await peer.close();
  }
}
