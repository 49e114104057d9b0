// The NUT client against a real upsd (dummy-ups serving a real dump): lists, GET, auth, error replies, SET VAR and
// INSTCMD with tracking compared with upsrw/upscmd, LOGIN as a secondary, one connection, reconnecting.
// @module-tag peer: upsd
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { NutClient, type NutEndpoint } from '../../../src/protocol/nut/client';
import { NutReplyError } from '../../../src/protocol/nut/errors';
import { NutDeviceReader } from '../../../src/polling/nut-reader';
import { DevicePoller } from '../../../src/polling/poller';
import { ADMIN, MONITOR, QUOTED, startUpsd, type Upsd } from '../../harness/upsd';
import type { DeviceEvent } from '../../../src/types';

let upsd: Upsd;
const endpoint = (extra: Partial<NutEndpoint> = {}): NutEndpoint => ({ host: '127.0.0.1', port: upsd.port, tls: 'off', timeoutMs: 5000, ...extra });

beforeAll(async () => {
  upsd = await startUpsd({ ups1: 'APC__Smart-UPS_1000__snmp-ups__2.7.4__01.dev', ups2: 'Eaton__5PX__snmp-ups__2.7.4__01.dev' });
}, 120_000);
afterAll(async () => upsd?.stop());

describe('NutClient against upsd', () => {
  it('lists UPS units, variables, commands and writable variables over one connection', async () => {
    const client = new NutClient(endpoint());
    try {
      expect([...(await client.listUps()).keys()]).toEqual(['ups1', 'ups2']);
      const vars = await client.listVar('ups1');
      expect(vars.get('battery.charge')).toBe('93.00');
      expect(vars.get('device.model')).toBe('Smart-UPS 1000');
      expect(await client.getVar('ups1', 'ups.status')).toBe('OB');
      expect(await client.listCmd('ups1')).toContain('load.off');
      expect((await client.listRw('ups1')).has('ups.status')).toBe(true);
      expect(client.requestCount).toBe(5);
    } finally {
      await client.close();
    }
  });

  it('maps upsd error replies to rackpower codes and keeps the connection usable', async () => {
    const client = new NutClient(endpoint());
    try {
      await expect(client.listVar('nosuch')).rejects.toMatchObject({ code: 'UNKNOWN_DEVICE', reply: 'UNKNOWN-UPS' });
      await expect(client.getVar('ups1', 'no.such.var')).rejects.toMatchObject({ code: 'CONFIG', reply: 'VAR-NOT-SUPPORTED' });
      // Commands need a user: upsd says so, and the client says it is an authentication matter.
      await expect(client.instcmd('ups1', 'load.off')).rejects.toMatchObject({ code: 'AUTH', reply: 'USERNAME-REQUIRED' });
      expect(await client.getVar('ups1', 'battery.charge')).toBe('93.00');
    } finally {
      await client.close();
    }
  });

  it('reports a wrong password as AUTH', async () => {
    const client = new NutClient(endpoint({ username: ADMIN.user, password: 'wrong' }));
    try {
      const err = await client.instcmd('ups1', 'load.off').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NutReplyError);
      expect(err).toMatchObject({ code: 'AUTH' });
    } finally {
      await client.close();
    }
  });

  it('SET VAR with tracking: SUCCESS, and upsc reads the new value', async () => {
    // A password with a space and quotes goes through quoted.
    const client = new NutClient(endpoint({ username: QUOTED.user, password: QUOTED.password }));
    try {
      const result = await client.setVar('ups1', 'ups.id', 'rack 7 north');
      expect(result.status).toBe('SUCCESS');
      expect(result.id).toMatch(/^[0-9A-F-]{36}$/u);
      expect((await upsd.upsc('ups1')).get('ups.id')).toBe('rack 7 north');
    } finally {
      await client.close();
    }
  });

  it('INSTCMD with tracking gives the driver verdict, the same one upscmd -w gives', async () => {
    const client = new NutClient(endpoint({ username: ADMIN.user, password: ADMIN.password }));
    try {
      // dummy-ups lists load.off but handles no command: upsd tracks the driver's refusal (ERR UNKNOWN).
      const ours = await client.instcmd('ups1', 'load.off').then(
        (r) => r.status,
        (e: NutReplyError) => e.reply,
      );
      const reference = await upsd.client('upscmd', ['-u', ADMIN.user, '-p', ADMIN.password, '-w', `ups1@127.0.0.1:${upsd.port}`, 'load.off']);
      expect(ours).toBe('UNKNOWN');
      expect(`${reference.stdout}${reference.stderr}`).toMatch(/UNKNOWN/u);
      // Not offered by the driver: refused before anything is tracked.
      await expect(client.instcmd('ups1', 'beeper.mute')).rejects.toMatchObject({ code: 'CONFIG', reply: 'CMD-NOT-SUPPORTED' });
    } finally {
      await client.close();
    }
  });

  it('LOGIN as a secondary is counted by upsd (NUMLOGINS) and repeated after a reconnect', async () => {
    const secondary = new NutClient(endpoint({ username: MONITOR.user, password: MONITOR.password }));
    const observer = new NutClient(endpoint());
    try {
      const before = await observer.numLogins('ups1');
      await secondary.login('ups1');
      expect(await observer.numLogins('ups1')).toBe(before + 1);
      // The connection is lost: the next request reconnects and logs in again.
      (secondary as unknown as { connection: { socket: { destroy(): void } } }).connection.socket.destroy();
      await new Promise((r) => setTimeout(r, 100));
      expect(await secondary.getVar('ups1', 'ups.status')).toBe('OB');
      expect(await observer.numLogins('ups1')).toBe(before + 1);
    } finally {
      await secondary.close();
      await observer.close();
    }
  });

  it('one LOGIN per connection, as upsd counts them; logout() ends it', async () => {
    const secondary = new NutClient(endpoint({ username: MONITOR.user, password: MONITOR.password }));
    const observer = new NutClient(endpoint());
    try {
      const before = await observer.numLogins('ups1');
      await secondary.login('ups1');
      await expect(secondary.login('ups2')).rejects.toMatchObject({ code: 'CONFIG' });
      expect(await observer.numLogins('ups1')).toBe(before + 1);
      await secondary.logout('ups1');
      expect(await secondary.getVar('ups1', 'ups.status')).toBe('OB'); // reconnected, not logged in
      await vi.waitFor(async () => expect(await observer.numLogins('ups1')).toBe(before));
    } finally {
      await secondary.close();
      await observer.close();
    }
  });

  it('a user without the upsmon role may not LOGIN (AUTH)', async () => {
    const client = new NutClient(endpoint({ username: ADMIN.user, password: 'wrong' }));
    try {
      await expect(client.login('ups1')).rejects.toMatchObject({ code: 'AUTH' });
    } finally {
      await client.close();
    }
  });

  it('an unreachable server is UNREACHABLE, and reconnecting backs off', async () => {
    const client = new NutClient({ host: '127.0.0.1', port: 1, tls: 'off', timeoutMs: 2000 });
    try {
      await expect(client.listUps()).rejects.toMatchObject({ code: 'UNREACHABLE' });
      await expect(client.listUps()).rejects.toThrow(/next try in 1 s/u);
    } finally {
      await client.close();
    }
  });
});

describe('NutDeviceReader', () => {
  it('identifies and reads with one LIST VAR on the first poll, one per poll after', async () => {
    const client = new NutClient(endpoint());
    const reader = new NutDeviceReader(client, 'ups1');
    try {
      expect(await reader.identify()).toMatchObject({ profile: 'nut', kind: 'ups', manufacturer: 'APC', model: 'Smart-UPS 1000', serial: 'AS0802331853', firmware: '652.18.I' });
      expect((await reader.read())['ups.status']).toBe('OB');
      expect(reader.requestCount).toBe(1);
      await reader.read();
      expect(reader.requestCount).toBe(2);
    } finally {
      await client.close();
    }
  });
});

describe('a UPS whose driver is gone', () => {
  it('fails the poll (COMMBAD after two), never yields values', async () => {
    const client = new NutClient(endpoint());
    const reader = new NutDeviceReader(client, 'ups2');
    const poller = new DevicePoller(reader, { name: 'eaton', address: 'nut://test/ups2', intervalMs: 300, commbadAfter: 2 });
    const events: DeviceEvent[] = [];
    const failures: string[] = [];
    let readings = 0;
    poller.on('event', (e) => events.push(e));
    poller.on('failure', (e) => failures.push(`${e.code} ${e.message}`));
    poller.on('reading', () => readings++);
    try {
      expect((await reader.read())['ups.status']).toBe('OL');
      await upsd.stopDriver('ups2');
      // upsd notices the driver's socket closing a moment later; until then it still serves the last data.
      await vi.waitFor(() => expect(client.listVar('ups2')).rejects.toBeDefined(), { timeout: 10_000 });
      poller.start();
      const deadline = Date.now() + 30_000;
      while (!events.some((e) => e.event === 'COMMBAD') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(events.map((e) => e.event)).toContain('COMMBAD');
      expect(failures[0]).toMatch(/DRIVER-NOT-CONNECTED|DATA-STALE/u);
      expect(readings).toBe(0);
    } finally {
      await poller.stop();
      await client.close();
    }
  }, 60_000);
});
