// The short, seeded run of the SNMP fuzz harness (npm run fuzz does the long one): simulated UPS, PDU and sensor
// behind mutating relays, read by the real reader and a real poller. Nothing may crash, hang, or publish a value of
// the wrong type or outside plausible limits; every device must come back once the faults stop.
// @module-tag slow: a seeded fuzz campaign (about 35 s)
import { describe, expect, it } from 'vitest';
import { fuzzSnmp } from '../../src/fuzz/snmp-fuzz';

describe('SNMP fuzz, short seeded run', () => {
  it('500 mutated replies: 0 crashes, 0 hung polls, 0 bad values, every failure a RackpowerError', async () => {
    const lines: string[] = [];
    const f = await fuzzSnmp({ seed: 20261204, replies: 500, timeoutMs: 200, log: (l) => lines.push(l) });
    expect(lines, lines.join('\n')).toEqual([]);
    expect(f.mutatedReplies).toBe(500);
    expect(Object.keys(f.byMutation).length).toBeGreaterThanOrEqual(12); // the mix reached (almost) every mutation
    expect(f).toMatchObject({ uncaughtExceptions: 0, unhandledRejections: 0, hungPolls: 0, badValues: 0, foreignErrors: 0 });
    expect(f.pollsOk).toBeGreaterThan(0);
    expect(f.failures.PROTOCOL).toBeGreaterThan(0);
  }, 180_000);
});
