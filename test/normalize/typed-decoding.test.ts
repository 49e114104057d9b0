// Typed decoding through the real reader: a simulated RFC 1628 UPS behind a relay that rewrites one varbind's type,
// as real agents do (Null for "not available", Boolean, BitString, Opaque, numbers as text). Wrong types are left out
// and counted in the reader's diagnostics, numeric text still parses, impossible values are left out, ups.status is
// never "".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASN1, decodeMessage, encodeMessage, intContent, oidText, type Tlv } from '../../src/fuzz/ber';
import { startUdpProxy, type UdpProxy } from '../../src/fuzz/udp-proxy';
import { decodeAnswer, Absent } from '../../src/normalize/value-class';
import { SnmpDeviceReader } from '../../src/polling/snmp-reader';
import { findProfile, shippedProfiles } from '../../src/profiles/load';
import type { SnmpProfile } from '../../src/profiles/types';
import { SnmpClient } from '../../src/protocol/snmp/client';
import { SNMP_DEFAULTS } from '../../src/protocol/snmp/target';
import { startRack, type RunningRack } from '../../src/sim/rack';
import { parseScenario } from '../../src/sim/scenario';

const CHARGE = '1.3.6.1.2.1.33.1.2.4.0';
const RUNTIME = '1.3.6.1.2.1.33.1.2.3.0';
const FREQUENCY = '1.3.6.1.2.1.33.1.4.2.0';
const OUTPUT_SOURCE = '1.3.6.1.2.1.33.1.4.1.0';
const BATTERY_STATUS = '1.3.6.1.2.1.33.1.2.1.0';

let rack: RunningRack;
let proxy: UdpProxy;
const profile = findProfile('ietf-ups', shippedProfiles()) as SnmpProfile;

/** Replies carry these values instead of the agent's for these OIDs. */
function rewrite(values: Record<string, Tlv>): void {
  proxy.plan = {
    reply: (buf) => {
      const m = decodeMessage(buf);
      m.varbinds = m.varbinds.map((vb) => ({ oid: vb.oid, value: values[oidText(vb.oid)] ?? vb.value }));
      return [encodeMessage(m)];
    },
  };
}

const text = (s: string): Tlv => ({ tag: ASN1.octetString, value: Buffer.from(s) });
const int = (n: number): Tlv => ({ tag: ASN1.integer, value: intContent(n) });
const empty = (tag: number): Tlv => ({ tag, value: Buffer.alloc(0) });

beforeAll(async () => {
  rack = await startRack(parseScenario({ name: 'typed', seed: 3, devices: [{ name: 'ups', profile: 'ietf-ups' }] }, 'typed'), { speed: 0 });
  const url = new URL(rack.devices[0].url);
  proxy = await startUdpProxy({ host: url.hostname, port: Number(url.port) });
});
afterAll(async () => {
  await proxy?.close();
  await rack?.close();
});

/** One reading with `values` rewritten; with `learnFirst` the reader first learns the device as it really is. */
async function readWith(values: Record<string, Tlv>, learnFirst = false) {
  rewrite(learnFirst ? {} : values);
  const client = new SnmpClient({ ...SNMP_DEFAULTS, host: '127.0.0.1', port: proxy.port, version: 2, community: 'public', timeoutMs: 1000, retries: 0 });
  const reader = new SnmpDeviceReader(client, { profile });
  try {
    if (learnFirst) {
      await reader.read();
      rewrite(values);
    }
    const reading = await reader.read();
    return { values: reading, diagnostics: reader.diagnostics() };
  } finally {
    client.close();
  }
}

describe('typed decoding through the reader', () => {
  it('reads the unmodified UPS (the oracle for the cases below)', async () => {
    const { values, diagnostics } = await readWith({});
    expect(values['battery.charge']).toBe(rack.model.values('ups')['battery.charge']);
    expect(typeof values['battery.runtime']).toBe('number');
    expect(values['ups.status']).toMatch(/OL/u);
    expect(diagnostics.lastAbsent['battery.charge']).toBeUndefined();
  });

  it.each([
    ['Null', empty(ASN1.null), 'null'],
    ['Boolean', { tag: ASN1.boolean, value: Buffer.from([0xff]) }, 'boolean'],
    ['BitString', { tag: ASN1.bitString, value: Buffer.from([0x00, 0xff]) }, 'bitString'],
    ['Opaque', { tag: ASN1.opaque, value: Buffer.from([0x9f, 0x78, 0x04, 0x42, 0x28, 0, 0]) }, 'opaque'],
    ['text that is not a number', text('n/a'), 'notANumber'],
    ['an OID', { tag: ASN1.oid, value: Buffer.from([0x2b, 0x06, 0x01]) }, 'wrongType'],
  ])('battery.charge as %s is absent and counted, never a number', async (_what, value, reason) => {
    const { values, diagnostics } = await readWith({ [CHARGE]: value, [RUNTIME]: value });
    expect(values['battery.charge']).toBeUndefined();
    expect(values['battery.runtime']).toBeUndefined();
    expect(values['output.frequency']).toBeDefined(); // the rest of the reading stands
    expect(diagnostics.lastAbsent).toMatchObject({ 'battery.charge': reason, 'battery.runtime': reason });
    expect(diagnostics.absent[reason as keyof typeof diagnostics.absent]).toBeGreaterThanOrEqual(2);
  });

  it.each([
    ['noSuchInstance', ASN1.noSuchInstance],
    ['noSuchObject', ASN1.noSuchObject],
  ])('a value that answered before and now says %s is absent and counted', async (reason, tag) => {
    const { values, diagnostics } = await readWith({ [CHARGE]: empty(tag) }, true);
    expect(values['battery.charge']).toBeUndefined();
    expect(diagnostics.lastAbsent).toEqual({ 'battery.charge': reason });
    expect(diagnostics.polls).toBe(2);
  });

  it('numbers sent as text still parse', async () => {
    const { values } = await readWith({ [CHARGE]: text(' 87 '), [FREQUENCY]: text('499') });
    expect(values['battery.charge']).toBe(87);
    expect(values['output.frequency']).toBe(49.9);
  });

  it('physically impossible values are left out and counted', async () => {
    const { values, diagnostics } = await readWith({ [CHARGE]: int(6553), [FREQUENCY]: int(65535), [RUNTIME]: int(65535) });
    expect(values['battery.charge']).toBeUndefined();
    expect(values['output.frequency']).toBeUndefined();
    expect(values['battery.runtime']).toBeUndefined(); // 65535 minutes: 45 days
    expect(diagnostics.lastAbsent).toMatchObject({ 'battery.charge': 'implausible', 'output.frequency': 'implausible', 'battery.runtime': 'implausible' });
    expect(diagnostics.absent.implausible).toBe(3);
  });

  it('ups.status is never "": sources that give no token leave it out', async () => {
    // upsOutputSource Null, upsBatteryStatus normal(2): neither adds a token.
    const { values, diagnostics } = await readWith({ [OUTPUT_SOURCE]: empty(ASN1.null), [BATTERY_STATUS]: int(2) });
    expect(values['ups.status']).toBeUndefined();
    expect('ups.status' in values).toBe(false);
    expect(diagnostics.lastAbsent['ups.status']).toBeDefined();
  });
});

describe('decodeAnswer', () => {
  const reason = (v: unknown) => (v instanceof Absent ? v.reason : v);
  it('takes each type only where it fits', () => {
    expect(reason(decodeAnswer('battery.charge', {}, { value: 50, numeric: true, type: 'gauge' }))).toBe(50);
    expect(reason(decodeAnswer('battery.charge', {}, { value: '50.5', numeric: false, type: 'octetString' }))).toBe(50.5);
    expect(reason(decodeAnswer('battery.charge', {}, { value: '0x32', numeric: false, type: 'octetString' }))).toBe('notANumber');
    expect(reason(decodeAnswer('battery.charge', {}, { value: '', numeric: false, type: 'octetString' }))).toBe('empty');
    expect(reason(decodeAnswer('battery.charge', {}, { value: '', numeric: false, type: 'null' }))).toBe('null');
    expect(reason(decodeAnswer('device.model', {}, { value: 'Smart-UPS', numeric: false, type: 'octetString' }))).toBe('Smart-UPS');
    expect(reason(decodeAnswer('device.model', {}, { value: '', numeric: false, type: 'null' }))).toBe('null');
    expect(reason(decodeAnswer('ups.firmware', {}, { value: 12, numeric: true, type: 'integer' }))).toBe('12');
    const status = { enum: { '1': 'OL', '2': 'OB', '3': '' } };
    expect(reason(decodeAnswer('ups.status', status, { value: 2, numeric: true, type: 'integer' }))).toBe('OB');
    expect(reason(decodeAnswer('ups.status', status, { value: '2', numeric: false, type: 'octetString' }))).toBe('OB');
    expect(reason(decodeAnswer('ups.status', status, { value: 3, numeric: true, type: 'integer' }))).toBe('empty');
    expect(reason(decodeAnswer('ups.status', status, { value: 9, numeric: true, type: 'integer' }))).toBe('unknownEnum');
    expect(reason(decodeAnswer('ups.status', status, { value: '', numeric: false, type: 'boolean' }))).toBe('boolean');
    expect(reason(decodeAnswer('battery.charge', { negativeInvalid: true }, { value: -1, numeric: true, type: 'integer' }))).toBe('sentinel');
    expect(reason(decodeAnswer('battery.current', { scale: 0.1 }, { value: -125, numeric: true, type: 'integer' }))).toBe(-12.5);
    expect(reason(decodeAnswer('ambient.1.temperature', {}, { value: 2000, numeric: true, type: 'integer' }))).toBe('implausible');
  });
});
