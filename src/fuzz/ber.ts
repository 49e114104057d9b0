// Just enough BER to take an SNMP v1/v2c message apart and put it back together with one thing changed: the fuzz
// proxy and the regression tests build hostile replies from real ones with it. Not a decoder the engine relies on.

export interface Tlv {
  tag: number;
  value: Buffer;
}

/** The TLVs laid end to end in `buf`; throws on a length that runs past the end. */
export function readTlvs(buf: Buffer): Tlv[] {
  const out: Tlv[] = [];
  let off = 0;
  while (off < buf.length) {
    const tag = buf[off++];
    let len = buf[off++];
    if (len === undefined) throw new Error('truncated TLV header');
    if (len & 0x80) {
      const n = len & 0x7f;
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + buf[off++];
    }
    if (off + len > buf.length) throw new Error('TLV length past the end');
    out.push({ tag, value: buf.subarray(off, off + len) });
    off += len;
  }
  return out;
}

export function encodeTlv(tag: number, value: Buffer): Buffer {
  if (value.length < 0x80) return Buffer.concat([Buffer.from([tag, value.length]), value]);
  const bytes: number[] = [];
  for (let n = value.length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Buffer.concat([Buffer.from([tag, 0x80 | bytes.length, ...bytes]), value]);
}

export const encodeAll = (tlvs: Tlv[]): Buffer => Buffer.concat(tlvs.map((t) => encodeTlv(t.tag, t.value)));

/** A two's complement INTEGER's content octets. */
export function intContent(n: number): Buffer {
  const bytes: number[] = [];
  let v = BigInt(n);
  do {
    bytes.unshift(Number(v & 0xffn));
    v >>= 8n;
  } while (!((v === 0n && (bytes[0] & 0x80) === 0) || (v === -1n && (bytes[0] & 0x80) !== 0)));
  return Buffer.from(bytes);
}

export const PDU = { get: 0xa0, getNext: 0xa1, response: 0xa2, set: 0xa3, getBulk: 0xa5, report: 0xa8 } as const;
export const ASN1 = {
  boolean: 0x01, integer: 0x02, bitString: 0x03, octetString: 0x04, null: 0x05, oid: 0x06, ipAddress: 0x40,
  counter: 0x41, gauge: 0x42, timeTicks: 0x43, opaque: 0x44, counter64: 0x46, noSuchObject: 0x80,
  noSuchInstance: 0x81, endOfMibView: 0x82,
} as const;

export interface Varbind {
  /** The OID TLV as sent (content octets). */
  oid: Buffer;
  value: Tlv;
}

export interface SnmpMessage {
  version: number;
  community: Buffer;
  pduType: number;
  requestId: Buffer;
  /** error-status (non-repeaters in a GETBULK) */
  errorStatus: number;
  /** error-index (max-repetitions in a GETBULK) */
  errorIndex: number;
  varbinds: Varbind[];
}

const uint = (b: Buffer): number => [...b].reduce((n, x) => n * 256 + x, 0);

/** A v1/v2c message; throws when it is not one (v3, or not BER). */
export function decodeMessage(buf: Buffer): SnmpMessage {
  const [message] = readTlvs(buf);
  if (message?.tag !== 0x30) throw new Error('not an SNMP message');
  const [version, community, pdu] = readTlvs(message.value);
  if (!pdu || version.tag !== ASN1.integer || community.tag !== ASN1.octetString) throw new Error('not a v1/v2c message');
  const [reqId, status, index, list] = readTlvs(pdu.value);
  if (!list) throw new Error('PDU without varbind list');
  const varbinds = readTlvs(list.value).map((vb) => {
    const [oid, value] = readTlvs(vb.value);
    if (!value) throw new Error('varbind without value');
    return { oid: oid.value, value };
  });
  return {
    version: uint(version.value),
    community: community.value,
    pduType: pdu.tag,
    requestId: reqId.value,
    errorStatus: uint(status.value),
    errorIndex: uint(index.value),
    varbinds,
  };
}

export function encodeMessage(m: SnmpMessage): Buffer {
  const list = encodeTlv(0x30, Buffer.concat(m.varbinds.map((vb) => encodeTlv(0x30, encodeAll([{ tag: ASN1.oid, value: vb.oid }, vb.value])))));
  const pdu = encodeTlv(
    m.pduType,
    Buffer.concat([encodeTlv(ASN1.integer, m.requestId), encodeTlv(ASN1.integer, intContent(m.errorStatus)), encodeTlv(ASN1.integer, intContent(m.errorIndex)), list]),
  );
  return encodeTlv(0x30, Buffer.concat([encodeTlv(ASN1.integer, intContent(m.version)), encodeTlv(ASN1.octetString, m.community), pdu]));
}

/** Dotted OID text of an OID TLV's content. */
export function oidText(content: Buffer): string {
  const arcs: number[] = [];
  let n = 0;
  for (const b of content) {
    n = n * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      if (!arcs.length) arcs.push(n < 80 ? Math.floor(n / 40) : 2, n < 80 ? n % 40 : n - 80);
      else arcs.push(n);
      n = 0;
    }
  }
  return arcs.join('.');
}
