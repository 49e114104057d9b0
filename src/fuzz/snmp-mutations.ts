// What a hostile network does to SNMP replies, one mutation per reply, chosen by a seeded PRNG so a run replays.
import type { Random } from '../sim/random';
import { ASN1, PDU, decodeMessage, encodeMessage, intContent, type SnmpMessage, type Tlv } from './ber';

export type SnmpMutation =
  | 'bitFlip' | 'truncate' | 'wrongLength' | 'wrongType' | 'wrongId' | 'pduType' | 'tooBig' | 'errorStatus'
  | 'garbage' | 'duplicate' | 'drop' | 'fewerVarbinds' | 'moreVarbinds' | 'wrongVersion' | 'wrongCommunity';

/** Relative frequency: the ones that cost a timeout (drop, wrongId) are rarer, so a run spends its time on replies. */
const WEIGHTS: [SnmpMutation, number][] = [
  ['bitFlip', 10], ['truncate', 8], ['wrongLength', 8], ['wrongType', 20], ['wrongId', 2], ['pduType', 6],
  ['tooBig', 6], ['errorStatus', 6], ['garbage', 6], ['duplicate', 4], ['drop', 2], ['fewerVarbinds', 5],
  ['moreVarbinds', 4], ['wrongVersion', 2], ['wrongCommunity', 2],
];
const TOTAL = WEIGHTS.reduce((n, [, w]) => n + w, 0);

export function pickMutation(rng: Random): SnmpMutation {
  let r = rng.next() * TOTAL;
  for (const [m, w] of WEIGHTS) if ((r -= w) < 0) return m;
  return 'garbage';
}

const bytes = (rng: Random, n: number): Buffer => Buffer.from(Array.from({ length: n }, () => rng.int(256)));

/** A value no profile variable should publish as it is: every ASN.1 type, odd sizes and odd contents. */
function hostileValue(rng: Random): Tlv {
  const choices: (() => Tlv)[] = [
    () => ({ tag: ASN1.null, value: Buffer.alloc(0) }),
    () => ({ tag: ASN1.boolean, value: Buffer.from([rng.int(2) ? 0xff : 0]) }),
    () => ({ tag: ASN1.bitString, value: bytes(rng, 1 + rng.int(4)) }),
    () => ({ tag: ASN1.opaque, value: bytes(rng, rng.int(8)) }),
    () => ({ tag: ASN1.octetString, value: bytes(rng, rng.int(12)) }),
    () => ({ tag: ASN1.octetString, value: Buffer.from(String(rng.between(-1e6, 1e6).toFixed(rng.int(3)))) }),
    () => ({ tag: ASN1.octetString, value: Buffer.from(['', ' ', 'n/a', '0x1F', 'NaN', 'Infinity', '1e309', '-'][rng.int(8)]) }),
    () => ({ tag: ASN1.oid, value: Buffer.from([0x2b, 6, 1, rng.int(128)]) }),
    () => ({ tag: ASN1.ipAddress, value: bytes(rng, 4) }),
    () => ({ tag: ASN1.noSuchObject, value: Buffer.alloc(0) }),
    () => ({ tag: ASN1.noSuchInstance, value: Buffer.alloc(0) }),
    () => ({ tag: ASN1.endOfMibView, value: Buffer.alloc(0) }),
    () => ({ tag: ASN1.integer, value: intContent([0x7fffffff, -0x80000000, -1, 65535, 6553, 0][rng.int(6)]) }),
    () => ({ tag: ASN1.integer, value: bytes(rng, rng.int(10)) }),
    () => ({ tag: [ASN1.gauge, ASN1.counter, ASN1.timeTicks][rng.int(3)], value: bytes(rng, 1 + rng.int(6)) }),
    () => ({ tag: ASN1.counter64, value: bytes(rng, 1 + rng.int(9)) }),
    () => ({ tag: 0x47 + rng.int(0x30), value: bytes(rng, rng.int(4)) }),
  ];
  return choices[rng.int(choices.length)]();
}

/** Edits the decoded reply; falls back to garbage when the reply does not even decode. */
function edit(reply: Buffer, rng: Random, change: (m: SnmpMessage) => void): Buffer {
  let m: SnmpMessage;
  try {
    m = decodeMessage(reply);
  } catch {
    return bytes(rng, 1 + rng.int(64));
  }
  change(m);
  return encodeMessage(m);
}

/** The datagrams the client gets instead of `reply`. */
export function mutate(reply: Buffer, mutation: SnmpMutation, rng: Random): Buffer[] {
  switch (mutation) {
    case 'bitFlip': {
      const out = Buffer.from(reply);
      for (let i = 0, n = 1 + rng.int(3); i < n; i++) out[rng.int(out.length)] ^= 1 << rng.int(8);
      return [out];
    }
    case 'truncate':
      return [reply.subarray(0, rng.int(reply.length))];
    case 'wrongLength': {
      const out = Buffer.from(reply);
      out[1 + rng.int(Math.min(out.length - 1, 48))] = rng.int(256);
      return [out];
    }
    case 'wrongType':
      return [
        edit(reply, rng, (m) => {
          for (let i = 0, n = 1 + rng.int(Math.max(1, m.varbinds.length)); i < n && m.varbinds.length; i++) {
            m.varbinds[rng.int(m.varbinds.length)].value = hostileValue(rng);
          }
        }),
      ];
    case 'wrongId':
      return [edit(reply, rng, (m) => (m.requestId = intContent(rng.int(0x7fffffff))))];
    case 'pduType':
      return [edit(reply, rng, (m) => (m.pduType = [PDU.report, PDU.get, PDU.set, 0xa4, 0xa6, 0xa7, 0xa9, 0xbf, 0x30][rng.int(9)]))];
    case 'tooBig':
      return [edit(reply, rng, (m) => ((m.errorStatus = 1), (m.errorIndex = 0)))];
    case 'errorStatus':
      return [edit(reply, rng, (m) => ((m.errorStatus = 1 + rng.int(20)), (m.errorIndex = rng.int(m.varbinds.length + 3))))];
    case 'garbage':
      return [bytes(rng, 1 + rng.int(200))];
    case 'duplicate':
      return [reply, reply];
    case 'drop':
      return [];
    case 'fewerVarbinds':
      return [edit(reply, rng, (m) => m.varbinds.splice(rng.int(Math.max(1, m.varbinds.length)), 1 + rng.int(3)))];
    case 'moreVarbinds':
      return [edit(reply, rng, (m) => m.varbinds.push({ oid: Buffer.from([0x2b, 6, 1, 2, 1, 1, 1 + rng.int(9), 0]), value: hostileValue(rng) }))];
    case 'wrongVersion':
      return [edit(reply, rng, (m) => (m.version = [0, 1, 3, 7][rng.int(4)]))];
    case 'wrongCommunity':
      return [edit(reply, rng, (m) => (m.community = bytes(rng, rng.int(10))))];
  }
}
