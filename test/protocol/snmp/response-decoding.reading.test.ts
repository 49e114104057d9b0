// A reader polling a simulated UPS and 24-outlet PDU through sessions with the reply decoder gets the very reading
// (identification and values) it gets through sessions where net-snmp decodes every reply, and the decoder took
// those replies. The simulator runs frozen (speed 0), so both readers see the same device.
// @module-tag peer: in-process net-snmp agents of the simulator
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openDevice } from '../../../src/device';
import * as responseDecoding from '../../../src/protocol/snmp/response-decoding';
import { ResponseDecoder } from '../../../src/protocol/snmp/response-decoding';
import { startRack, type RunningRack } from '../../../src/sim/rack';
import { parseScenario } from '../../../src/sim/scenario';
import { parseTarget } from '../../../src/url';

const decoding = vi.hoisted(() => ({ on: true }));
vi.mock('../../../src/protocol/snmp/response-decoding', async (importOriginal) => {
  const mod = await importOriginal<typeof responseDecoding>();
  return { ...mod, decodeResponses: (session: object) => (decoding.on ? mod.decodeResponses(session) : undefined) };
});

const decode = vi.spyOn(ResponseDecoder.prototype, 'decode');
const taken = (): number => decode.mock.results.filter((r) => r.type === 'return' && r.value !== undefined).length;

let rack: RunningRack;
beforeAll(async () => {
  const scenario = parseScenario(
    { name: 'reply-decoding', devices: [{ name: 'ups', profile: 'ietf-ups' }, { name: 'pdu', profile: 'apc-rpdu2', outlets: 24 }] },
    'response-decoding.reading.test.ts',
  );
  rack = await startRack(scenario, { speed: 0 });
});
afterAll(() => rack?.close());

/** Identification and two readings of the device, with or without the decoder hooked into its session. */
async function readThrough(url: string, withDecoder: boolean) {
  decoding.on = withDecoder;
  const device = openDevice(parseTarget(url));
  try {
    decode.mockClear();
    const identification = await device.reader.identify();
    const first = await device.reader.read();
    const second = await device.reader.read();
    return { identification, first, second, taken: taken() };
  } finally {
    decoding.on = true;
    await device.close();
  }
}

describe('readings through the reply decoder', () => {
  it.each(['ups', 'pdu'])('%s: the same identification and values as with net-snmp decoding, the decoder taking the replies', async (kind) => {
    const url = rack.devices.find((d) => d.kind === kind)!.url;
    const theirs = await readThrough(url, false);
    const ours = await readThrough(url, true);
    expect(theirs.taken).toBe(0);
    expect(ours.taken).toBeGreaterThan(kind === 'pdu' ? 6 : 2);
    expect(Object.keys(ours.second).length).toBeGreaterThan(kind === 'pdu' ? 50 : 15);
    expect(ours.identification).toEqual(theirs.identification);
    expect(ours.first).toEqual(theirs.first);
    expect(ours.second).toEqual(theirs.second);
  }, 60_000);
});
