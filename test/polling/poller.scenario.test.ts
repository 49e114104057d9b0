// DevicePoller with the real SNMP and Modbus readers against the simulated rack, the model paused (speed 0) and
// stepped by hand: every scenario event becomes the NUT event a flow acts on, within one poll, and failures stay
// failures (COMMBAD), never a guessed power state. Polls are triggered with pollNow() and awaited through the
// 'stats' event every poll ends with: no sleeps, no timing assertions.
import { afterEach, describe, expect, it } from 'vitest';
import { openDevice, type OpenDevice } from '../../src/device';
import type { RackpowerError } from '../../src/errors';
import { MessageBuilder, type ReadingMessage } from '../../src/normalize/messages';
import { isTextVariable, statusTokens } from '../../src/normalize/nut';
import { DevicePoller, type PollStats } from '../../src/polling/poller';
import type { DeviceReader, Identification } from '../../src/polling/types';
import { startRack, type RunningRack } from '../../src/sim/rack';
import { parseScenario } from '../../src/sim/scenario';
import type { DeviceEvent, EventName, Reading, StatusFlags, Values } from '../../src/types';
import { parseTarget } from '../../src/url';
import { freeUdpPort } from '../harness/ports';
import { expectNoLeaks, openHandles } from '../sim/helpers';

// ------------------------------------------------------------------------------------------------ fixtures

/** A rack (UPS, 8-outlet PDU, sensor, meter) with the given timeline, paused. */
async function rackWith(events: unknown[]): Promise<RunningRack> {
  const scenario = parseScenario(
    {
      name: 'poller-test',
      devices: [
        { name: 'ups', profile: 'ietf-ups' },
        { name: 'pdu', profile: 'apc-rpdu2', outlets: 8 },
        { name: 'sensor', profile: 'xy-md02', unit: 1 },
        { name: 'meter', profile: 'eastron-sdm120', unit: 2 },
      ],
      events,
    },
    'poller.scenario.test.ts',
  );
  const rack = await startRack(scenario, { speed: 0 });
  cleanups.push(() => rack.close());
  return rack;
}

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  // last opened, first closed: pollers before devices before racks
  while (cleanups.length) await cleanups.pop()!();
});

/** The device's URL with short timeouts (a lost reply costs 500 ms, not the 2 s × 2 default). */
function urlOf(rack: RunningRack, name: string): string {
  const url = rack.devices.find((d) => d.name === name)!.url;
  return url + (url.includes('?') ? '&' : '?') + 'timeout=500' + (url.startsWith('snmp') ? '&retries=0' : '');
}

function open(url: string): OpenDevice {
  const device = openDevice(parseTarget(url));
  cleanups.push(() => device.close());
  return device;
}

/** A poller on its own timer that, with a 60 s interval, polls only when the test says so. */
function pollerFor(device: OpenDevice | { reader: DeviceReader; address: string }, name: string, intervalMs = 60_000, reader?: DeviceReader): DevicePoller {
  const poller = new DevicePoller(reader ?? device.reader, { name, address: device.address, intervalMs });
  cleanups.push(() => poller.stop());
  return poller;
}

interface Poll {
  readings: Reading[];
  events: DeviceEvent[];
  failures: RackpowerError[];
  stats: PollStats;
}

/** Triggers one poll (pollNow, or start for the first) and resolves with what it emitted, when it ends. */
function pollOnce(poller: DevicePoller, trigger: () => void = () => poller.pollNow()): Promise<Poll> {
  const readings: Reading[] = [];
  const events: DeviceEvent[] = [];
  const failures: RackpowerError[] = [];
  const onReading = (r: Reading): number => readings.push(r);
  const onEvent = (e: DeviceEvent): number => events.push(e);
  const onFailure = (f: RackpowerError): number => failures.push(f);
  poller.on('reading', onReading);
  poller.on('event', onEvent);
  poller.on('failure', onFailure);
  return new Promise((resolve) => {
    poller.once('stats', (stats) => {
      poller.off('reading', onReading);
      poller.off('event', onEvent);
      poller.off('failure', onFailure);
      resolve({ readings, events, failures, stats });
    });
    trigger();
  });
}

const names = (events: DeviceEvent[]): EventName[] => events.map((e) => e.event);
/** msg.flags of the reading message a node would send. */
const flagsOf = (reading: Reading): StatusFlags => (new MessageBuilder({ mode: 'always' }).reading(reading)[0] as ReadingMessage).flags;

/** Every value is a finite number, or text where NUT has text: never NaN, never "garbage" as a voltage. */
function expectWellTyped(values: Values): void {
  for (const [name, value] of Object.entries(values)) {
    if (isTextVariable(name)) expect(typeof value, name).toBe('string');
    else {
      expect(typeof value, `${name} = ${JSON.stringify(value)}`).toBe('number');
      expect(Number.isFinite(value), `${name} = ${value}`).toBe(true);
    }
  }
}

// ------------------------------------------------------------------------------------------------ power events

describe('UPS power events', () => {
  it('a power cut gives ONBATT within one poll, the return gives ONLINE; msg.flags follow', async () => {
    const rack = await rackWith([{ at: 10, action: 'power-cut', duration: 30 }]);
    const poller = pollerFor(open(urlOf(rack, 'ups')), 'rack-ups');

    const first = await pollOnce(poller, () => poller.start());
    expect(first.failures).toEqual([]);
    expect(first.readings[0].values['ups.status']).toBe('OL');
    expect(first.readings[0].device).toMatchObject({ name: 'rack-ups', kind: 'ups', profile: 'ietf-ups' });
    expect(names(first.events)).toEqual([]); // a healthy start is silent
    expect(flagsOf(first.readings[0])).toMatchObject({ online: true, onBattery: false, lowBattery: false });

    rack.model.advance(11);
    const cut = await pollOnce(poller);
    expect(cut.readings).toHaveLength(1);
    expect(statusTokens(cut.readings[0].values['ups.status'])).toContain('OB');
    expect(names(cut.events)).toEqual(['ONBATT']);
    expect(cut.events[0]).toMatchObject({ previous: 'OL', current: cut.readings[0].values['ups.status'], device: { name: 'rack-ups' } });
    expect(cut.events[0].message).toContain('rack-ups');
    expect(flagsOf(cut.readings[0])).toMatchObject({ online: false, onBattery: true });

    // still on battery: no repeated event
    rack.model.advance(5);
    expect(names((await pollOnce(poller)).events)).toEqual([]);

    rack.model.advance(30); // t = 46: power back since 40
    const back = await pollOnce(poller);
    expect(back.readings[0].values['ups.status']).toBe('OL');
    expect(names(back.events)).toEqual(['ONLINE']);
    expect(flagsOf(back.readings[0])).toMatchObject({ online: true, onBattery: false });
  });

  it('a battery draining to low gives LOWBATT (and lowBattery in msg.flags)', async () => {
    const rack = await rackWith([{ at: 10, action: 'power-cut' }]);
    const poller = pollerFor(open(urlOf(rack, 'ups')), 'ups');
    await pollOnce(poller, () => poller.start());
    rack.model.advance(11);
    expect(names((await pollOnce(poller)).events)).toEqual(['ONBATT']);
    // about 25 min of battery at this load: a minute at a time until the model says LB (bounded)
    for (let i = 0; i < 120 && !statusTokens(rack.model.values('ups')['ups.status']).includes('LB'); i++) rack.model.advance(60);
    const low = await pollOnce(poller);
    expect(statusTokens(low.readings[0].values['ups.status'])).toEqual(expect.arrayContaining(['OB', 'LB']));
    expect(names(low.events)).toEqual(['LOWBATT']);
    expect(flagsOf(low.readings[0])).toMatchObject({ onBattery: true, lowBattery: true });
    expect(low.readings[0].values['battery.runtime']).toBeLessThan(300 + 60);
  });
});

// ------------------------------------------------------------------------------------------------ comms

describe('a UPS that stops answering', () => {
  it('gives COMMBAD after 2 failed polls (never ONBATT), then COMMOK when it answers again', async () => {
    const rack = await rackWith([{ at: 10, action: 'comms-lost', device: 'ups', duration: 20 }]);
    const poller = pollerFor(open(urlOf(rack, 'ups')), 'ups');
    const all: DeviceEvent[] = [];
    poller.on('event', (e) => all.push(e));
    await pollOnce(poller, () => poller.start());

    rack.model.advance(11);
    const lost1 = await pollOnce(poller);
    expect(lost1.readings).toEqual([]);
    expect(lost1.failures.map((f) => f.code)).toEqual(['TIMEOUT']);
    expect(names(lost1.events)).toEqual([]); // one lost poll is not an outage
    expect(lost1.stats.ok).toBe(false);

    const lost2 = await pollOnce(poller);
    expect(lost2.failures.map((f) => f.code)).toEqual(['TIMEOUT']);
    expect(names(lost2.events)).toEqual(['COMMBAD']);
    expect(lost2.events[0]).toMatchObject({ previous: 'reachable', current: 'unreachable', error: { code: 'TIMEOUT' } });
    expect(poller.state).toBe('failing');

    const lost3 = await pollOnce(poller);
    expect(names(lost3.events)).toEqual([]); // COMMBAD once per outage

    rack.model.advance(20); // t = 31: answering again
    const back = await pollOnce(poller);
    expect(back.readings).toHaveLength(1);
    expect(names(back.events)).toEqual(['COMMOK']);
    expect(back.readings[0].values['ups.status']).toBe('OL');
    expect(names(all)).toEqual(['COMMBAD', 'COMMOK']);
    expect(names(all)).not.toContain('ONBATT');
  });

  it('a power cut during the silence is reported only once the UPS answers: COMMOK, then ONBATT', async () => {
    const rack = await rackWith([
      { at: 10, action: 'comms-lost', device: 'ups', duration: 20 },
      { at: 15, action: 'power-cut', duration: 100 },
    ]);
    const poller = pollerFor(open(urlOf(rack, 'ups')), 'ups');
    const all: DeviceEvent[] = [];
    poller.on('event', (e) => all.push(e));
    await pollOnce(poller, () => poller.start());
    rack.model.advance(11);
    await pollOnce(poller);
    await pollOnce(poller);
    rack.model.advance(5); // t = 16: on battery, but nobody can tell
    expect(statusTokens(rack.model.values('ups')['ups.status'])).toContain('OB');
    const silent = await pollOnce(poller);
    expect(silent.failures).toHaveLength(1);
    expect(names(all)).toEqual(['COMMBAD']);

    rack.model.advance(15); // t = 31
    const back = await pollOnce(poller);
    expect(names(back.events)).toEqual(['COMMOK', 'ONBATT']);
    expect(flagsOf(back.readings[0]).onBattery).toBe(true);
  });
});

// ------------------------------------------------------------------------------------------------ garbage

describe('garbage on the wire', () => {
  it('SNMP values of the wrong type are omitted, never published as numbers; the reading recovers after', async () => {
    const rack = await rackWith([{ at: 10, action: 'garbage', device: 'ups', duration: 10 }]);
    const poller = pollerFor(open(urlOf(rack, 'ups')), 'ups');
    const first = await pollOnce(poller, () => poller.start());
    expect(first.readings).toHaveLength(1);

    rack.model.advance(11);
    const truth = rack.model.values('ups');
    let readings = 0;
    let failures = 0;
    for (let i = 0; i < 3; i++) {
      const p = await pollOnce(poller);
      readings += p.readings.length;
      failures += p.failures.length;
      // either the poll fails as a protocol error, or it reads with the confused values left out
      for (const f of p.failures) expect(f.code).toBe('PROTOCOL');
      for (const r of p.readings) {
        expectWellTyped(r.values);
        // what is still published is what the simulator measures (static text from the cache, not garbage)
        for (const [name, value] of Object.entries(r.values)) {
          if (typeof value !== 'number' || typeof truth[name] !== 'number' || name === 'device.uptime') continue;
          const slack = name === 'battery.runtime' ? 60 : 0.11;
          expect(Math.abs(value - (truth[name] as number)), name).toBeLessThanOrEqual(slack);
        }
        expect(r.values['ups.status']).toBeUndefined();
        expect(r.values['battery.charge']).toBeUndefined();
        expect(r.values['input.voltage']).toBeUndefined();
      }
      // no status was read: no guessed power event
      expect(names(p.events).filter((e) => e !== 'COMMBAD')).toEqual([]);
    }
    // well-formed SNMP carrying no usable value is a PROTOCOL failure, not a reading of cached statics
    expect(readings).toBe(0);
    expect(failures).toBe(3);

    rack.model.advance(10); // t = 21: sane again
    const after = await pollOnce(poller);
    expect(after.readings).toHaveLength(1);
    expectWellTyped(after.readings[0].values);
    expect(after.readings[0].values['ups.status']).toBe('OL');
    expect(typeof after.readings[0].values['battery.charge']).toBe('number');
  });

  it('a Modbus meter sending exceptions and noise: PROTOCOL failures or well-typed finite numbers, no NaN', async () => {
    const rack = await rackWith([{ at: 10, action: 'garbage', device: 'meter', duration: 30 }]);
    const poller = pollerFor(open(urlOf(rack, 'meter')), 'meter');
    const first = await pollOnce(poller, () => poller.start());
    expect(first.readings).toHaveLength(1);
    expectWellTyped(first.readings[0].values);

    rack.model.advance(11);
    let failures = 0;
    let readings = 0;
    for (let i = 0; i < 12; i++) {
      const p = await pollOnce(poller);
      for (const f of p.failures) expect(f.code).toBe('PROTOCOL');
      for (const r of p.readings) expectWellTyped(r.values);
      failures += p.failures.length;
      readings += p.readings.length;
      expect(p.failures.length + p.readings.length).toBe(1);
    }
    // half the replies are Modbus exceptions: some polls fail
    expect(failures).toBeGreaterThan(0);
    expect(failures + readings).toBe(12);
  });
});

// ------------------------------------------------------------------------------------------------ scheduling

/** A DeviceReader around a real one that counts calls in flight and can hold read() at a gate. */
class CountingReader implements DeviceReader {
  active = 0;
  maxActive = 0;
  reads = 0;
  private gate: Promise<void> | undefined;
  private openGate: (() => void) | undefined;
  /** Waiters for readStarted(): true once satisfied (and dropped). */
  private entered: (() => boolean)[] = [];

  constructor(private readonly inner: DeviceReader) {}

  get requestCount(): number {
    return this.inner.requestCount;
  }

  /** read() waits until release(). */
  hold(): void {
    this.gate = new Promise((resolve) => (this.openGate = resolve));
  }

  release(): void {
    this.openGate?.();
    this.gate = undefined;
  }

  /** Resolves when read() number `n` (1-based) has started. */
  readStarted(n: number): Promise<void> {
    if (this.reads >= n) return Promise.resolve();
    return new Promise((resolve) =>
      this.entered.push(() => {
        if (this.reads < n) return false;
        resolve();
        return true;
      }),
    );
  }

  identify(): Promise<Identification> {
    return this.track(() => this.inner.identify());
  }

  read(): Promise<Values> {
    this.reads++;
    this.entered = this.entered.filter((f) => !f());
    return this.track(async () => {
      await this.gate;
      return this.inner.read();
    });
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private async track<T>(call: () => Promise<T>): Promise<T> {
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      return await call();
    } finally {
      this.active--;
    }
  }
}

describe('scheduling', () => {
  it('a dead device never delays another: the live UPS reads 3 times while the dead one’s first poll is pending', async () => {
    const rack = await rackWith([]);
    const port = await freeUdpPort();
    const deadDevice = open(`snmp://127.0.0.1:${port}?timeout=1500&retries=0`);
    const dead = pollerFor(deadDevice, 'dead', 200);
    const live = pollerFor(open(urlOf(rack, 'ups')), 'ups', 200);
    const deadStats: PollStats[] = [];
    const deadFailures: RackpowerError[] = [];
    dead.on('stats', (s) => deadStats.push(s));
    dead.on('failure', (f) => deadFailures.push(f));
    let liveReadings = 0;
    const three = new Promise<void>((resolve) => live.on('reading', () => ++liveReadings === 3 && resolve()));

    dead.start();
    live.start();
    await three;
    expect(deadStats).toEqual([]); // its first poll has not ended yet
    expect(deadFailures).toEqual([]);
    expect(dead.state).toBe('identifying');

    // and it does end, as a timeout, on its own schedule
    const deadFirst = await new Promise<PollStats>((resolve) => (deadStats.length ? resolve(deadStats[0]) : dead.once('stats', resolve)));
    expect(deadFirst.ok).toBe(false);
    expect(deadFailures.map((f) => f.code)).toEqual(['TIMEOUT']);
  });

  it('pollNow while a poll runs queues one more poll, never a concurrent one', async () => {
    const rack = await rackWith([]);
    const device = open(urlOf(rack, 'ups'));
    const reader = new CountingReader(device.reader);
    const poller = pollerFor(device, 'ups', 60_000, reader);
    const readings: Reading[] = [];
    poller.on('reading', (r) => readings.push(r));

    reader.hold();
    const firstDone = pollOnce(poller, () => poller.start());
    await reader.readStarted(1);
    for (let i = 0; i < 5; i++) poller.pollNow();
    expect(reader.active).toBe(1);
    const secondDone = new Promise<void>((resolve) => poller.on('stats', () => reader.reads >= 2 && resolve()));
    reader.release();
    await firstDone;
    await secondDone;
    // the queued poll has run; nothing else is scheduled before the 60 s interval
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(reader.reads).toBe(2);
    expect(readings).toHaveLength(2);
    expect(reader.maxActive).toBe(1);
  });

  it('pollNow hammered from every reading (interval 200 ms) never overlaps two reads', async () => {
    const rack = await rackWith([]);
    const device = open(urlOf(rack, 'pdu'));
    const reader = new CountingReader(device.reader);
    const poller = pollerFor(device, 'pdu', 200, reader);
    let count = 0;
    const six = new Promise<void>((resolve) =>
      poller.on('reading', () => {
        for (let i = 0; i < 3; i++) poller.pollNow();
        if (++count === 6) resolve();
      }),
    );
    poller.start();
    for (let i = 0; i < 10; i++) poller.pollNow();
    await six;
    await poller.stop();
    expect(reader.maxActive).toBe(1);
    expect(reader.active).toBe(0);
  });

  it('stop() while a read is in flight resolves after it and leaves no timer or socket behind', async () => {
    const before = openHandles();
    const rack = await startRack(
      parseScenario({ name: 'one-ups', devices: [{ name: 'ups', profile: 'ietf-ups' }] }, 'poller.scenario.test.ts'),
      { speed: 0 },
    );
    const device = openDevice(parseTarget(urlOf(rack, 'ups')));
    const reader = new CountingReader(device.reader);
    const poller = new DevicePoller(reader, { name: 'ups', address: device.address, intervalMs: 200 });
    reader.hold();
    poller.start();
    await reader.readStarted(1);
    let stopped = false;
    const stopping = poller.stop().then(() => (stopped = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false); // waits for the read in flight
    expect(poller.state).toBe('stopped');
    reader.release();
    await stopping;
    expect(reader.active).toBe(0);
    poller.pollNow(); // ignored once stopped
    expect(reader.reads).toBe(1);
    await device.close();
    await rack.close();
    await expectNoLeaks(before);
  });

  it('stop() during a poll of a dead device resolves when the request gives up; no timer remains', async () => {
    const before = openHandles();
    const port = await freeUdpPort();
    const device = openDevice(parseTarget(`snmp://127.0.0.1:${port}?timeout=300&retries=0`));
    const poller = new DevicePoller(device.reader, { name: 'dead', address: device.address, intervalMs: 200 });
    const failures: RackpowerError[] = [];
    poller.on('failure', (f) => failures.push(f));
    const identifying = new Promise<void>((resolve) => poller.once('state', (s) => s === 'identifying' && resolve()));
    poller.start();
    await identifying;
    await poller.stop();
    expect(failures.map((f) => f.code)).toEqual(['TIMEOUT']);
    await device.close();
    await expectNoLeaks(before);
  });
});
