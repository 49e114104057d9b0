import * as snmp from 'net-snmp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeValue } from '../../src/normalize/transform';
import { findProfile } from '../../src/profiles/load';
import type { SnmpProfile } from '../../src/profiles/types';
import { startRack, type RunningRack } from '../../src/sim/rack';
import type { Scenario } from '../../src/sim/types';
import { expectNoLeaks, get, getBulk, openHandles, session, set, walk } from './helpers';

const UPS_OUTPUT_SOURCE = '1.3.6.1.2.1.33.1.4.1.0';
const UPS_MINUTES_REMAINING = '1.3.6.1.2.1.33.1.2.3.0';
const UPS_BATTERY_STATUS = '1.3.6.1.2.1.33.1.2.1.0';
const UPS_INPUT_VOLTAGE_1 = '1.3.6.1.2.1.33.1.3.3.1.3.1';
const SYS_OBJECT_ID = '1.3.6.1.2.1.1.2.0';
const SYS_UPTIME = '1.3.6.1.2.1.1.3.0';
const OUTLET_STATE = '1.3.6.1.4.1.318.1.1.26.9.2.3.1.5';
const OUTLET_CURRENT = '1.3.6.1.4.1.318.1.1.26.9.4.3.1.6';
const PDU_MODEL = '1.3.6.1.4.1.318.1.1.26.2.1.8.1';

const apcRpdu2 = findProfile('apc-rpdu2') as SnmpProfile;

const scenario: Scenario = {
  name: 'snmp-test',
  seed: 3,
  devices: [
    { name: 'ups', profile: 'ietf-ups' },
    { name: 'pdu', profile: 'apc-rpdu2', outlets: 8 },
  ],
  events: [
    { at: 10, action: 'power-cut', duration: 20 },
    { at: 40, action: 'comms-lost', device: 'ups', duration: 5 },
    { at: 50, action: 'garbage', device: 'ups', duration: 5 },
  ],
};

describe('simulated SNMP agents', () => {
  let rack: RunningRack;
  let sessions: snmp.Session[];
  let before: string[];
  const open = (name: string, options?: snmp.SessionOptions): snmp.Session => {
    const s = session(rack.devices.find((d) => d.name === name)!.url, options);
    sessions.push(s);
    return s;
  };

  beforeEach(async () => {
    before = openHandles();
    sessions = [];
    rack = await startRack(scenario, { speed: 0 });
  });

  afterEach(async () => {
    for (const s of sessions) s.close();
    await rack.close();
    await expectNoLeaks(before);
  });

  it('serves RFC 1628 scalars encoded by the profile', async () => {
    const ups = rack.model.values('ups');
    const vbs = await get(open('ups'), [UPS_OUTPUT_SOURCE, UPS_MINUTES_REMAINING, UPS_BATTERY_STATUS, UPS_INPUT_VOLTAGE_1, SYS_OBJECT_ID, SYS_UPTIME]);
    expect(vbs.map((v) => v.type)).toEqual([
      snmp.ObjectType.Integer,
      snmp.ObjectType.Integer,
      snmp.ObjectType.Integer,
      snmp.ObjectType.Integer,
      snmp.ObjectType.OID,
      snmp.ObjectType.TimeTicks,
    ]);
    expect(vbs[0].value).toBe(3); // upsOutputSource normal(3): on line
    expect(vbs[1].value).toBe(Math.round(Number(ups['battery.runtime']) / 60));
    expect(vbs[2].value).toBe(1); // no LB: the first "contributes nothing" entry
    expect(vbs[3].value).toBe(Math.round(Number(ups['input.voltage'])));
    expect(vbs[4].value).toBe('1.3.6.1.2.1.33');
    expect(vbs[5].value).toBe(Number(ups['device.uptime']) * 100);
  });

  it('follows the model: upsOutputSource goes battery(5) during the power cut and back to normal(3)', async () => {
    const s = open('ups');
    rack.model.advance(15);
    expect((await get(s, [UPS_OUTPUT_SOURCE]))[0].value).toBe(5);
    expect((await get(s, [UPS_INPUT_VOLTAGE_1]))[0].value).toBe(0);
    rack.model.advance(20);
    expect((await get(s, [UPS_OUTPUT_SOURCE]))[0].value).toBe(3);
  });

  it('walks the APC outlet state column with GETBULK: 8 rows in order', async () => {
    const vbs = await walk(open('pdu'), OUTLET_STATE, 5);
    expect(vbs.map((v) => v.oid)).toEqual(Array.from({ length: 8 }, (_, i) => `${OUTLET_STATE}.${i + 1}`));
    expect(vbs.every((v) => v.value === 2)).toBe(true); // on(2)
  });

  it('walks with GETNEXT over SNMPv1 and reflects an outlet switched off', async () => {
    rack.model.setOutlet('pdu', 4, false);
    rack.model.step(1);
    const vbs = await walk(open('pdu', { version: snmp.Version1 }), OUTLET_CURRENT);
    const pdu = rack.model.values('pdu');
    expect(vbs).toHaveLength(8);
    const current = apcRpdu2.tables!.flatMap((t) => t.columns).find((c) => c.oid === OUTLET_CURRENT)!;
    expect(vbs.map((v) => v.value)).toEqual(Array.from({ length: 8 }, (_, i) => encodeValue(pdu[`outlet.${i + 1}.current`], current)));
    expect(vbs[3].value).toBe(0);
    expect((await get(sessions[0], [`${OUTLET_STATE}.4`]))[0].value).toBe(1); // off(1)
  });

  it('answers a GETBULK across several columns and a one-row identity table', async () => {
    const s = open('pdu');
    const vbs = await getBulk(s, [OUTLET_STATE], 10);
    expect(vbs[0].oid).toBe(`${OUTLET_STATE}.1`);
    // On into the next table, in OID order: its first column the profile reads (no index column of the simulator's).
    expect(vbs[8].oid).toBe(`${OUTLET_CURRENT}.1`);
    const [model] = await get(s, [PDU_MODEL]);
    expect(model.type).toBe(snmp.ObjectType.OctetString);
    expect(String(model.value)).toBe(rack.model.values('pdu')['device.model']);
  });

  it('reports missing OIDs as noSuchObject and refuses writes as notWritable', async () => {
    const s = open('ups');
    const [missing] = await get(s, ['1.3.6.1.4.1.99999.1.0']);
    expect(missing.type).toBe(snmp.ObjectType.NoSuchObject);
    await expect(set(s, [{ oid: UPS_OUTPUT_SOURCE, type: snmp.ObjectType.Integer, value: 2 }])).rejects.toThrow(/NotWritable/);
  });

  it('ignores a wrong community: the client times out', async () => {
    const url = rack.devices.find((d) => d.name === 'ups')!.url.replace('public@', 'private@');
    const s = session(url, { timeout: 300 });
    sessions.push(s);
    await expect(get(s, [UPS_OUTPUT_SOURCE])).rejects.toThrow(/timed out/i);
  });

  it('stops answering while comms-lost, then answers again', async () => {
    const s = open('ups', { timeout: 300 });
    rack.model.advance(41);
    await expect(get(s, [UPS_OUTPUT_SOURCE])).rejects.toThrow(/timed out/i);
    // The PDU is another card: unaffected.
    expect((await get(open('pdu'), [`${OUTLET_STATE}.1`]))[0].value).toBe(2);
    rack.model.advance(5);
    expect((await get(s, [UPS_OUTPUT_SOURCE]))[0].value).toBe(3);
  });

  it('returns values of the wrong type while sending garbage', async () => {
    const s = open('ups');
    rack.model.advance(51);
    const [source, sysObjectId] = await get(s, [UPS_OUTPUT_SOURCE, SYS_OBJECT_ID]);
    expect(source.type).toBe(snmp.ObjectType.OctetString);
    expect(sysObjectId.type).toBe(snmp.ObjectType.Integer);
    rack.model.advance(5);
    expect((await get(s, [UPS_OUTPUT_SOURCE]))[0].type).toBe(snmp.ObjectType.Integer);
  });

  it('accepts an SNMPv3 user', async () => {
    await rack.close();
    const user: snmp.User = { name: 'ops', level: snmp.SecurityLevel.authPriv, authProtocol: snmp.AuthProtocols.sha, authKey: 'authpassword1', privProtocol: snmp.PrivProtocols.aes, privKey: 'privpassword1' };
    rack = await startRack(scenario, { speed: 0, user });
    const port = Number(new URL(rack.devices[0].url).port);
    const s = snmp.createV3Session('127.0.0.1', user, { port, timeout: 1000, retries: 0 });
    sessions.push(s);
    expect((await get(s, [UPS_OUTPUT_SOURCE]))[0].value).toBe(3);
  });
});

describe('simulated SNMP agents, trees of any shape', () => {
  let rack: RunningRack;
  let s: snmp.Session;
  let before: string[];

  beforeEach(async () => {
    before = openHandles();
    const shapes: Scenario = {
      name: 'shapes',
      seed: 5,
      devices: [
        { name: 'ups', profile: 'huawei-ups' },
        { name: 'px2', profile: 'raritan-px2', outlets: 3 },
        { name: 'epdu', profile: 'eaton-epdu', outlets: 3 },
      ],
      events: [],
    };
    rack = await startRack(shapes, { speed: 0 });
  });

  afterEach(async () => {
    s?.close();
    await rack.close();
    await expectNoLeaks(before);
  });

  const open = (name: string): snmp.Session => (s = session(rack.devices.find((d) => d.name === name)!.url));

  it('serves column 1 of a table entry as the profile maps it (HUAWEI-UPS-MIB L1 voltage), with nothing beside it', async () => {
    const vbs = await walk(open('ups'), '1.3.6.1.4.1.2011.6.174.1.3.100.1');
    const voltage = findProfile('huawei-ups').variables.find((v) => v.name === 'input.L1-N.voltage')!;
    expect(vbs[0].oid).toBe('1.3.6.1.4.1.2011.6.174.1.3.100.1.1.1');
    expect(vbs[0].value).toBe(encodeValue(rack.model.values('ups')['input.voltage'], voltage));
    expect(vbs.map((v) => v.oid.split('.').at(-1))).toEqual(vbs.map(() => '1')); // one row, no index column
  });

  it('walks a multi-arc index (PX2 outlet.sensorType) in OID order', async () => {
    const vbs = await walk(open('px2'), '1.3.6.1.4.1.13742.6.5.4.3.1.4.1');
    expect(vbs.map((v) => v.oid.split('.').slice(-2).join('.'))).toEqual(['1.1', '1.5', '1.8', '2.1', '2.5', '2.8', '3.1', '3.5', '3.8']);
  });

  it('takes writes only on control OIDs, also where they share a subtree with read-only ones', async () => {
    await rack.close();
    rack = await startRack({ name: 'control', seed: 5, devices: [{ name: 'pdu', profile: 'apc-rpdu2', outlets: 2 }], events: [] }, { speed: 0, control: true });
    const pdu = open('pdu');
    await expect(set(pdu, [{ oid: `${OUTLET_CURRENT}.1`, type: snmp.ObjectType.Integer, value: 5 }])).rejects.toThrow(/NotWritable/);
    await set(pdu, [{ oid: '1.3.6.1.4.1.318.1.1.26.9.2.4.1.5.2', type: snmp.ObjectType.Integer, value: 2 }]); // immediateOff
    rack.model.step(1);
    expect((await get(pdu, [`${OUTLET_STATE}.2`]))[0].value).toBe(1); // off(1)
  });

  it('answers scalars inside a table entry (EATON-EPDU unit 0 identity) and walks through them in order', async () => {
    const vbs = await walk(open('epdu'), '1.3.6.1.4.1.534.6.6.7.1.2.1');
    expect(vbs.map((v) => v.oid)).toEqual(['2', '4', '5'].map((c) => `1.3.6.1.4.1.534.6.6.7.1.2.1.${c}.0`));
    expect(String(vbs[0].value)).toBe(rack.model.values('epdu')['device.model']);
  });
});

