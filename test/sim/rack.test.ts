import dgram from 'node:dgram';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runSim } from '../../src/cli/sim';
import { openDevice } from '../../src/device';
import { startRack, type RunningRack } from '../../src/sim/rack';
import { SCENARIO_DIR, loadScenario } from '../../src/sim/scenario';
import { parseTarget } from '../../src/url';
import type { Scenario } from '../../src/sim/types';
import { expectNoLeaks, get, openHandles, session } from './helpers';

const UPS_OUTPUT_SOURCE = '1.3.6.1.2.1.33.1.4.1.0';
const PDU_SERIAL = '1.3.6.1.4.1.318.1.1.26.2.1.9.1';

const small: Scenario = {
  name: 'small',
  seed: 1,
  devices: [
    { name: 'ups', profile: 'ietf-ups' },
    { name: 'pdu', profile: 'apc-rpdu2', outlets: 4 },
    { name: 'sensor', profile: 'xy-md02', unit: 1 },
  ],
  events: [],
};

/** Starts on consecutive ports from a random base, retrying if another process holds one of them. */
async function startOnBase(scenario: Scenario, options: Parameters<typeof startRack>[1] = {}): Promise<[RunningRack, number]> {
  for (let attempt = 0; ; attempt++) {
    const basePort = 20000 + Math.floor(Math.random() * 30000);
    try {
      return [await startRack(scenario, { speed: 0, ...options, basePort }), basePort];
    } catch (err) {
      if (attempt > 5) throw err;
    }
  }
}

describe('startRack', () => {
  let before: string[];
  afterEach(async () => {
    await expectNoLeaks(before);
  });

  it('puts devices on consecutive ports in scenario order, with the community in SNMP URLs', async () => {
    before = openHandles();
    const [rack, base] = await startOnBase(small, { community: 'rack a' });
    try {
      expect(rack.devices).toEqual([
        { name: 'ups', kind: 'ups', profile: 'ietf-ups', url: `snmp://rack%20a@127.0.0.1:${base}` },
        { name: 'pdu', kind: 'pdu', profile: 'apc-rpdu2', url: `snmp://rack%20a@127.0.0.1:${base + 1}` },
        { name: 'sensor', kind: 'sensor', profile: 'xy-md02', url: `modbus-tcp://127.0.0.1:${base + 2}?unit=1&profile=xy-md02` },
      ]);
      const s = session(rack.devices[0].url);
      expect((await get(s, [UPS_OUTPUT_SOURCE]))[0].value).toBe(3);
      s.close();
    } finally {
      await rack.close();
    }
  });

  it('refuses a port in use with a CONFIG error and closes what it had started', async () => {
    const blocker = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => blocker.bind(0, '127.0.0.1', resolve));
    before = openHandles();
    const taken = blocker.address().port;
    // From one port below: the UPS gets `taken - 1` and the PDU collides.
    await expect(startRack(small, { speed: 0, basePort: taken - 1 })).rejects.toMatchObject({ code: 'CONFIG', message: expect.stringMatching(/EADDRINUSE/) });
    await expectNoLeaks(before);
    await new Promise<void>((resolve) => blocker.close(resolve));
  });

  it('advances the model in real time, scaled by speed', async () => {
    before = openHandles();
    const rack = await startRack(small, { speed: 500 });
    await new Promise((r) => setTimeout(r, 120));
    await rack.close();
    expect(rack.model.time).toBeGreaterThanOrEqual(25);
    const frozen = rack.model.time;
    await new Promise((r) => setTimeout(r, 30));
    expect(rack.model.time).toBe(frozen);
  });

  it('starts copies for benchmarks, each answering for itself', async () => {
    before = openHandles();
    const rack = await startRack(loadScenario('demo'), { speed: 0, copies: 20 });
    try {
      expect(rack.devices).toHaveLength(80);
      expect(rack.devices.filter((d) => d.kind === 'pdu').map((d) => d.name).slice(0, 3)).toEqual(['pdu-1', 'pdu-2', 'pdu-3']);
      // One Modbus server per copy, shared by its sensor and meter.
      expect(new Set(rack.devices.filter((d) => d.url.startsWith('modbus')).map((d) => new URL(d.url).port)).size).toBe(20);
      const pdus = rack.devices.filter((d) => d.kind === 'pdu');
      const serials = await Promise.all(
        pdus.map(async (d) => {
          const s = session(d.url);
          const [vb] = await get(s, [PDU_SERIAL]);
          s.close();
          return String(vb.value);
        }),
      );
      expect(serials).toEqual(pdus.map((d) => rack.model.values(d.name)['device.serial']));
      expect(new Set(serials).size).toBe(20);
    } finally {
      await rack.close();
    }
  });
});

describe('rackpower sim', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('prints one line per device and closes everything on SIGINT', async () => {
    const before = openHandles();
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      return true;
    });
    const done = runSim(['--scenario', 'demo', '--speed', '2', '--community', 'lab']);
    await vi.waitFor(() => expect(lines).toHaveLength(4));
    expect(lines[0]).toMatch(/^ups ups snmp:\/\/lab@127\.0\.0\.1:\d+ ietf-ups$/);
    expect(lines[1]).toMatch(/^pdu pdu snmp:\/\/lab@127\.0\.0\.1:\d+ apc-rpdu2$/);
    expect(lines[2]).toMatch(/^sensor sensor modbus-tcp:\/\/127\.0\.0\.1:\d+\?unit=1&profile=xy-md02 xy-md02$/);
    expect(lines[3]).toMatch(/^meter meter modbus-tcp:\/\/127\.0\.0\.1:\d+\?unit=2&profile=eastron-sdm120 eastron-sdm120$/);
    process.emit('SIGINT');
    await done;
    expect(process.listenerCount('SIGINT')).toBe(0);
    await expectNoLeaks(before);
  });

  it('runs a scenario file naming any profiles: each device is detected as the profile it names', async () => {
    const before = openHandles();
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      return true;
    });
    const done = runSim(['--scenario', path.join(SCENARIO_DIR, 'vendors.json'), '--speed', '0']);
    const scenario = loadScenario('vendors');
    await vi.waitFor(() => expect(lines).toHaveLength(scenario.devices.length));
    try {
      for (const line of lines) {
        const [, kind, url, profile] = line.split(' ');
        const device = openDevice(parseTarget(url));
        try {
          expect(await device.reader.identify(), line).toMatchObject({ profile, kind });
        } finally {
          await device.close();
        }
      }
      expect(lines.map((l) => l.split(' ')[3])).toEqual(scenario.devices.map((d) => d.profile));
    } finally {
      process.emit('SIGINT');
      await done;
    }
    await expectNoLeaks(before);
  });

  it.each([
    [['--speed', 'fast'], '--speed must be a number >= 0'],
    [['--port', '70000'], '--port must be a port number'],
    [['--copies', '0'], '--copies must be a number >= 1'],
    [['--bogus'], "Unknown option '--bogus'"],
    [['--scenario', 'nope'], 'unknown scenario "nope"'],
  ])('refuses %j', async (args, message) => {
    await expect(runSim(args)).rejects.toMatchObject({ code: 'CONFIG', message: expect.stringContaining(message) });
  });
});
