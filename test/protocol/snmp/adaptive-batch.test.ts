// A burst of tooBig replies must not degrade a device for good: simulated UPS and PDU behind a relay that refuses the
// next N requests with tooBig, read by the real reader. The request count per poll returns to the floor within a few
// polls (it used to halve on every tooBig and never grow back: 20 requests per poll for a UPS after six tooBig).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PDU, decodeMessage, encodeMessage } from '../../../src/fuzz/ber';
import { startUdpProxy, type UdpProxy } from '../../../src/fuzz/udp-proxy';
import { SnmpDeviceReader } from '../../../src/polling/snmp-reader';
import { findProfile, shippedProfiles } from '../../../src/profiles/load';
import type { SnmpProfile } from '../../../src/profiles/types';
import { AdaptiveBatch } from '../../../src/protocol/snmp/batch-size';
import { SnmpClient } from '../../../src/protocol/snmp/client';
import { SNMP_DEFAULTS } from '../../../src/protocol/snmp/target';
import { startRack, type RunningRack } from '../../../src/sim/rack';
import { parseScenario } from '../../../src/sim/scenario';

let rack: RunningRack;
const proxies = new Map<string, UdpProxy>();
/** Requests the relays still refuse with tooBig. */
let burst = 0;

beforeAll(async () => {
  const devices = [
    { name: 'ups', profile: 'ietf-ups' },
    { name: 'pdu', profile: 'apc-rpdu2', outlets: 24 },
  ];
  rack = await startRack(parseScenario({ name: 'toobig', seed: 5, devices }, 'toobig'), { speed: 0 });
  for (const d of rack.devices) {
    const url = new URL(d.url);
    const proxy = await startUdpProxy(
      { host: url.hostname, port: Number(url.port) },
      {
        intercept: (request) => {
          if (burst <= 0) return undefined;
          burst--;
          const m = decodeMessage(request);
          return [encodeMessage({ ...m, pduType: PDU.response, errorStatus: 1, errorIndex: 0 })];
        },
      },
    );
    proxies.set(d.name, proxy);
  }
});
afterAll(async () => {
  for (const p of proxies.values()) await p.close();
  await rack?.close();
});

describe.each([
  ['ups', 'ietf-ups'],
  ['pdu', 'apc-rpdu2'],
])('%s after six polls with one tooBig reply each', (name, profileId) => {
  it('needs the floor of requests per poll again within a few polls', async () => {
    const profile = findProfile(profileId, shippedProfiles()) as SnmpProfile;
    const client = new SnmpClient({ ...SNMP_DEFAULTS, host: '127.0.0.1', port: proxies.get(name)!.port, version: 2, community: 'public', timeoutMs: 1000, retries: 0 });
    const reader = new SnmpDeviceReader(client, { profile });
    const poll = async (): Promise<number> => {
      const before = reader.requestCount;
      await reader.read();
      return reader.requestCount - before;
    };
    try {
      await poll(); // identification and discovery
      const floor = await poll();
      expect(await poll()).toBe(floor);
      // Six polls in a row each get one tooBig (a busy agent), then the agent answers normally again.
      const during: number[] = [];
      for (let i = 0; i < 6; i++) {
        burst = 1;
        during.push(await poll());
        expect(burst).toBe(0);
      }
      const after: number[] = [];
      for (let i = 0; i < 8; i++) after.push(await poll());
      // Back at the floor by the fourth poll, and staying there.
      expect(after.slice(3), `floor ${floor}; during ${during.join(' ')}; after ${after.join(' ')}`).toEqual(Array(5).fill(floor));
      expect(reader.diagnostics().connection.tooBig).toBe(6);
    } finally {
      client.close();
    }
  });
});

describe('AdaptiveBatch', () => {
  it('settles just under a real limit and probes it ever less often', () => {
    const b = new AdaptiveBatch(60);
    let refusals = 0;
    const gets: number[] = [];
    for (let get = 0; get < 40; get++) {
      let pending = 40;
      let requests = 0;
      while (pending) {
        const n = Math.min(pending, b.value);
        if (n > 10) {
          refusals++;
          b.refused(n);
          continue;
        }
        b.answered(n, n < pending);
        pending -= n;
        requests++;
      }
      gets.push(requests);
    }
    expect(gets.every((r) => r === 4)).toBe(true);
    expect(b.value).toBe(10);
    expect(refusals).toBeLessThanOrEqual(10); // 40, 20, 15, 12, 11 while learning; then probes at 16, 32, 64 answers
  });

  it('grows back to the maximum once the agent answers large requests again', () => {
    const b = new AdaptiveBatch(60);
    for (const n of [60, 30, 15, 7, 3, 2]) b.refused(n);
    expect(b.value).toBe(1);
    let requests = 0;
    while (b.value < 60 && requests < 40) {
      b.answered(b.value, true);
      requests++;
    }
    expect(b.value).toBe(60);
    expect(requests).toBeLessThanOrEqual(24);
  });
});
