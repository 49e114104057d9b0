// A trap makes the matching device poll at once: the simulated UPS loses mains, a real snmptrap reaches the
// receiver, the registry finds the poller by address, and ONBATT comes from that poll, long before the 60 s
// interval. With confirmPolls 2 a single odd poll does not flip the state, but a trap-triggered poll does.
// @module-tag peer: snmptrap
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { openDevice } from '../../src/device';
import { DevicePoller } from '../../src/polling/poller';
import { startRack, type RunningRack } from '../../src/sim/rack';
import { parseScenario } from '../../src/sim/scenario';
import { TrapReceiver } from '../../src/traps/receiver';
import { TrapRegistry } from '../../src/traps/registry';
import type { DeviceEvent } from '../../src/types';
import { parseTarget } from '../../src/url';

const run = promisify(execFile);
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function upsPoller(confirmPolls?: number): Promise<{ rack: RunningRack; poller: DevicePoller; host: string }> {
  const scenario = parseScenario({ name: 'traps', devices: [{ name: 'ups', profile: 'ietf-ups' }], events: [{ at: 10, action: 'power-cut' }] }, 'trap-poll.test.ts');
  const rack = await startRack(scenario, { speed: 0 });
  cleanups.push(() => rack.close());
  const device = openDevice(parseTarget(`${rack.devices[0].url}?timeout=500&retries=0`));
  cleanups.push(() => device.close());
  const poller = new DevicePoller(device.reader, { name: 'ups', address: device.address, intervalMs: 60_000, confirmPolls });
  cleanups.push(() => poller.stop());
  return { rack, poller, host: new URL(rack.devices[0].url).hostname };
}

const polled = (p: DevicePoller): Promise<void> => new Promise((resolve) => p.once('stats', () => resolve()));
const nextEvent = (p: DevicePoller): Promise<DeviceEvent> => new Promise((resolve) => p.once('event', resolve));

describe('trap → poll → event', () => {
  it('upsTrapOnBattery from snmptrap makes the UPS poller poll at once: ONBATT without waiting for the interval', async () => {
    const { rack, poller, host } = await upsPoller();
    const registry = new TrapRegistry();
    cleanups.push(registry.register({ id: 'ups', host, trap: () => poller.trap() }));
    const receiver = new TrapReceiver({ host: '127.0.0.1', port: 0 });
    receiver.on('trap', (t) => registry.match(t.source.address).forEach((target) => target.trap()));
    const { port } = await receiver.start();
    cleanups.push(() => receiver.close());

    const first = polled(poller);
    poller.start();
    await first; // OL; the next scheduled poll is 60 s away
    rack.model.advance(11);
    const event = nextEvent(poller);
    await run('snmptrap', ['-v', '2c', '-c', 'public', `127.0.0.1:${port}`, '', '1.3.6.1.2.1.33.2.1']);
    expect(await event).toMatchObject({ event: 'ONBATT', previous: 'OL', device: { name: 'ups' } });
  });

  it('confirmPolls 2: one odd poll is not enough, the second agreeing poll fires; a trap confirms on its own', async () => {
    const { rack, poller } = await upsPoller(2);
    const events: string[] = [];
    poller.on('event', (e) => events.push(e.event));
    let p = polled(poller);
    poller.start();
    await p;
    rack.model.advance(11);
    p = polled(poller);
    poller.pollNow();
    await p;
    expect(events).toEqual([]); // one poll saw OB: not yet
    p = polled(poller);
    poller.pollNow();
    await p;
    expect(events).toEqual(['ONBATT']);

    // confirmPolls 3, and the change arrives with a trap: the trap's poll counts as confirmed
    const { rack: rack2, poller: second } = await upsPoller(3);
    const seen: string[] = [];
    second.on('event', (e) => seen.push(e.event));
    p = polled(second);
    second.start();
    await p;
    rack2.model.advance(11);
    p = polled(second);
    second.trap();
    await p;
    expect(seen).toEqual(['ONBATT']);
  });
});
