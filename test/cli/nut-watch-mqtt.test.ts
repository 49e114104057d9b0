// nut:// and apcupsd:// URLs where every device URL works: `rackpower watch` (in-process) and `rackpower mqtt` (the
// built CLI against a real Mosquitto), reading the simulated UPS as a NUT server and an apcupsd NIS endpoint.
// @module-tag peer: upsd
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runWatch } from '../../src/cli/watch';
import { startRack, type RunningRack } from '../../src/sim/rack';
import { loadScenario } from '../../src/sim/scenario';
import { ROOT, ensureBuilt } from '../harness/build';
import { record } from '../integrations/helpers/mqtt';
import { startMosquitto, type Peer } from '../integrations/helpers/peers';

let rack: RunningRack;
let broker: Peer;
const server = (profile: string): string => rack.servers.find((d) => d.profile === profile)!.url;

beforeAll(async () => {
  ensureBuilt();
  rack = await startRack(loadScenario('demo'), { speed: 0, upsServers: true });
  broker = await startMosquitto();
});
afterAll(async () => {
  await rack?.close();
  await broker?.stop();
});

describe('rackpower watch nut:// apcupsd://', () => {
  it('prints readings of both and ONBATT from both after the power cut', async () => {
    let out = '';
    let stop!: () => void;
    const until = new Promise<void>((resolve) => (stop = resolve));
    const done = runWatch([`${server('nut')}#via-nut`, `${server('apcupsd')}#via-apcupsd`, '--interval', '1', '--confirm', '1', '--state', 'none'], {
      out: { write: (t: string) => (out += t) },
      err: { write: () => 0 },
      until,
    });
    const lines = (): Record<string, unknown>[] => out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    try {
      await vi.waitFor(() => {
        expect(lines().find((l) => l.device === 'via-nut' && l.values)).toMatchObject({ values: { 'ups.status': 'OL' } });
        expect(lines().find((l) => l.device === 'via-apcupsd' && l.values)).toMatchObject({ values: { 'ups.status': 'OL' } });
      }, { timeout: 10_000 });
      rack.model.advance(70);
      await vi.waitFor(() => {
        const onbatt = lines().filter((l) => l.event === 'ONBATT').map((l) => l.device);
        expect(onbatt.sort()).toEqual(['via-apcupsd', 'via-nut']);
      }, { timeout: 10_000 });
    } finally {
      stop();
      await done;
    }
  }, 30_000);
});

describe('rackpower mqtt nut://', () => {
  it('publishes the NUT UPS readings, named ups@host:port (the port is not 3493)', async () => {
    const recorder = await record(broker.port, ['nut/#']);
    const topic = `nut/ups@127.0.0.1:${new URL(server('nut')).port}`;
    const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'src', 'cli', 'main.js'), 'mqtt', server('nut'), '--broker', `mqtt://127.0.0.1:${broker.port}`, '--prefix', 'nut', '--interval', '1', '--state', 'none'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      await vi.waitFor(() => expect(recorder.on(topic).length).toBeGreaterThan(0), { timeout: 15_000 });
      const payload = JSON.parse(recorder.on(topic)[0].payload) as Record<string, unknown>;
      expect(payload['battery.charge']).toBe(rack.model.values('ups')['battery.charge']);
    } finally {
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      await recorder.close();
    }
  }, 30_000);
});
