// Hostile notifications at the trap receiver: a valid v2c trap mutated the way the fuzz harness mutates replies
// (wrong types, lengths, PDU types, garbage ...). None may end the process; each is a trap or a 'rejected' report, and
// a valid trap sent afterwards still arrives.
import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASN1, encodeMessage, intContent } from '../../src/fuzz/ber';
import { CrashWatch } from '../../src/fuzz/check';
import { mutate, pickMutation } from '../../src/fuzz/snmp-mutations';
import { Random } from '../../src/sim/random';
import { TrapReceiver } from '../../src/traps/receiver';

const oid = (text: string): Buffer => {
  const arcs = text.split('.').map(Number);
  const out = [arcs[0] * 40 + arcs[1]];
  for (const a of arcs.slice(2)) {
    const bytes = [a & 0x7f];
    for (let v = a >> 7; v > 0; v >>= 7) bytes.unshift((v & 0x7f) | 0x80);
    out.push(...bytes);
  }
  return Buffer.from(out);
};

/** A v2c trap: sysUpTime, snmpTrapOID = upsTrapOnBattery, upsEstimatedMinutesRemaining. */
function trap(id: number): Buffer {
  return encodeMessage({
    version: 1, community: Buffer.from('public'), pduType: 0xa7, requestId: intContent(id), errorStatus: 0, errorIndex: 0,
    varbinds: [
      { oid: oid('1.3.6.1.2.1.1.3.0'), value: { tag: ASN1.timeTicks, value: intContent(12345) } },
      { oid: oid('1.3.6.1.6.3.1.1.4.1.0'), value: { tag: ASN1.oid, value: oid('1.3.6.1.2.1.33.2.1') } },
      { oid: oid('1.3.6.1.2.1.33.1.2.3.0'), value: { tag: ASN1.integer, value: intContent(42) } },
    ],
  });
}

let receiver: TrapReceiver;
let sender: dgram.Socket;
let port: number;
const traps: unknown[] = [];
const rejected: unknown[] = [];

beforeAll(async () => {
  receiver = new TrapReceiver({ host: '127.0.0.1', port: 0, communities: ['public'] });
  receiver.on('trap', (t) => traps.push(t));
  receiver.on('rejected', (e) => rejected.push(e));
  ({ port } = await receiver.start());
  sender = dgram.createSocket('udp4');
});
afterAll(async () => {
  await receiver?.close();
  await new Promise<void>((r) => sender.close(() => r()));
});

const send = (b: Buffer): Promise<void> => new Promise((resolve) => sender.send(b, port, '127.0.0.1', () => resolve()));

describe('trap receiver against hostile notifications', () => {
  it('1500 mutated traps: no uncaught exception, a valid trap still arrives', async () => {
    const watch = new CrashWatch().start();
    const rng = new Random(42);
    try {
      for (let i = 0; i < 1500; i++) {
        for (const d of mutate(trap(i + 1), pickMutation(rng), rng)) await send(d);
        if (i % 50 === 0) await new Promise((r) => setTimeout(r, 5));
      }
      await new Promise((r) => setTimeout(r, 100));
      const before = traps.length;
      await send(trap(99999));
      const end = Date.now() + 3000;
      while (traps.length === before && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
      expect(traps.length).toBe(before + 1);
    } finally {
      watch.stop();
    }
    expect(watch.samples).toEqual([]);
    expect(watch.uncaught).toBe(0);
    expect(rejected.length).toBeGreaterThan(0);
  }, 60_000);

  it('a trap whose handling throws is reported as rejected; the process lives and the next trap arrives', async () => {
    const watch = new CrashWatch().start();
    let calls = 0;
    const explode = (): void => {
      calls++;
      throw new Error('handler failed');
    };
    receiver.once('trap', explode);
    const before = { traps: traps.length, rejected: rejected.length };
    try {
      await send(trap(7));
      await send(trap(8));
      const end = Date.now() + 3000;
      while (traps.length < before.traps + 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    } finally {
      watch.stop();
    }
    expect(calls).toBe(1);
    expect(watch.uncaught).toBe(0);
    expect(rejected.length).toBe(before.rejected + 1);
    expect(String(rejected[rejected.length - 1])).toMatch(/trap rejected: handler failed/u);
    expect(traps.length).toBe(before.traps + 2);
  });
});
