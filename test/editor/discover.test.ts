// nodes/lib/discover.ts without Node-RED: what POST /rackpower/discover accepts and refuses, and real probes of the
// simulated rack (SNMP UPS and PDU, Modbus sensor and meter, an SNMPv3 agent) including each failure the dialog
// explains, the deadline, and that the probe's connection is closed (or given back) afterwards.
import snmp from 'net-snmp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadRequest, discover, parseDiscoverRequest, preview, type Deployed, type DiscoverPlan } from '../../nodes/lib/discover';
import type { ModbusLinkDef, SnmpAgentDef } from '../../nodes/lib/connections';
import { SharedResource } from '../../src/polling/shared';
import { ModbusTransport } from '../../src/protocol/modbus/transport';
import { startRack, type RunningRack } from '../../src/sim/rack';
import { loadScenario } from '../../src/sim/scenario';
import { freeTcpPort, freeUdpPort } from '../harness/ports';
import { leftOpen, openHandles } from '../nodes/harness';

const none: Deployed = { snmp: () => undefined, modbus: () => undefined };
const agent = (port: number | string, extra: object = {}) => ({
  host: '127.0.0.1', port, version: '2c', timeout: 1000, retries: 0, user: '', authProtocol: 'sha', privProtocol: 'aes', ...extra,
});
const snmpBody = (port: number | string, extra: object = {}, ep: object = {}) => ({ kind: 'ups', protocol: 'snmp', profile: 'auto', agent: agent(port, ep), ...extra });
const link = (port: number | string, extra: object = {}) => ({ mode: 'tcp', host: '127.0.0.1', port, timeout: 1000, delay: '', ...extra });
const modbusBody = (port: number | string, extra: object = {}, c: object = {}) => ({
  kind: 'sensor', protocol: 'modbus', profile: 'xy-md02', unit: '1', link: link(port, c), ...extra,
});

function refused(body: unknown, deployed: Deployed = none): string {
  try {
    parseDiscoverRequest(body, deployed);
  } catch (err) {
    if (err instanceof BadRequest) return err.message;
    throw err;
  }
  throw new Error('accepted');
}

describe('parseDiscoverRequest refuses what is not a probe request', () => {
  it.each([
    ['no body', undefined, /request body/],
    ['an array', [], /request body/],
    ['an unknown kind', snmpBody(161, { kind: 'toaster' }), /^kind/],
    ['an unknown protocol', snmpBody(161, { protocol: 'bacnet' }), /^protocol/],
    ['no agent', { kind: 'ups', protocol: 'snmp', profile: 'auto' }, /^agent must be/],
    ['a host with a space', snmpBody(161, {}, { host: 'ups 1' }), /agent.host/],
    ['a host with a scheme', snmpBody(161, {}, { host: 'http://10.0.0.5' }), /agent.host/],
    ['an impossible address', snmpBody(161, {}, { host: '300.1.1.1' }), /agent.host/],
    ['an empty host', snmpBody(161, {}, { host: '' }), /agent.host/],
    ['port 0', snmpBody(0), /agent.port/],
    ['port 70000', snmpBody(70000), /agent.port/],
    ['a port with letters', snmpBody('16a'), /agent.port/],
    ['SNMP version 4', snmpBody(161, {}, { version: '4' }), /agent.version/],
    ['a timeout of a day', snmpBody(161, {}, { timeout: 86400000 }), /agent.timeout/],
    ['an unknown auth protocol', snmpBody(161, {}, { version: '3', user: 'ops', authProtocol: 'rot13' }), /authProtocol/],
    ['SNMPv3 without a user', snmpBody(161, {}, { version: '3', user: '' }), /user name/],
    ['SNMPv3 privacy without authentication', snmpBody(161, {}, { version: '3', user: 'ops', authProtocol: 'none', credentials: { privKey: 'p'.repeat(8) } }), /authentication/],
    ['a credential that is not text', snmpBody(161, {}, { credentials: { community: 42 } }), /community must be text/],
    ['a config node id with a slash', snmpBody(161, {}, { id: '../etc' }), /not a node id/],
    ['an unknown profile', snmpBody(161, { profile: 'no-such-ups' }), /known profile id/],
    ['a path as the profile', snmpBody(161, { profile: '../../package' }), /known profile id/],
    ['a Modbus profile over SNMP', snmpBody(161, { profile: 'xy-md02' }), /is for modbus/],
    ['a PDU profile for a UPS node', snmpBody(161, { profile: 'apc-rpdu2' }), /for a pdu, not a ups/],
    ['Modbus with profile auto', modbusBody(502, { profile: 'auto' }), /no detection/],
    ['unit id 248', modbusBody(502, { unit: 248 }), /^unit/],
    ['unit id -1', modbusBody(502, { unit: '-1' }), /^unit/],
    ['a unit id with letters', modbusBody(502, { unit: '1a' }), /^unit/],
    ['an unknown Modbus mode', modbusBody(502, {}, { mode: 'udp' }), /link.mode/],
    ['a Modbus host that is not one', modbusBody(502, {}, { host: 'a_b!' }), /link.host/],
    ['a serial port that is not one', modbusBody(502, {}, { mode: 'rtu', serialPath: 'ttyUSB0; rm -rf /' }), /serialPath/],
    ['an unsupported baud rate', modbusBody(502, {}, { mode: 'rtu', serialPath: '/dev/ttyUSB0', baudRate: 12 }), /baudRate/],
    ['odd parity spelled wrong', modbusBody(502, {}, { mode: 'rtu', serialPath: '/dev/ttyUSB0', parity: 'uneven' }), /parity/],
  ])('%s', (_what, body, reason) => {
    expect(refused(body)).toMatch(reason);
  });
});

describe('parseDiscoverRequest accepts the dialog’s settings', () => {
  const deployedEndpoint = (host: string): Deployed => ({
    snmp: (id) => (id === 'ep1' ? { settings: agent(161, { host }) as unknown as SnmpAgentDef, credentials: { community: 'stored' } } : undefined),
    modbus: () => undefined,
  });
  const community = (plan: DiscoverPlan) => (plan.protocol === 'snmp' ? plan.target.community : undefined);

  it('builds the SNMP target, IPv6 and host names included', () => {
    const plan = parseDiscoverRequest(snmpBody('16161', {}, { credentials: { community: 'typed' } }), none);
    expect(plan).toMatchObject({ protocol: 'snmp', kind: 'ups', profile: 'auto', target: { host: '127.0.0.1', port: 16161, version: 2, community: 'typed' } });
    expect(parseDiscoverRequest(snmpBody(161, {}, { host: '[fd00::5]' }), none)).toMatchObject({ target: { host: 'fd00::5' } });
    expect(parseDiscoverRequest(snmpBody(161, {}, { host: 'ups-1.example.net' }), none)).toMatchObject({ target: { host: 'ups-1.example.net' } });
  });

  it('uses a deployed node’s stored secret when the editor does not hold it, typed secrets first', () => {
    const stored = deployedEndpoint('127.0.0.1');
    expect(community(parseDiscoverRequest(snmpBody(161, {}, { id: 'ep1' }), stored))).toBe('stored');
    expect(community(parseDiscoverRequest(snmpBody(161, {}, { id: 'ep1', credentials: { community: '__PWRD__' } }), stored))).toBe('stored');
    expect(community(parseDiscoverRequest(snmpBody(161, {}, { id: 'ep1', credentials: { community: 'typed' } }), stored))).toBe('typed');
    // A config node not deployed yet: nothing stored, the SNMP default.
    expect(community(parseDiscoverRequest(snmpBody(161, {}, { id: 'new1' }), stored))).toBe('public');
  });

  it('sends a stored secret only to the host and port it was stored for', () => {
    const reason = refused(snmpBody(161, {}, { id: 'ep1', host: '10.9.9.9' }), deployedEndpoint('127.0.0.1'));
    expect(reason).toMatch(/stored community .* only sent to 127\.0\.0\.1:161: type it again to probe 10\.9\.9\.9:161/);
    expect(refused(snmpBody(16199, {}, { id: 'ep1' }), deployedEndpoint('127.0.0.1'))).toMatch(/only sent to 127\.0\.0\.1:161: type it again to probe 127\.0\.0\.1:16199/);
    // The same agent written differently is the same agent: a blank port is 161, a port may come as text.
    expect(community(parseDiscoverRequest(snmpBody('', {}, { id: 'ep1' }), deployedEndpoint('127.0.0.1')))).toBe('stored');
    expect(community(parseDiscoverRequest(snmpBody('161', {}, { id: 'ep1' }), deployedEndpoint('127.0.0.1')))).toBe('stored');
  });

  it('borrows a deployed Modbus connection with the same settings, and only then', () => {
    const shared = new SharedResource(() => new ModbusTransport({ kind: 'tcp', host: '127.0.0.1', port: 1502 }), (t) => t.close());
    const deployed: Deployed = {
      snmp: () => undefined,
      modbus: (id) => (id === 'mb1' ? { settings: link(1502) as unknown as ModbusLinkDef, connection: shared } : undefined),
    };
    expect(parseDiscoverRequest(modbusBody(1502, {}, { id: 'mb1' }), deployed)).toMatchObject({ unit: 1, shared });
    expect(parseDiscoverRequest(modbusBody(1503, {}, { id: 'mb1' }), deployed)).toMatchObject({ shared: undefined });
    expect(shared.userCount).toBe(0);
  });
});

describe('preview', () => {
  it('shows the kind’s key readings with units, then other numbers', () => {
    expect(preview('ups', { 'ups.status': 'OL', 'battery.charge': 100, 'input.voltage': 230, 'device.model': 'X' })).toEqual([
      { name: 'ups.status', value: 'OL', unit: '' },
      { name: 'battery.charge', value: 100, unit: '%' },
      { name: 'input.voltage', value: 230, unit: 'V' },
    ]);
    expect(preview('sensor', { 'ambient.1.temperature': 23.5, 'ambient.1.humidity': 41 }).map((p) => p.unit)).toEqual(['°C', '%']);
    expect(preview('meter', { 'x.a': 1, 'x.b': 2 }).map((p) => p.name)).toEqual(['x.a', 'x.b']);
  });
});

describe('discover against the simulated rack', () => {
  let rack: RunningRack;
  let v3: RunningRack;
  const port = (r: RunningRack, name: string): number => Number(new URL(r.devices.find((d) => d.name === name)!.url).port);
  const v3User = { name: 'ops', level: snmp.SecurityLevel.authPriv, authProtocol: snmp.AuthProtocols.sha, authKey: 'authsecret1', privProtocol: snmp.PrivProtocols.aes, privKey: 'privsecret1' };

  beforeAll(async () => {
    rack = await startRack(loadScenario('demo'), { speed: 0 });
    v3 = await startRack(loadScenario('demo'), { speed: 0, community: 'not-public', user: v3User as snmp.User });
  });
  afterAll(async () => {
    await rack?.close();
    await v3?.close();
  });
  const plan = (body: object): DiscoverPlan => parseDiscoverRequest(body, none);

  it('detects the UPS and shows identity and readings', async () => {
    const r = await discover(plan(snmpBody(port(rack, 'ups'))));
    expect(r.device).toMatchObject({ profile: 'ietf-ups', kind: 'ups', vendor: expect.any(String), model: expect.any(String), address: `snmp://127.0.0.1:${port(rack, 'ups')}` });
    expect(r.preview.map((p) => p.name)).toEqual(expect.arrayContaining(['ups.status', 'battery.charge', 'input.voltage']));
    expect(r.variables).toContain('battery.runtime');
  });

  it('reads the PDU with a chosen profile', async () => {
    const r = await discover(plan(snmpBody(port(rack, 'pdu'), { kind: 'pdu', profile: 'apc-rpdu2' })));
    expect(r.device.profile).toBe('apc-rpdu2');
    expect(r.preview).toContainEqual({ name: 'outlet.count', value: 8, unit: '' });
    expect(r.variables).toContain('outlet.8.current');
  });

  it('reads the Modbus sensor and meter behind one gateway by unit id', async () => {
    const sensor = await discover(plan(modbusBody(port(rack, 'sensor'))));
    expect(sensor.device).toMatchObject({ profile: 'xy-md02', kind: 'sensor' });
    expect(sensor.preview[0]).toMatchObject({ name: 'ambient.1.temperature', unit: '°C' });
    const meter = await discover(plan(modbusBody(port(rack, 'meter'), { kind: 'meter', profile: 'eastron-sdm120', unit: 2 })));
    expect(meter.preview.map((p) => p.name)).toContain('input.energy');
  });

  it('reads an SNMPv3 agent with the right keys and says AUTH for an unknown user', async () => {
    const ep = { version: '3', user: 'ops', authProtocol: 'sha', privProtocol: 'aes', timeout: 300 };
    const keys = { authKey: 'authsecret1', privKey: 'privsecret1' };
    const ok = await discover(plan(snmpBody(port(v3, 'ups'), {}, { ...ep, credentials: keys })));
    expect(ok.device.profile).toBe('ietf-ups');
    // The agent reports usmStatsUnknownUserNames; a wrong key it drops silently (a timeout), as many real agents do.
    await expect(discover(plan(snmpBody(port(v3, 'ups'), {}, { ...ep, user: 'intruder', credentials: keys })))).rejects.toMatchObject({ code: 'AUTH' });
    const wrongKey = await discover(plan(snmpBody(port(v3, 'ups'), {}, { ...ep, credentials: { ...keys, authKey: 'wrongsecret' } }))).catch((e: unknown) => e);
    expect(['AUTH', 'TIMEOUT']).toContain((wrongKey as { code: string }).code);
  });

  it('says TIMEOUT for a wrong community (agents drop those silently)', async () => {
    const err = await discover(plan(snmpBody(port(v3, 'ups'), {}, { timeout: 300, credentials: { community: 'public' } }))).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'TIMEOUT', message: expect.stringContaining('wrong community') });
  });

  it('says what a device of another kind is: no UPS profile fits a PDU', async () => {
    const err = await discover(plan(snmpBody(port(rack, 'pdu')))).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'UNKNOWN_DEVICE', message: expect.stringContaining('this is a pdu, not a ups') });
  });

  it('says UNREACHABLE when nothing listens on the Modbus port', async () => {
    const err = await discover(plan(modbusBody(await freeTcpPort()))).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'UNREACHABLE' });
  });

  it('gives up at the deadline and closes the SNMP session', async () => {
    const before = openHandles();
    const dead = await freeUdpPort();
    const err = await discover(plan(snmpBody(dead, {}, { timeout: 60000, retries: 10 })), 300).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'TIMEOUT', message: expect.stringContaining('within 0.3 s') });
    expect(await leftOpen(before)).toEqual([]);
  });

  it('gives a borrowed Modbus connection back, and closes its own', async () => {
    const before = openHandles();
    const shared = new SharedResource(() => new ModbusTransport({ kind: 'tcp', host: '127.0.0.1', port: port(rack, 'sensor') }), (t) => t.close());
    const deployed: Deployed = { snmp: () => undefined, modbus: () => ({ settings: link(port(rack, 'sensor')) as unknown as ModbusLinkDef, connection: shared }) };
    const user = shared.acquire(); // a deployed device node holds it
    await discover(parseDiscoverRequest(modbusBody(port(rack, 'sensor'), {}, { id: 'mb1' }), deployed));
    expect(shared.userCount).toBe(1);
    await user.close();
    await shared.release();
    await discover(plan(modbusBody(port(rack, 'sensor'))));
    expect(await leftOpen(before)).toEqual([]);
  });
});
