// `rackpower watch` keeps what it measures in its state file: energy counters continue after a restart of the
// command instead of starting over, and a state file it cannot read is refused, never overwritten.
// @module-tag slow: rackpower watch run and restarted in real time
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runWatch } from '../../src/cli/watch';
import { startRack, type RunningRack } from '../../src/sim/rack';
import { loadScenario } from '../../src/sim/scenario';

let rack: RunningRack;
beforeAll(async () => {
  rack = await startRack(loadScenario('battery-truth'), { speed: 1 });
});
afterAll(async () => rack?.close());

async function watch(args: string[], readings: number): Promise<Record<string, unknown>[]> {
  let out = '';
  let stop!: () => void;
  const until = new Promise<void>((resolve) => (stop = resolve));
  const done = runWatch(args, { out: { write: (t: string) => (out += t) }, err: { write: () => 0 }, until });
  const lines = (): Record<string, unknown>[] => out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  try {
    await vi.waitFor(() => expect(lines().filter((l) => l.values).length).toBeGreaterThanOrEqual(readings), { timeout: 30_000, interval: 100 });
  } finally {
    stop();
    await done;
  }
  return lines().filter((l) => l.values);
}

describe('rackpower watch state', () => {
  it('continues the energy counter after a restart, and says why nothing is learned yet', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'rackpower-watch-'));
    const state = path.join(dir, 'state.json');
    const url = `${rack.devices.find((d) => d.kind === 'ups')!.url}#ups`;
    const first = await watch([url, '--interval', '1', '--state', state], 4);
    expect(first[0].battery).toBe('learning the battery: no discharge seen yet');
    const energy = (l: Record<string, unknown>): number => Number((l.values as Record<string, number>)['output.energy']);
    const before = energy(first.at(-1)!);
    expect(before).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(state, 'utf8'))).toHaveProperty('energy_name_ups');
    // About 0.5 Wh per poll, published in whole Wh: a few polls to see it grow.
    const second = await watch([url, '--interval', '1', '--state', state], 6);
    expect(energy(second[0])).toBeGreaterThanOrEqual(before);
    expect(energy(second.at(-1)!)).toBeGreaterThan(before);
  }, 90_000);

  it('refuses a state file that is not its own instead of overwriting it', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'rackpower-watch-')), 'state.json');
    writeFileSync(file, 'not json');
    await expect(runWatch([`${rack.devices[0].url}#ups`, '--state', file], { out: { write: () => 0 }, err: { write: () => 0 }, until: Promise.resolve() })).rejects.toThrow(
      /is not rackpower state/u,
    );
    expect(readFileSync(file, 'utf8')).toBe('not json');
  });
});
