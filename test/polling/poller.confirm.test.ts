// Debounced status events: with confirmPolls 2 a change seen once is read again after confirmDelayMs (not a whole
// interval later), so a real power cut is reported quickly and a single odd reading is not reported at all.
import { afterEach, describe, expect, it } from 'vitest';
import { openDevice } from '../../src/device';
import { DevicePoller } from '../../src/polling/poller';
import { startRack, type RunningRack } from '../../src/sim/rack';
import { parseScenario } from '../../src/sim/scenario';
import { parseTarget } from '../../src/url';

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** A UPS whose mains fail at 10 s for 5 s; polled every 60 s, so only a confirming poll can come in between. */
async function ups(): Promise<{ rack: RunningRack; poller: DevicePoller; events: string[] }> {
  const scenario = parseScenario({ name: 'confirm', devices: [{ name: 'ups', profile: 'ietf-ups' }], events: [{ at: 10, action: 'power-cut', duration: 5 }] }, 'poller.confirm.test.ts');
  const rack = await startRack(scenario, { speed: 0 });
  cleanups.push(() => rack.close());
  const device = openDevice(parseTarget(`${rack.devices[0].url}?timeout=500&retries=0`));
  cleanups.push(() => device.close());
  const poller = new DevicePoller(device.reader, { name: 'ups', address: device.address, intervalMs: 60_000, confirmPolls: 2, confirmDelayMs: 200 });
  cleanups.push(() => poller.stop());
  const events: string[] = [];
  poller.on('event', (e) => events.push(e.event));
  return { rack, poller, events };
}

const nextPoll = (p: DevicePoller): Promise<string | undefined> =>
  new Promise((resolve) => p.once('reading', (r) => resolve(r.values['ups.status'] as string | undefined)));

describe('status changes are confirmed by a quick second reading', () => {
  it('a real power cut: ONBATT from the confirming poll, long before the 60 s interval', async () => {
    const { rack, poller, events } = await ups();
    let reading = nextPoll(poller);
    poller.start();
    expect(await reading).toMatch(/^OL/u);
    rack.model.advance(11);
    reading = nextPoll(poller);
    poller.pollNow();
    expect(await reading).toMatch(/^OB/u);
    expect(events).toEqual([]); // seen once: not yet
    expect(await nextPoll(poller)).toMatch(/^OB/u); // the confirming poll, which nobody asked for
    expect(events).toEqual(['ONBATT']);
  });

  it('one odd reading: the confirming poll disagrees and nothing is reported', async () => {
    const { rack, poller, events } = await ups();
    let reading = nextPoll(poller);
    poller.start();
    await reading;
    rack.model.advance(11);
    reading = nextPoll(poller);
    poller.pollNow();
    expect(await reading).toMatch(/^OB/u);
    rack.model.advance(10); // mains back before the confirming poll
    expect(await nextPoll(poller)).toMatch(/^OL/u);
    expect(events).toEqual([]);
  });
});
