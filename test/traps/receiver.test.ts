// The trap receiver on loopback with real notifications from net-snmp's command-line tools (Debian package snmp):
// v1 and v2c traps, v3 authPriv traps and informs (acknowledged: snmpinform exits 0 only when answered), a wrong
// community dropped and reported, an unknown trap passed through raw.
// @module-tag peer: snmptrap
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import type { RackpowerError } from '../../src/errors';
import type { NormalizedTrap } from '../../src/traps/normalize';
import { TrapReceiver } from '../../src/traps/receiver';
import { expectNoLeaks, openHandles } from '../sim/helpers';

const run = promisify(execFile);
const USER = { name: 'rackpower', authProtocol: 'sha' as const, authKey: 'auth-secret-1', privProtocol: 'aes' as const, privKey: 'priv-secret-1' };
const V3 = ['-v', '3', '-u', 'rackpower', '-l', 'authPriv', '-a', 'SHA', '-A', 'auth-secret-1', '-x', 'AES', '-X', 'priv-secret-1'];

let receiver: TrapReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

async function listen(): Promise<{ port: number; traps: NormalizedTrap[]; rejected: RackpowerError[]; next: () => Promise<NormalizedTrap> }> {
  receiver = new TrapReceiver({ host: '127.0.0.1', port: 0, communities: ['public'], users: [USER] });
  const traps: NormalizedTrap[] = [];
  const rejected: RackpowerError[] = [];
  const waiting: ((t: NormalizedTrap) => void)[] = [];
  receiver.on('trap', (t) => {
    traps.push(t);
    waiting.shift()?.(t);
  });
  receiver.on('rejected', (e) => rejected.push(e));
  const { port } = await receiver.start();
  return { port, traps, rejected, next: () => new Promise((resolve) => waiting.push(resolve)) };
}

describe('trap receiver', () => {
  it('v1: an APC enterprise trap becomes ONBATT with the RFC 3584 notification OID and agent address', async () => {
    const r = await listen();
    const got = r.next();
    await run('snmptrap', ['-v', '1', '-c', 'public', `127.0.0.1:${r.port}`, '1.3.6.1.4.1.318', '10.9.8.7', '6', '5', '', '1.3.6.1.4.1.318.2.3.1.0', 's', 'UPS: On battery power']);
    const trap = await got;
    expect(trap).toMatchObject({
      event: 'ONBATT',
      trap: 'upsOnBattery',
      vendor: 'apc',
      oid: '1.3.6.1.4.1.318.0.5',
      version: 1,
      community: 'public',
      inform: false,
      source: { address: '127.0.0.1', agentAddress: '10.9.8.7' },
      message: '10.9.8.7 is on battery (upsOnBattery)',
    });
    expect(trap.varbinds).toEqual([{ oid: '1.3.6.1.4.1.318.2.3.1.0', type: 'OctetString', value: 'UPS: On battery power' }]);
  });

  it('v1: RFC 1628 upsTrapOnBattery from a v1-only card (enterprise upsTraps, specific 1) is ONBATT', async () => {
    const r = await listen();
    const got = r.next();
    await run('snmptrap', ['-v', '1', '-c', 'public', `127.0.0.1:${r.port}`, '1.3.6.1.2.1.33.2', '10.9.8.6', '6', '1', '', '1.3.6.1.2.1.33.1.2.2.0', 'i', '12']);
    expect(await got).toMatchObject({ event: 'ONBATT', trap: 'upsTrapOnBattery', vendor: 'ietf', oid: '1.3.6.1.2.1.33.2.0.1', version: 1 });
  });

  it('v2c: an RFC 1628 alarm-entry trap takes its event from upsAlarmDescr; removed OnBattery is ONLINE', async () => {
    const r = await listen();
    const added = r.next();
    const alarm = ['1.3.6.1.2.1.33.1.6.2.1.2.1', 'o', '1.3.6.1.2.1.33.1.6.3.2'];
    await run('snmptrap', ['-v', '2c', '-c', 'public', `127.0.0.1:${r.port}`, '', '1.3.6.1.2.1.33.2.3', ...alarm]);
    expect(await added).toMatchObject({ event: 'ONBATT', trap: 'upsTrapAlarmEntryAdded', vendor: 'ietf', version: 2 });
    const removed = r.next();
    // The sender's sysUpTime (hundredths of a second) arrives in seconds.
    await run('snmptrap', ['-v', '2c', '-c', 'public', `127.0.0.1:${r.port}`, '123456', '1.3.6.1.2.1.33.2.4', ...alarm]);
    expect(await removed).toMatchObject({ event: 'ONLINE', trap: 'upsTrapAlarmEntryRemoved', uptime: 1234 });
  });

  it('v3 authPriv: an Eaton XUPS trap and a CyberPower inform (acknowledged) from a known user', async () => {
    const r = await listen();
    const trap = r.next();
    await run('snmptrap', [...V3, '-e', '0x80001f8880aabbccdd', `127.0.0.1:${r.port}`, '', '1.3.6.1.4.1.534.1.11.4.1.0.3']);
    expect(await trap).toMatchObject({ event: 'ONBATT', trap: 'xupstdOnBattery', vendor: 'eaton', version: 3, user: 'rackpower', inform: false });
    const inform = r.next();
    // snmpinform fails (exit status 1, "Timeout") unless the receiver answers
    await run('snmpinform', [...V3, '-r', '0', '-t', '3', `127.0.0.1:${r.port}`, '', '1.3.6.1.4.1.3808.0.9']);
    expect(await inform).toMatchObject({ event: 'ONLINE', trap: 'powerRestored', vendor: 'cyberpower', inform: true, version: 3 });
  });

  it('a wrong community is dropped and reported; an unknown trap passes through raw', async () => {
    const r = await listen();
    await run('snmptrap', ['-v', '2c', '-c', 'guess', `127.0.0.1:${r.port}`, '', '1.3.6.1.2.1.33.2.1']);
    const unknown = r.next();
    await run('snmpinform', ['-v', '2c', '-c', 'public', '-r', '0', '-t', '3', `127.0.0.1:${r.port}`, '', '1.3.6.1.4.1.99999.0.1', '1.3.6.1.4.1.99999.1', 'i', '42']);
    const t = await unknown;
    expect(t.event).toBeUndefined();
    expect(t).toMatchObject({ oid: '1.3.6.1.4.1.99999.0.1', inform: true, message: '127.0.0.1 sent an unknown trap 1.3.6.1.4.1.99999.0.1' });
    expect(t.varbinds).toEqual([{ oid: '1.3.6.1.4.1.99999.1', type: 'Integer', value: 42 }]);
    expect(r.traps).toHaveLength(1); // the wrong community never became a trap
    expect(r.rejected.map((e) => e.code)).toEqual(['AUTH']);
  });

  it('a port in use is a CONFIG error naming the port; closing leaves nothing open', async () => {
    const before = openHandles();
    const r = await listen();
    const second = new TrapReceiver({ host: '127.0.0.1', port: r.port });
    await expect(second.start()).rejects.toMatchObject({ code: 'CONFIG', message: expect.stringContaining(`127.0.0.1:${r.port} is already in use`) });
    await receiver!.close();
    receiver = undefined;
    await expectNoLeaks(before);
  });
});
