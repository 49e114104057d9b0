// apcupsd NIS: real `apcaccess status` text served over the NIS framing, read by `rackpower read apcupsd://`.
import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { ensureBuilt, ROOT } from '../../harness/build';
import { runNode } from '../../harness/process';
import { startNisServer, type RunningNisServer } from '../../../src/sim/nis-server';
import { apcupsdValues, statusOf } from '../../../src/normalize/apcupsd';
import { nisRequest, parseStatus } from '../../../src/protocol/apcupsd/nis';
import { ApcupsdDeviceReader } from '../../../src/polling/apcupsd-reader';

const CLI = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
const fixture = (name: string): string[] => readFileSync(path.join(ROOT, 'test', 'fixtures', 'apcupsd', name), 'utf8').trimEnd().split('\n');

let server: RunningNisServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function read(lines: string[]): Promise<{ code: number | null; out: { device: Record<string, unknown>; values: Record<string, unknown> }; stderr: string }> {
  ensureBuilt();
  server = await startNisServer({ host: '127.0.0.1', port: 0, status: () => lines });
  const r = await runNode([CLI, 'read', `apcupsd://127.0.0.1:${server.port}`, '--json']);
  return { code: r.code, stderr: r.stderr, out: r.code === 0 ? JSON.parse(r.stdout) : { device: {}, values: {} } };
}

describe('rackpower read apcupsd://', () => {
  it('gives NUT names and units from a Smart-UPS 1400 status', async () => {
    const { code, out, stderr } = await read(fixture('smart-ups-1400.status'));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(out.values).toMatchObject({
      'ups.status': 'OL TRIM',
      'battery.charge': 100,
      'battery.runtime': 6900, // TIMELEFT 115.0 Minutes
      'battery.runtime.low': 180, // MINTIMEL 3 Minutes
      'battery.charge.low': 5,
      'battery.charge.restart': 15,
      'battery.voltage': 27.6,
      'battery.voltage.nominal': 24,
      'battery.date': '13/11/15',
      'ups.load': 11.4,
      'ups.temperature': 31.5,
      'ups.model': 'SMART-UPS 1400',
      'ups.serial': 'GS9939101425',
      'ups.firmware': '70.11.I',
      'ups.mfr.date': '07/13/99',
      'ups.delay.shutdown': 180,
      'ups.delay.start': 0,
      'input.voltage': 248.3,
      'input.voltage.maximum': 252.2,
      'input.voltage.minimum': 247,
      'input.transfer.low': 196,
      'input.transfer.high': 253,
      'input.frequency': 50,
      'input.sensitivity': 'High',
      'input.transfer.reason': 'High line voltage',
      'output.voltage': 219.7,
      'output.voltage.nominal': 230,
    });
    // apcupsd's own settings and counters have no NUT name: not published under a made-up one.
    expect(Object.keys(out.values).filter((k) => !/^(battery|ups|input|output|device)\./u.test(k))).toEqual([]);
    expect(out.device).toMatchObject({ kind: 'ups', profile: 'apcupsd', model: 'SMART-UPS 1400', serial: 'GS9939101425', address: `apcupsd://127.0.0.1:${server!.port}` });
  }, 60_000);

  it('gives NUT names and units from a Back-UPS XS 1400U (USB) status, N/A left out', async () => {
    const { code, out } = await read(fixture('back-ups-xs-1400u.status'));
    expect(code).toBe(0);
    expect(out.values).toMatchObject({
      'ups.status': 'OL',
      'battery.runtime': 4218, // 70.3 Minutes
      'input.voltage': 232,
      'input.voltage.nominal': 230,
      'input.transfer.low': 155,
      'input.transfer.high': 280,
      'ups.realpower.nominal': 700,
      'battery.date': '2019-11-27',
      'ups.model': 'Back-UPS XS 1400U',
      'ups.serial': '4B1948P07984',
      'ups.firmware': '926.T2 .I USB FW:T2',
    });
    expect(Object.values(out.values)).not.toContain('N/A');
  }, 60_000);

  it('COMMLOST (apcupsd lost its UPS) is a failed read, not values', async () => {
    const lines = fixture('back-ups-xs-1400u.status').map((l) => (l.startsWith('STATUS') ? 'STATUS   : COMMLOST ' : l));
    const { code, stderr } = await read(lines);
    expect(code).toBe(3);
    expect(stderr).toMatch(/COMMLOST/u);
  }, 60_000);
});

describe('NIS framing', () => {
  it('is 2-byte big-endian length-prefixed both ways, ending with an empty message', async () => {
    const lines = fixture('smart-ups-1400.status');
    server = await startNisServer({ host: '127.0.0.1', port: 0, status: () => lines });
    const raw = await new Promise<Buffer>((resolve, reject) => {
      const s = net.connect(server!.port, '127.0.0.1', () => s.write(Buffer.from([0, 6, ...Buffer.from('status')])));
      const chunks: Buffer[] = [];
      s.on('data', (d) => {
        chunks.push(d);
        const all = Buffer.concat(chunks);
        if (all.length >= 2 && all.subarray(-2).equals(Buffer.from([0, 0]))) {
          s.destroy();
          resolve(all);
        }
      });
      s.on('error', reject);
    });
    const first = raw.readUInt16BE(0);
    expect(raw.subarray(2, 2 + first).toString()).toBe(`${lines[0]}\n`);
    expect(await nisRequest({ host: '127.0.0.1', port: server.port, timeoutMs: 2000 }, 'status')).toEqual(lines);
  });

  it('serves the event log on `events`, and a truncated answer is PROTOCOL, not a short status', async () => {
    const events = ['2024-03-02 10:00:01 +0100  Power failure.', '2024-03-02 10:00:07 +0100  Running on UPS batteries.', '2024-03-02 10:01:30 +0100  Mains returned. No longer on UPS batteries.'];
    server = await startNisServer({ host: '127.0.0.1', port: 0, status: () => [], events: () => events });
    const reader = new ApcupsdDeviceReader({ host: '127.0.0.1', port: server.port, timeoutMs: 2000 });
    expect(await reader.events()).toEqual(events);
    await server.close();
    // A server that closes after half of the status: the reader reports it rather than publish what it got.
    const half = net.createServer((s) => s.once('data', () => s.end(Buffer.concat([Buffer.from([0, 18]), Buffer.from('STATUS   : ONLINE\n')]))));
    await new Promise<void>((resolve) => half.listen(0, '127.0.0.1', resolve));
    try {
      const cut = new ApcupsdDeviceReader({ host: '127.0.0.1', port: (half.address() as net.AddressInfo).port, timeoutMs: 2000 });
      await expect(cut.read()).rejects.toMatchObject({ code: 'PROTOCOL' });
    } finally {
      await new Promise((resolve) => half.close(resolve));
      server = undefined;
    }
  });

  it('maps every STATUS word apcupsd uses to a ups.status token', () => {
    expect(statusOf('ONBATT LOWBATT')).toEqual({ status: 'OB LB', commLost: false });
    expect(statusOf('ONLINE REPLACEBATT OVERLOAD')).toEqual({ status: 'OL OVER RB', commLost: false });
    expect(statusOf('CAL ONLINE BOOST')).toEqual({ status: 'OL CAL BOOST', commLost: false });
    expect(statusOf('SHUTTING DOWN')).toEqual({ status: 'FSD', commLost: false });
    expect(statusOf('COMMLOST')).toEqual({ status: '', commLost: true });
    expect(apcupsdValues(parseStatus(['ITEMP    : 88.7 F Internal'])).values['ups.temperature']).toBe(31.5);
    expect(apcupsdValues(parseStatus(['DWAKE    : -1 Seconds'])).values['ups.delay.start']).toBeUndefined();
  });
});
