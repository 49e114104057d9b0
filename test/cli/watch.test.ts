// `rackpower watch` and `rackpower traps` in-process against the simulated rack: JSON lines for readings, the
// ONBATT event after a power cut, a trap that makes the UPS poll at once, and the traps command printing a
// normalized trap. The commands stop when the test resolves their `until` promise, as Ctrl-C would.
// @module-tag peer: snmptrap
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseListen, runTraps } from '../../src/cli/traps';
import { runWatch } from '../../src/cli/watch';
import { startRack, type RunningRack } from '../../src/sim/rack';
import { parseScenario } from '../../src/sim/scenario';
import { freeUdpPort } from '../harness/ports';

const send = promisify(execFile);
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** Runs a command with captured output; `stop()` ends it and waits for it to close everything. */
function start(run: typeof runWatch, args: string[]): { lines: () => Record<string, unknown>[]; err: string[]; stop: () => Promise<void> } {
  let out = '';
  const err: string[] = [];
  let stop!: () => void;
  const until = new Promise<void>((resolve) => (stop = resolve));
  const done = run(args, { out: { write: (t: string) => (out += t) }, err: { write: (t: string) => err.push(t) }, until });
  const handle = { lines: () => out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>), err, stop: () => (stop(), done) };
  cleanups.push(() => handle.stop());
  return handle;
}

async function rack(): Promise<RunningRack> {
  const r = await startRack(parseScenario({ name: 'watch', devices: [{ name: 'ups', profile: 'ietf-ups' }], events: [{ at: 10, action: 'power-cut' }] }, 'watch.test.ts'), { speed: 0 });
  cleanups.push(() => r.close());
  return r;
}

describe('rackpower watch', () => {
  it('prints readings as JSON lines and, on a trap, the event from the poll it triggers', async () => {
    const r = await rack();
    const trapPort = await freeUdpPort();
    const watch = start(runWatch, [`${r.devices[0].url}?timeout=500&retries=0#rack-ups`, '--interval', '3600', '--traps', `127.0.0.1:${trapPort}`, '--state', 'none']);
    await vi.waitFor(() => expect(watch.lines().length).toBeGreaterThan(0), { timeout: 5000 });
    expect(watch.lines()[0]).toMatchObject({ device: 'rack-ups', values: { 'ups.status': 'OL' } });
    r.model.advance(11);
    await send('snmptrap', ['-v', '2c', '-c', 'public', `127.0.0.1:${trapPort}`, '', '1.3.6.1.2.1.33.2.1']);
    // the trap's own line says ONBATT too; wait for the device's event line from the poll the trap triggered
    await vi.waitFor(() => expect(watch.lines().find((l) => l.event === 'ONBATT' && !l.trap)).toBeDefined(), { timeout: 5000 });
    const lines = watch.lines();
    expect(lines.find((l) => l.trap)).toMatchObject({ trap: 'upsTrapOnBattery', event: 'ONBATT', source: '127.0.0.1' });
    expect(lines.find((l) => l.event === 'ONBATT' && !l.trap)).toMatchObject({ event: 'ONBATT', device: 'rack-ups', previous: 'OL', message: 'rack-ups is on battery' });
  });

  it('refuses a call without URLs', async () => {
    await expect(runWatch([], { out: { write: () => 0 }, err: { write: () => 0 }, until: Promise.resolve() })).rejects.toMatchObject({ code: 'CONFIG' });
  });
});

describe('rackpower traps', () => {
  it('prints each accepted trap as one JSON line', async () => {
    const port = await freeUdpPort();
    const traps = start(runTraps, ['--listen', `127.0.0.1:${port}`, '--community', 'rack']);
    await vi.waitFor(() => expect(traps.err.join('')).toContain(`listening for traps on 127.0.0.1:${port}`));
    await send('snmptrap', ['-v', '1', '-c', 'rack', `127.0.0.1:${port}`, '1.3.6.1.4.1.318', '127.0.0.1', '6', '268', '']);
    await vi.waitFor(() => expect(traps.lines()).toHaveLength(1), { timeout: 5000 });
    expect(traps.lines()[0]).toMatchObject({ event: 'OUTLETON', trap: 'rPDUOutletOn', vendor: 'apc', version: 1 });
  });

  it('reads --listen forms', () => {
    expect(parseListen('0.0.0.0:162')).toEqual({ host: '0.0.0.0', port: 162 });
    expect(parseListen('[::1]:1162')).toEqual({ host: '::1', port: 1162 });
    expect(parseListen('9162')).toEqual({ host: '0.0.0.0', port: 9162 });
    expect(parseListen('localhost')).toEqual({ host: 'localhost', port: 1162 });
    expect(() => parseListen('a:b:c')).toThrow(/host:port/);
  });
});
