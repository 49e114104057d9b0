// The SNMP half of the fuzz harness: simulated devices behind mutating relays, read by the real reader (and one
// real poller) until the relays have mutated the asked number of replies. Every poll must settle in time, fail with
// a RackpowerError or publish only well-typed, plausible values; the process must see no uncaught exception.
import { assembleReader } from '../device';
import { RackpowerError } from '../errors';
import { DevicePoller } from '../polling/poller';
import { findProfile, shippedProfiles } from '../profiles/load';
import type { SnmpProfile } from '../profiles/types';
import { SnmpClient } from '../protocol/snmp/client';
import { SNMP_DEFAULTS } from '../protocol/snmp/target';
import { Random } from '../sim/random';
import { startRack } from '../sim/rack';
import { parseScenario } from '../sim/scenario';
import { CrashWatch, badValues, finishRun, within } from './check';
import { mutate, pickMutation, type SnmpMutation } from './snmp-mutations';
import { startUdpProxy, type UdpProxy } from './udp-proxy';

export interface SnmpFuzzOptions {
  seed: number;
  /** Mutated replies to deliver before stopping. */
  replies: number;
  /** Share of replies mutated (default 0.5: the rest let devices recover between faults). */
  rate?: number;
  timeoutMs?: number;
  /** Detail of the first bad values and crashes, for the report. */
  log?: (line: string) => void;
}

export interface SnmpFuzzFigures {
  seed: number;
  mutatedReplies: number;
  byMutation: Partial<Record<SnmpMutation, number>>;
  polls: number;
  pollsOk: number;
  pollsFailed: number;
  /** Failures by RackpowerError code. */
  failures: Record<string, number>;
  /** Polls that failed with something other than a RackpowerError. */
  foreignErrors: number;
  hungPolls: number;
  uncaughtExceptions: number;
  unhandledRejections: number;
  /** Values published with the wrong type or outside plausible limits (readings and poller messages). */
  badValues: number;
  /** Readings the poller emitted (it ran beside the readers on its own client). */
  pollerReadings: number;
  /** From a failed poll to the next good one of the same device, ms. */
  recoveryMs: { median: number; p99: number; max: number };
  rssStartMb: number;
  rssEndMb: number;
  durationS: number;
}

export async function fuzzSnmp(opts: SnmpFuzzOptions): Promise<SnmpFuzzFigures> {
  const started = Date.now();
  const rng = new Random(opts.seed);
  const rate = opts.rate ?? 0.5;
  const timeoutMs = opts.timeoutMs ?? 250;
  const log = opts.log ?? (() => undefined);
  const watch = new CrashWatch().start();
  const devices = [
    { name: 'ups', profile: 'ietf-ups' },
    { name: 'pdu', profile: 'apc-rpdu2', outlets: 8 },
    { name: 'sensor', profile: 'entity-sensor' },
  ];
  const rack = await startRack(parseScenario({ name: 'fuzz', seed: opts.seed, devices }, 'fuzz'), { speed: 0 });
  const figures: SnmpFuzzFigures = {
    seed: opts.seed, mutatedReplies: 0, byMutation: {}, polls: 0, pollsOk: 0, pollsFailed: 0, failures: {},
    foreignErrors: 0, hungPolls: 0, uncaughtExceptions: 0, unhandledRejections: 0, badValues: 0, pollerReadings: 0,
    recoveryMs: { median: 0, p99: 0, max: 0 }, rssStartMb: 0, rssEndMb: 0, durationS: 0,
  };
  const proxies: UdpProxy[] = [];
  const clients: SnmpClient[] = [];
  const recoveries: number[] = [];
  let poller: DevicePoller | undefined;
  const check = (values: Record<string, number | string>, where: string): void => {
    const bad = badValues(values);
    figures.badValues += bad.length;
    if (bad.length) log(`bad values from ${where}: ${bad.join(', ')}`);
  };
  try {
    // Shipped only: the fuzz reads the shipped demo rack, and a user's RACKPOWER_PROFILES must not change what it covers.
    const snmpProfiles = shippedProfiles().filter((p): p is SnmpProfile => p.protocol === 'snmp');
    const readers = [];
    for (const [i, d] of rack.devices.entries()) {
      const url = new URL(d.url);
      const proxy = await startUdpProxy({ host: url.hostname, port: Number(url.port) }, {
        reply: (reply) => {
          if (figures.mutatedReplies >= opts.replies || rng.next() >= rate) return [reply];
          const m = pickMutation(rng);
          figures.mutatedReplies++;
          figures.byMutation[m] = (figures.byMutation[m] ?? 0) + 1;
          return mutate(reply, m, rng);
        },
      });
      proxies.push(proxy);
      const target = { ...SNMP_DEFAULTS, host: proxy.host, port: proxy.port, version: 2 as const, community: 'public', timeoutMs, retries: 0 };
      const client = new SnmpClient(target);
      clients.push(client);
      // The first device is detected at each identification (detection through a hostile link), the others are named.
      const profile = i === 0 ? undefined : (findProfile(devices[i].profile, snmpProfiles) as SnmpProfile);
      readers.push({ name: d.name, reader: assembleReader({ protocol: 'snmp', client, profile, candidates: snmpProfiles }).reader, failedAt: 0 });
      if (i === 0) {
        const pollerClient = new SnmpClient(target);
        clients.push(pollerClient);
        poller = new DevicePoller(assembleReader({ protocol: 'snmp', client: pollerClient, candidates: snmpProfiles }).reader, { name: 'fuzz-poller', address: d.url, intervalMs: 50, confirmPolls: 2 });
        poller.on('reading', (r) => {
          figures.pollerReadings++;
          check(r.values, 'the poller');
        });
        poller.on('stats', (s) => {
          if (s.durationMs > timeoutMs * 4 + 2000) figures.hungPolls++;
        });
        poller.start();
      }
    }
    figures.rssStartMb = process.memoryUsage().rss / 1e6;
    const hungAfter = timeoutMs * 8 + 2000;
    while (figures.mutatedReplies < opts.replies) {
      for (const r of readers) {
        figures.polls++;
        const outcome = await within(r.reader.read(), hungAfter);
        if (outcome === 'hung') {
          figures.hungPolls++;
          log(`hung poll of ${r.name}`);
          continue;
        }
        if (outcome.ok) {
          figures.pollsOk++;
          check(outcome.value, r.name);
          if (r.failedAt) recoveries.push(Date.now() - r.failedAt);
          r.failedAt = 0;
          continue;
        }
        figures.pollsFailed++;
        r.failedAt ||= Date.now();
        if (outcome.error instanceof RackpowerError) {
          figures.failures[outcome.error.code] = (figures.failures[outcome.error.code] ?? 0) + 1;
        } else {
          figures.foreignErrors++;
          log(`foreign error from ${r.name}: ${String(outcome.error)}`);
        }
      }
    }
    // A last clean poll of each: every device must come back once the faults stop.
    for (const r of readers) {
      const outcome = await within(r.reader.read(), hungAfter);
      if (outcome !== 'hung' && outcome.ok) {
        if (r.failedAt) recoveries.push(Date.now() - r.failedAt);
        check(outcome.value, r.name);
      } else {
        figures.hungPolls += outcome === 'hung' ? 1 : 0;
        log(`${r.name} did not recover once the faults stopped`);
        figures.foreignErrors++;
      }
    }
    global.gc?.();
    figures.rssEndMb = process.memoryUsage().rss / 1e6;
  } finally {
    await poller?.stop();
    for (const c of clients) c.close();
    for (const p of proxies) await p.close();
    await rack.close();
    // Give late datagrams and timers a moment to surface anything they would throw.
    await new Promise((resolve) => setTimeout(resolve, 50));
    watch.stop();
  }
  finishRun(figures, recoveries, watch, started, log);
  return figures;
}
