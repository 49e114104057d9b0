// The built `rackpower` command as a real process (node dist/src/cli/main.js) against a simulated rack running in
// this test process: output formats, values that agree with the simulator, and the one-line reasons and exit codes
// of every failure class. Children are spawned asynchronously: the rack answers from this process's event loop.
// @module-tag peer: snmpsimd
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as snmp from 'net-snmp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRack, type RackDevice, type RunningRack } from '../../src/sim/rack';
import { loadScenario } from '../../src/sim/scenario';
import { freeTcpPort, freeUdpPort } from '../harness/ports';
import { startSnmpsim, type Snmpsim } from '../harness/snmpsim';
import { ensureBuilt } from '../harness/build';
import { run, type Result } from '../harness/process';

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');

// ------------------------------------------------------------------------------------------------ build once

// ------------------------------------------------------------------------------------------------ processes

/** The child's environment: no SNMPv3 keys and no NODE_OPTIONS unless the test sets them. */
function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.RACKPOWER_SNMP_AUTH_KEY;
  delete env.RACKPOWER_SNMP_PRIV_KEY;
  delete env.NODE_OPTIONS;
  return { ...env, ...extra };
}

const rackpower = (args: string[], extra: NodeJS.ProcessEnv = {}): Promise<Result> => run(process.execPath, [CLI, ...args], childEnv(extra));

/** Parses the --json output: exactly one line of JSON. */
function json(r: Result): Record<string, unknown> {
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const lines = r.stdout.split('\n').filter(Boolean);
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]) as Record<string, unknown>;
}

/** A failure: the exit status, nothing on stdout, and one line on stderr `rackpower: <code>: <reason>`. */
function failure(r: Result, exitCode: number, code: string): string {
  expect(r.stdout, 'stdout of a failure').toBe('');
  expect(r.code, r.stderr).toBe(exitCode);
  const lines = r.stderr.split('\n').filter(Boolean);
  expect(lines, 'one line of reason').toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^rackpower: ${code}: \\S`));
  return lines[0];
}

// ------------------------------------------------------------------------------------------------ fixtures

let rack: RunningRack;
let tmp: string;
let systemOnly: Snmpsim;
const SYSTEM_ONLY = 'rp-system-only';
/** Whether des-cbc works in a child Node.js started like the CLI (OpenSSL 3 moves it to the legacy provider). */
let desInChild: boolean;

const device = (name: string): RackDevice => {
  const d = rack.devices.find((x) => x.name === name);
  if (!d) throw new Error(`no ${name} in the demo rack`);
  return d;
};

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'rp-cli-'));
  // An agent that answers, but only with a system group no profile knows (sysObjectID of net-snmp's Linux agent).
  const rec = path.join(tmp, `${SYSTEM_ONLY}.snmprec`);
  writeFileSync(
    rec,
    [
      '1.3.6.1.2.1.1.1.0|4|Linux fileserver 6.1.0-18-amd64 x86_64',
      '1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.8072.3.2.10',
      '1.3.6.1.2.1.1.3.0|67|123456',
      '1.3.6.1.2.1.1.5.0|4|fileserver',
      '',
    ].join('\n'),
  );
  const des = run(process.execPath, ['-e', "require('crypto').createCipheriv('des-cbc', Buffer.alloc(8), Buffer.alloc(8))"], childEnv());
  [systemOnly, rack] = await Promise.all([startSnmpsim([rec]), startRack(loadScenario('demo'), { speed: 0 }), ensureBuilt()]);
  desInChild = (await des).code === 0;
});

afterAll(async () => {
  await rack?.close();
  await systemOnly?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

// ------------------------------------------------------------------------------------------------ reads

describe('rackpower read', () => {
  it('UPS --json: identity, status and numbers that match the simulator', async () => {
    const out = json(await rackpower(['read', device('ups').url, '--json']));
    expect(Object.keys(out).sort()).toEqual(['device', 'timestamp', 'values']);
    expect(out.device).toMatchObject({
      name: '127.0.0.1',
      profile: 'ietf-ups',
      kind: 'ups',
      manufacturer: 'Rackpower',
      model: 'SIM-UPS 3000',
      address: `snmp://127.0.0.1:${new URL(device('ups').url).port}`,
    });
    // The address never carries the community.
    expect(JSON.stringify(out.device)).not.toContain('public');
    expect(typeof out.timestamp).toBe('number');
    expect(Math.abs((out.timestamp as number) - Date.now())).toBeLessThan(60_000);
    const v = out.values as Record<string, unknown>;
    expect(v['ups.status']).toMatch(/^OL( |$)/);
    for (const name of ['battery.charge', 'battery.runtime', 'input.voltage', 'output.voltage', 'ups.load']) {
      expect(typeof v[name], name).toBe('number');
    }
    // Paused model (speed 0): the CLI's numbers are the simulator's.
    const sim = rack.model.values('ups');
    expect(v['battery.charge']).toBe(sim['battery.charge']);
    expect(v['input.voltage']).toBe(sim['input.voltage']);
    expect(v['output.voltage']).toBe(sim['output.voltage']);
    // UPS-MIB carries whole minutes: NUT's minutes × 60
    expect(v['battery.runtime']).toBe(Math.round((sim['battery.runtime'] as number) / 60) * 60);
    expect(v['battery.charge']).toBeGreaterThanOrEqual(0);
    expect(v['battery.charge']).toBeLessThanOrEqual(100);
  });

  it('UPS as a table: aligned NUT names with units', async () => {
    const r = await rackpower(['read', device('ups').url]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines).toContainEqual(expect.stringMatching(/^profile\s+ietf-ups$/));
    expect(lines).toContainEqual(expect.stringMatching(/^kind\s+ups$/));
    expect(lines).toContainEqual(expect.stringMatching(/^battery\.charge\s+\d+ %$/));
    expect(lines).toContainEqual(expect.stringMatching(/^battery\.runtime\s+\d+ s$/));
    expect(lines).toContainEqual(expect.stringMatching(/^input\.voltage\s+[\d.]+ V$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ups\.status\s+OL/));
    expect(r.stdout).not.toContain('{');
  });

  it('PDU: 8 outlets whose currents add up to the input current', async () => {
    const out = json(await rackpower(['read', device('pdu').url, '--json']));
    expect(out.device).toMatchObject({ profile: 'apc-rpdu2', kind: 'pdu', manufacturer: 'APC' });
    const v = out.values as Record<string, number>;
    expect(v['outlet.count']).toBe(8);
    const currents = Array.from({ length: 8 }, (_, i) => v[`outlet.${i + 1}.current`]);
    for (const c of currents) expect(typeof c).toBe('number');
    expect(v['outlet.9.current']).toBeUndefined();
    const sum = currents.reduce((a, b) => a + b, 0);
    // each outlet is rounded to 0.1 A, the input too: at most 8 × 0.05 + 0.05 apart
    expect(Math.abs(sum - v['input.current'])).toBeLessThanOrEqual(0.46);
    expect(v['input.current']).toBeGreaterThan(1);
    expect(v['input.voltage']).toBe(rack.model.values('pdu')['input.voltage']);
  });

  it('Modbus sensor (xy-md02): temperature and humidity', async () => {
    const url = device('sensor').url;
    expect(url).toMatch(/^modbus-tcp:.*unit=1.*profile=xy-md02/);
    const out = json(await rackpower(['read', url, '--json']));
    expect(out.device).toMatchObject({ profile: 'xy-md02', kind: 'sensor' });
    const v = out.values as Record<string, unknown>;
    const sim = rack.model.values('sensor');
    expect(typeof v['ambient.1.temperature']).toBe('number');
    expect(typeof v['ambient.1.humidity']).toBe('number');
    // the XY-MD02 carries tenths
    expect(Math.abs((v['ambient.1.temperature'] as number) - (sim['ambient.1.temperature'] as number))).toBeLessThanOrEqual(0.05 + 1e-9);
    expect(v['ambient.1.humidity']).toBeGreaterThan(0);
    expect(v['ambient.1.humidity']).toBeLessThan(100);
  });

  it('Modbus meter (eastron-sdm120): what the UPS draws from the feed', async () => {
    const url = device('meter').url;
    const [meter, ups] = await Promise.all([rackpower(['read', url, '--json']), rackpower(['read', device('ups').url, '--json'])]);
    const out = json(meter);
    expect(out.device).toMatchObject({ profile: 'eastron-sdm120', kind: 'meter', manufacturer: 'Eastron' });
    const v = out.values as Record<string, number>;
    for (const name of ['input.voltage', 'input.current', 'input.realpower', 'input.frequency', 'input.energy']) expect(typeof v[name], name).toBe('number');
    expect(v['input.voltage']).toBeGreaterThan(200);
    expect(v['input.voltage']).toBeLessThan(260);
    // the meter is on the UPS's feed: same active power within rounding
    const upsPower = (json(ups).values as Record<string, number>)['input.realpower'];
    expect(Math.abs(v['input.realpower'] - upsPower)).toBeLessThanOrEqual(Math.max(2, upsPower * 0.01));
  });

  it('--profile on the command line picks the Modbus profile', async () => {
    const url = device('meter').url.replace(/&?profile=[^&]*/u, '');
    const out = json(await rackpower(['read', url, '--profile', 'eastron-sdm120', '--json']));
    expect(out.device).toMatchObject({ profile: 'eastron-sdm120', kind: 'meter' });
  });
});

describe('rackpower discover and profiles', () => {
  it('discover prints the detected profile and identity, no values', async () => {
    const r = await rackpower(['discover', device('ups').url]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^profile\s+ietf-ups$/m);
    expect(r.stdout).toMatch(/^manufacturer\s+Rackpower$/m);
    expect(r.stdout).toMatch(/^model\s+SIM-UPS 3000$/m);
    expect(r.stdout).not.toContain('battery.charge');
  });

  it('discover --json of the PDU: profile, vendor, model and serial', async () => {
    const out = json(await rackpower(['discover', device('pdu').url, '--json']));
    expect(out).toMatchObject({
      profile: 'apc-rpdu2',
      kind: 'pdu',
      manufacturer: 'APC',
      model: 'SIM-PDU 8',
      serial: rack.model.values('pdu')['device.serial'],
    });
    expect(out).not.toHaveProperty('values');
  });

  it('profiles --json lists the shipped profiles', async () => {
    const list = json(await rackpower(['profiles', '--json'])) as unknown as { id: string; kind: string; protocol: string; models: string[] }[];
    const byId = Object.fromEntries(list.map((p) => [p.id, p]));
    expect(byId['ietf-ups']).toMatchObject({ kind: 'ups', protocol: 'snmp' });
    expect(byId['apc-rpdu2']).toMatchObject({ kind: 'pdu', protocol: 'snmp' });
    expect(byId['xy-md02']).toMatchObject({ kind: 'sensor', protocol: 'modbus' });
    expect(byId['eastron-sdm120']).toMatchObject({ kind: 'meter', protocol: 'modbus' });
    for (const p of list) expect(p.models.length, p.id).toBeGreaterThan(0);
  });

  it('profiles as a table: one line per profile', async () => {
    const r = await rackpower(['profiles']);
    expect(r.code).toBe(0);
    for (const id of ['ietf-ups', 'apc-rpdu2', 'xy-md02', 'eastron-sdm120']) expect(r.stdout).toMatch(new RegExp(`^${id}\\s`, 'm'));
  });
});

// ------------------------------------------------------------------------------------------------ failures

describe('failures: one line of reason and the documented exit status', () => {
  it('timeout: an SNMP port nobody listens on → 3', async () => {
    const port = await freeUdpPort();
    const line = failure(await rackpower(['read', `snmp://127.0.0.1:${port}?timeout=300&retries=0`]), 3, 'timeout');
    expect(line).toContain(`127.0.0.1:${port}`);
    expect(line).toContain('300 ms');
  });

  it('timeout: a wrong v2c community is dropped silently by the agent → 3, with the hint', async () => {
    const url = device('ups').url.replace('public@', 'not-the-community@');
    const line = failure(await rackpower(['read', `${url}?timeout=300&retries=0`]), 3, 'timeout');
    expect(line).toContain('wrong community');
    expect(line).not.toContain('not-the-community');
  });

  it('unknown device: an agent that answers but matches no profile → 5', async () => {
    const line = failure(await rackpower(['read', `snmp://${SYSTEM_ONLY}@127.0.0.1:${systemOnly.port}?timeout=1000`]), 5, 'unknown_device');
    expect(line).toContain('1.3.6.1.4.1.8072.3.2.10');
    expect(line).not.toContain(SYSTEM_ONLY); // the community is a secret
  });

  it('Modbus without a profile → 2, naming the profiles to choose from', async () => {
    const url = device('sensor').url.replace(/&?profile=[^&]*/u, '');
    const line = failure(await rackpower(['read', url]), 2, 'config');
    expect(line).toContain('profile=');
    expect(line).toContain('xy-md02');
  });

  it.each([
    ['not a URL', 'not-a-url'],
    ['an unknown scheme', 'ftp://127.0.0.1/x'],
    ['a bad option value', 'snmp://127.0.0.1?retries=99'],
    ['an unknown profile', 'modbus-tcp://127.0.0.1:1502?unit=1&profile=no-such-profile'],
  ])('bad URL (%s) → 2', async (_what, url) => {
    failure(await rackpower(['read', url]), 2, 'config');
  });

  it('read without a URL, or an unknown command → 2 with the usage', async () => {
    const r = await rackpower(['read']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('read needs a device URL');
    expect(r.stderr).toContain('usage:');
    const u = await rackpower(['frobnicate']);
    expect(u.code).toBe(2);
    expect(u.stderr).toContain('unknown command');
  });

  it('connection refused on modbus-tcp → 7', async () => {
    const port = await freeTcpPort();
    const line = failure(await rackpower(['read', `modbus-tcp://127.0.0.1:${port}?unit=1&profile=xy-md02&timeout=1000`]), 7, 'unreachable');
    expect(line).toContain(String(port));
  });

  it('SNMPv3 keys come only from the environment: auth=sha without RACKPOWER_SNMP_AUTH_KEY → 2', async () => {
    const port = await freeUdpPort();
    const line = failure(await rackpower(['read', `snmpv3://monitor@127.0.0.1:${port}?auth=sha&timeout=300&retries=0`]), 2, 'config');
    expect(line).toContain('RACKPOWER_SNMP_AUTH_KEY');
    const priv = failure(
      await rackpower(['read', `snmpv3://monitor@127.0.0.1:${port}?auth=sha&priv=aes&timeout=300&retries=0`], { RACKPOWER_SNMP_AUTH_KEY: 'authkey-123' }),
      2,
      'config',
    );
    expect(priv).toContain('RACKPOWER_SNMP_PRIV_KEY');
  });

  it('SNMPv3 DES privacy: exit 8 naming --openssl-legacy-provider when this Node.js lacks DES, a read otherwise', async () => {
    const keys = { RACKPOWER_SNMP_AUTH_KEY: 'authkey-123', RACKPOWER_SNMP_PRIV_KEY: 'privkey-123' };
    if (!desInChild) {
      // Node 20 on Debian (OpenSSL 3, no legacy provider by default): refused before any packet is sent.
      const port = await freeUdpPort();
      const line = failure(await rackpower(['read', `snmpv3://monitor@127.0.0.1:${port}?auth=sha&priv=des&timeout=300&retries=0`], keys), 8, 'unsupported');
      expect(line).toContain('--openssl-legacy-provider');
      expect(line).toContain('DES');
      return;
    }
    // This Node.js has DES: a v3 DES user reads the simulated UPS.
    const user = {
      name: 'desuser',
      level: snmp.SecurityLevel.authPriv,
      authProtocol: snmp.AuthProtocols.sha,
      authKey: keys.RACKPOWER_SNMP_AUTH_KEY,
      privProtocol: snmp.PrivProtocols.des,
      privKey: keys.RACKPOWER_SNMP_PRIV_KEY,
    } as snmp.User;
    const v3 = await startRack(loadScenario('demo'), { speed: 0, user });
    try {
      const port = new URL(v3.devices.find((d) => d.name === 'ups')!.url).port;
      const out = json(await rackpower(['read', `snmpv3://desuser@127.0.0.1:${port}?auth=sha&priv=des`, '--json'], keys));
      expect(out.device).toMatchObject({ profile: 'ietf-ups', address: `snmpv3://127.0.0.1:${port}` });
    } finally {
      await v3.close();
    }
  });

  it('the advice works: with NODE_OPTIONS=--openssl-legacy-provider the DES target is no longer refused', async () => {
    const port = await freeUdpPort();
    const r = await rackpower(['read', `snmpv3://monitor@127.0.0.1:${port}?auth=sha&priv=des&timeout=300&retries=0`], {
      RACKPOWER_SNMP_AUTH_KEY: 'authkey-123',
      RACKPOWER_SNMP_PRIV_KEY: 'privkey-123',
      NODE_OPTIONS: '--openssl-legacy-provider',
    });
    // nobody listens: it gets as far as sending, and times out
    failure(r, 3, 'timeout');
  });
});

describe('SNMPv3 (SHA/AES) against the simulator', () => {
  const user = {
    name: 'monitor',
    level: snmp.SecurityLevel.authPriv,
    authProtocol: snmp.AuthProtocols.sha,
    authKey: 'auth-secret-1',
    privProtocol: snmp.PrivProtocols.aes,
    privKey: 'priv-secret-1',
  } as snmp.User;
  let v3: RunningRack;
  let port: string;
  beforeAll(async () => {
    v3 = await startRack(loadScenario('demo'), { speed: 0, user });
    port = new URL(v3.devices.find((d) => d.name === 'ups')!.url).port;
  });
  afterAll(() => v3?.close());

  it('reads with the keys from the environment; nothing secret in the output', async () => {
    const r = await rackpower(['read', `snmpv3://monitor@127.0.0.1:${port}?auth=sha&priv=aes`, '--json'], {
      RACKPOWER_SNMP_AUTH_KEY: 'auth-secret-1',
      RACKPOWER_SNMP_PRIV_KEY: 'priv-secret-1',
    });
    const out = json(r);
    expect(out.device).toMatchObject({ profile: 'ietf-ups', kind: 'ups', address: `snmpv3://127.0.0.1:${port}` });
    expect((out.values as Record<string, unknown>)['ups.status']).toMatch(/^OL/);
    expect(r.stdout).not.toContain('secret');
  });

  it('a wrong key fails as auth (4) or, if the agent stays silent, timeout (3): never a reading', async () => {
    const r = await rackpower(['read', `snmpv3://monitor@127.0.0.1:${port}?auth=sha&priv=aes&timeout=500&retries=0`], {
      RACKPOWER_SNMP_AUTH_KEY: 'wrong-key-999',
      RACKPOWER_SNMP_PRIV_KEY: 'priv-secret-1',
    });
    expect([3, 4], r.stderr).toContain(r.code);
    failure(r, r.code!, r.code === 4 ? 'auth' : 'timeout');
    expect(r.stderr).not.toContain('wrong-key-999');
  });

  it('an unknown v3 user → 4 (the agent reports usmStatsUnknownUserNames)', async () => {
    const r = await rackpower(['read', `snmpv3://intruder@127.0.0.1:${port}?auth=sha&priv=aes&timeout=500&retries=0`], {
      RACKPOWER_SNMP_AUTH_KEY: 'auth-secret-1',
      RACKPOWER_SNMP_PRIV_KEY: 'priv-secret-1',
    });
    expect(failure(r, 4, 'auth')).not.toContain('secret');
  });
});
