// The UPS dialog's Discover with a NUT or apcupsd server (nodes/lib/discover.ts without Node-RED): against a real
// upsd it lists the server's UPS units and reads the chosen one (or the first); the stored password goes only to the
// host it was stored for; apcupsd through the simulator's NIS endpoint.
// @module-tag peer: upsd
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadRequest, discover, parseDiscoverRequest, type Deployed } from '../../nodes/lib/discover';
import type { NutServerDef } from '../../nodes/lib/nut-server';
import { startRack, type RunningRack } from '../../src/sim/rack';
import { loadScenario } from '../../src/sim/scenario';
import { ADMIN, startUpsd, type Upsd } from '../harness/upsd';

let upsd: Upsd;
let rack: RunningRack;
const none: Deployed = { snmp: () => undefined, modbus: () => undefined, nut: () => undefined };
const body = (server: object, extra: object = {}): object => ({
  kind: 'ups',
  protocol: 'nut',
  profile: 'auto',
  server: { protocol: 'nut', host: '127.0.0.1', port: String(upsd.port), tls: 'off', user: '', timeout: '2000', ...server },
  ...extra,
});

beforeAll(async () => {
  upsd = await startUpsd({ alpha: 'Eaton__5PX__snmp-ups__2.7.4__01.dev', beta: 'APC__Smart-UPS_1000__snmp-ups__2.7.4__01.dev' });
  rack = await startRack(loadScenario('demo'), { speed: 0, upsServers: true });
}, 240_000); // Node-RED and Chromium start slowly on a loaded 2-core machine
afterAll(async () => {
  await upsd?.stop();
  await rack?.close();
});

describe('Discover with a NUT server', () => {
  it('lists the UPS units and reads the first when none is named', async () => {
    const result = await discover(parseDiscoverRequest(body({}), none));
    expect(result.units).toEqual([
      { name: 'alpha', description: 'alpha from Eaton__5PX__snmp-ups__2.7.4__01.dev' },
      { name: 'beta', description: 'beta from APC__Smart-UPS_1000__snmp-ups__2.7.4__01.dev' },
    ]);
    expect(result.device).toMatchObject({ ups: 'alpha', profile: 'nut', kind: 'ups', address: `nut://127.0.0.1:${upsd.port}/alpha` });
    expect(result.preview.find((p) => p.name === 'ups.status')?.value).toBe('OL');
    expect(result.variables).toContain('battery.charge');
  });

  it('reads the named UPS; an unknown one is UNKNOWN_DEVICE', async () => {
    const beta = await discover(parseDiscoverRequest(body({}, { ups: 'beta' }), none));
    expect(beta.device).toMatchObject({ ups: 'beta', model: 'Smart-UPS 1000', vendor: 'APC' });
    await expect(discover(parseDiscoverRequest(body({}, { ups: 'gamma' }), none))).rejects.toMatchObject({ code: 'UNKNOWN_DEVICE' });
  });

  it('sends the stored password only to the host it was stored for', () => {
    const stored: Deployed = {
      ...none,
      nut: () => ({ settings: { host: '10.9.9.9', protocol: 'nut' } as NutServerDef, credentials: { password: ADMIN.password } }),
    };
    expect(() => parseDiscoverRequest(body({ id: 'abc', user: ADMIN.user }), stored)).toThrow(BadRequest);
    const same: Deployed = { ...none, nut: () => ({ settings: { host: '127.0.0.1', protocol: 'nut' } as NutServerDef, credentials: { password: ADMIN.password } }) };
    const plan = parseDiscoverRequest(body({ id: 'abc', user: ADMIN.user, credentials: { password: '__PWRD__' } }), same);
    expect(plan).toMatchObject({ protocol: 'nut', nut: { username: ADMIN.user, password: ADMIN.password } });
  });

  it('refuses a NUT server for other kinds than UPS, and a bad UPS name', () => {
    expect(() => parseDiscoverRequest({ ...body({}), kind: 'pdu' }, none)).toThrow(/UPS node/u);
    expect(() => parseDiscoverRequest(body({}, { ups: 'a b' }), none)).toThrow(/NUT UPS name/u);
  });
});

describe('Discover with an apcupsd server', () => {
  it('reads its one UPS', async () => {
    const port = new URL(rack.servers.find((d) => d.profile === 'apcupsd')!.url).port;
    const result = await discover(parseDiscoverRequest({ kind: 'ups', protocol: 'nut', server: { protocol: 'apcupsd', host: '127.0.0.1', port } }, none));
    expect(result.device).toMatchObject({ profile: 'apcupsd', model: 'SIM-UPS 3000', address: `apcupsd://127.0.0.1:${port}` });
    expect(result.units).toBeUndefined();
    expect(result.preview.map((p) => p.name)).toContain('battery.charge');
  });
});
