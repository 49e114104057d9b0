// The admin endpoints in a real Node-RED with adminAuth (two users: an admin, and a viewer with read permission
// only), against the simulated rack started with a community that is not "public": permissions, input validation,
// and discovery with credentials typed in the dialog or stored in a deployed config node.
// @module-tag peer: a node-red process
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../nodes/harness';
import { startNodeRed, startSimRack, type NodeRed, type SimRack } from './harness.cjs';

const nodeRequire = createRequire(__filename);
const bcrypt = nodeRequire('bcryptjs') as { hashSync(password: string, rounds: number): string };
const COMMUNITY = 'sesame-7';

let red: NodeRed;
let rack: SimRack;
const tokens: Record<string, string> = {};

/** A token as node-red-admin gets one; the scope asked must be within the user's permissions. */
async function login(username: string, scope: string): Promise<string> {
  const res = await red.request('POST', '/auth/token', { client_id: 'node-red-admin', grant_type: 'password', scope, username, password: 'pw-' + username });
  expect(res.status, res.text).toBe(200);
  return res.body.access_token;
}
const as = (user: string) => ({ Authorization: `Bearer ${tokens[user]}` });

beforeAll(async () => {
  ensureBuilt();
  rack = await startSimRack({ community: COMMUNITY });
  const users = ['admin', 'viewer'].map((u) => ({ username: u, password: bcrypt.hashSync('pw-' + u, 4), permissions: u === 'admin' ? '*' : 'read' }));
  red = await startNodeRed({ settings: { adminAuth: { type: 'credentials', users } } });
  tokens.admin = await login('admin', '*');
  tokens.viewer = await login('viewer', 'read');
  // A deployed SNMP agent whose community only the runtime knows from now on.
  await red.deploy(
    [
      { id: 'tab1', type: 'tab', label: 'rack' },
      { id: 'ep1', type: 'rackpower-snmp-endpoint', name: 'ups card', host: '127.0.0.1', port: String(rack.ports.ups), version: '2c', timeout: '500', retries: '0', credentials: { community: COMMUNITY } },
    ],
    as('admin'),
  );
});

afterAll(async () => {
  await red?.stop();
  await rack?.close();
});

const body = (extra: object = {}, agent: object = {}) => ({
  kind: 'ups', protocol: 'snmp', profile: 'auto',
  agent: { id: 'ep1', host: '127.0.0.1', port: rack.ports.ups, version: '2c', timeout: 500, retries: 0, ...agent },
  ...extra,
});

describe('permissions', () => {
  it('refuses everything without a token', async () => {
    expect((await red.request('GET', '/rackpower/profiles')).status).toBe(401);
    expect((await red.request('POST', '/rackpower/discover', body())).status).toBe(401);
  });

  it('lets a read-only user list profiles and variables, but not probe devices', async () => {
    expect((await red.request('GET', '/rackpower/profiles', undefined, as('viewer'))).status).toBe(200);
    expect((await red.request('GET', '/rackpower/profiles/ietf-ups/variables', undefined, as('viewer'))).status).toBe(200);
    const res = await red.request('POST', '/rackpower/discover', body(), as('viewer'));
    expect(res.status).toBe(401);
    expect(res.text).not.toContain('SIM');
  });
});

describe('GET /rackpower/profiles/:id/variables', () => {
  it('gives the NUT names of a profile, of every candidate for auto, and 404 or 400 otherwise', async () => {
    const ups = await red.request('GET', '/rackpower/profiles/ietf-ups/variables', undefined, as('admin'));
    expect(ups.body.variables).toEqual(expect.arrayContaining(['ups.status', 'battery.charge']));
    const auto = await red.request('GET', '/rackpower/profiles/auto/variables?kind=pdu&protocol=snmp', undefined, as('admin'));
    expect(auto.body.variables).toContain('outlet.N.current');
    expect((await red.request('GET', '/rackpower/profiles/no-such/variables', undefined, as('admin'))).status).toBe(404);
    expect((await red.request('GET', '/rackpower/profiles/auto/variables?kind=toaster', undefined, as('admin'))).status).toBe(400);
  });
});

describe('POST /rackpower/discover', () => {
  // Bodies are built when the test runs: the rack's ports are known only then.
  it.each([
    ['a bad host', () => body({}, { host: 'not a host' }), /agent.host/],
    ['a port out of range', () => body({}, { port: 99999 }), /agent.port/],
    ['a bad SNMP version', () => body({}, { version: '5' }), /agent.version/],
    ['an unknown profile', () => body({ profile: 'x' }), /profile/],
    ['a unit id out of range', () => ({ kind: 'sensor', protocol: 'modbus', profile: 'xy-md02', unit: 300, link: { mode: 'tcp', host: '127.0.0.1', port: 502 } }), /unit/],
    ['a body that is not a JSON object', () => [1, 2], /request body/],
  ])('answers 400 with the reason for %s', async (_what, payload, reason) => {
    const res = await red.request('POST', '/rackpower/discover', payload(), as('admin'));
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(reason) });
  });

  it('probes with the stored community of a deployed SNMP agent (the editor no longer holds it)', async () => {
    const res = await red.request('POST', '/rackpower/discover', body(), as('admin'));
    expect(res.status).toBe(200);
    expect(res.body.device).toMatchObject({ profile: 'ietf-ups', kind: 'ups', manufacturer: 'Rackpower', model: 'SIM-UPS 3000' });
    expect(res.body.preview.map((p: { name: string }) => p.name)).toContain('battery.charge');
    expect(res.text).not.toContain(COMMUNITY);
  });

  it('probes with a community typed in the dialog for a config node not deployed yet', async () => {
    const res = await red.request('POST', '/rackpower/discover', body({}, { id: 'new-node-1', credentials: { community: COMMUNITY } }), as('admin'));
    expect(res.body.device.profile).toBe('ietf-ups');
  });

  it('reports a wrong community as a timeout, with the hint', async () => {
    const res = await red.request('POST', '/rackpower/discover', body({}, { credentials: { community: 'wrong' } }), as('admin'));
    expect(res.status).toBe(200);
    expect(res.body.error).toMatchObject({ code: 'TIMEOUT', message: expect.stringContaining('wrong community') });
  });

  it('does not send a stored community to another host', async () => {
    const res = await red.request('POST', '/rackpower/discover', body({}, { host: 'localhost' }), as('admin'));
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/only sent to 127\.0\.0\.1/);
  });
});
