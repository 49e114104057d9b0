// The simulated rack's UPS served as a USB UPS is: a NUT server (read by NUT's own upsc/upscmd) and an apcupsd NIS
// endpoint, driven by the same model and scenario as its SNMP agent.
// @module-tag peer: upsd
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runSim } from '../../src/cli/sim';
import { NutClient } from '../../src/protocol/nut/client';
import { NutDeviceReader } from '../../src/polling/nut-reader';
import { expectNoLeaks, openHandles } from './helpers';
import { startRack, type RunningRack } from '../../src/sim/rack';
import { loadScenario } from '../../src/sim/scenario';
import { readOnce } from '../../src/cli/read';
import { run } from '../harness/process';
import type { Ups } from '../../src/sim/devices/ups';

let rack: RunningRack;
const url = (profile: string): string => rack.servers.find((d) => d.profile === profile)!.url;
const upsAt = (): string => {
  const u = new URL(url('nut'));
  return `${u.pathname.slice(1)}@${u.hostname}:${u.port}`;
};
const env = { ...process.env, NUT_CONFPATH: path.join(__dirname, 'no-such-dir') };

beforeAll(async () => {
  // Paused clock: the test moves the model itself. The demo: power cut at 60 s for 90 s, the UPS card silent at 200 s.
  rack = await startRack(loadScenario('demo'), { speed: 0, control: true, upsServers: true });
});
afterAll(async () => rack?.close());

describe('simulated NUT server', () => {
  it('lists the UPS as upsd would, and upsc reads the model values', async () => {
    expect(rack.servers.map((d) => d.profile)).toEqual(['nut', 'apcupsd']);
    const r = await run('/usr/bin/upsc', [upsAt()], env);
    expect(r.code).toBe(0);
    const model = rack.model.values('ups');
    const lines = new Map(r.stdout.trim().split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
    expect(lines.get('ups.status')).toBe(model['ups.status']);
    expect(Number(lines.get('battery.charge'))).toBe(model['battery.charge']);
    expect(Number(lines.get('input.voltage'))).toBe(model['input.voltage']);
    expect(lines.size).toBe(Object.keys(model).length);
  });

  it('follows the scenario: the power cut is OB in both NUT and apcupsd, the silent card is DATA-STALE / COMMLOST', async () => {
    rack.model.advance(70);
    expect((await readOnce(url('nut'), { values: true })).values['ups.status']).toMatch(/^OB/u);
    expect((await readOnce(url('apcupsd'), { values: true })).values['ups.status']).toBe('OB');
    rack.model.advance(140); // 210 s: comms-lost
    await expect(readOnce(url('nut'), { values: true })).rejects.toMatchObject({ code: 'TIMEOUT', reply: 'DATA-STALE' });
    await expect(readOnce(url('apcupsd'), { values: true })).rejects.toThrow(/COMMLOST/u);
    rack.model.advance(30);
  });

  it('carries out instant commands for upscmd, tracked, on the model', async () => {
    const before = rack.setRequests();
    const r = await run('/usr/bin/upscmd', ['-u', 'admin', '-p', 'admin', '-w', upsAt(), 'beeper.mute'], env);
    expect(`${r.stdout}${r.stderr}`).toMatch(/SUCCESS/u);
    expect(rack.model.control('ups', (u) => (u as Ups).audible)).toBe(3);
    expect(rack.setRequests()).toBe(before + 1);
    const list = await run('/usr/bin/upscmd', ['-l', upsAt()], env);
    expect(list.stdout).toMatch(/shutdown\.return/u);
  });
});

describe('a garbled NUT reply', () => {
  it('is PROTOCOL for the reader, and the next poll on a fresh connection reads again', async () => {
    const scenario = { name: 'garbage', seed: 1, devices: [{ name: 'ups', profile: 'ietf-ups' }], events: [{ at: 10, action: 'garbage' as const, device: 'ups', duration: 10 }] };
    const garbled = await startRack(scenario, { speed: 0, upsServers: true });
    try {
      const nut = new URL(garbled.servers.find((d) => d.profile === 'nut')!.url);
      const client = new NutClient({ host: '127.0.0.1', port: Number(nut.port), tls: 'off', timeoutMs: 2000 });
      const reader = new NutDeviceReader(client, 'ups');
      try {
        expect((await reader.read())['ups.status']).toBe('OL');
        garbled.model.advance(12);
        await expect(reader.read()).rejects.toMatchObject({ code: 'PROTOCOL' });
        garbled.model.advance(10);
        expect((await reader.read())['ups.status']).toBe('OL');
      } finally {
        await client.close();
      }
    } finally {
      await garbled.close();
    }
  });
});

describe('rackpower sim --ups-servers', () => {
  it('prints the UPS again as nut:// and apcupsd:// URLs, and closes them on SIGINT', async () => {
    const before = openHandles();
    const lines: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      return true;
    });
    try {
      const done = runSim(['--scenario', 'demo', '--speed', '0', '--ups-servers']);
      await vi.waitFor(() => expect(lines).toHaveLength(6));
      expect(lines[4]).toMatch(/^ups ups nut:\/\/127\.0\.0\.1:\d+\/ups nut$/u);
      expect(lines[5]).toMatch(/^ups ups apcupsd:\/\/127\.0\.0\.1:\d+ apcupsd$/u);
      process.emit('SIGINT');
      await done;
    } finally {
      spy.mockRestore();
    }
    await expectNoLeaks(before);
  });
});
