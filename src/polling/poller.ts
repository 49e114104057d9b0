// Polls one device on its own timer: never two polls of one device at once, a dead device backs off without
// touching anyone else's schedule, reachability becomes COMMBAD/COMMOK/NOCOMM, status changes become NUT events.
import { EventEmitter } from 'node:events';
import { asRackpowerError, type RackpowerError } from '../errors';
import { eventMessage, statusEvents } from '../normalize/events';
import type { DeviceEvent, DeviceIdentity, DeviceKind, EventName, Reading } from '../types';
import type { DeviceReader, Identification } from './types';

/** How soon a poll confirms a status change it has seen once (confirmPolls ≥ 2). */
const DEFAULT_CONFIRM_DELAY_MS = 1000;

export interface PollerOptions {
  /** The user's name for the device. */
  name: string;
  /** What the device is expected to be until it is identified (a UPS node: 'ups'). */
  kind?: DeviceKind;
  /** Address without secrets, for msg.device.address. */
  address: string;
  intervalMs: number;
  /** Consecutive failed polls before COMMBAD (default 2: one lost poll is not an outage). */
  commbadAfter?: number;
  /** Time without an answer before NOCOMM (default 300 s, NUT's NOCOMMWARNTIME). */
  nocommAfterMs?: number;
  /** Ceiling of the failure backoff (default max(interval, 60 s)). */
  maxBackoffMs?: number;
  /**
   * Consecutive polls that must agree on a new `ups.status` before its events fire (default 1: at once, so ONBATT
   * comes within one poll). 2 or more ignores a single odd reading; a trap confirms a change on its own (trap()).
   */
  confirmPolls?: number;
  /** Delay of the confirming poll after a change was seen (default 1 s, at most the interval). */
  confirmDelayMs?: number;
  now?: () => number;
}

export interface PollStats {
  /** When the poll should have started and when it did (ms epoch): lateness is the difference. */
  scheduledAt: number;
  startedAt: number;
  durationMs: number;
  requests: number;
  ok: boolean;
}

export type PollerState = 'idle' | 'identifying' | 'polling' | 'failing' | 'paused' | 'stopped';

interface PollerEvents {
  reading: [Reading];
  event: [DeviceEvent];
  failure: [RackpowerError];
  stats: [PollStats];
  state: [PollerState];
}

export class DevicePoller extends EventEmitter<PollerEvents> {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private identity: Identification | undefined;
  private status: string | undefined;
  /** A status seen but not yet confirmed by `confirmPolls` polls in a row, and how many polls have seen it. */
  private candidate: { status: string; seen: number } | undefined;
  /** A trap asked for the current poll: its reading is evidence enough, without waiting for more polls. */
  private trapPending = false;
  private trapPoll = false;
  private failures = 0;
  private commBad = false;
  private noComm = false;
  private lastAnswerAt: number;
  private nextAt = 0;
  private confirmAt: number | undefined;
  private stateNow: PollerState = 'idle';
  private readonly now: () => number;

  constructor(
    private readonly reader: DeviceReader,
    private readonly options: PollerOptions,
  ) {
    super();
    this.now = options.now ?? Date.now;
    this.lastAnswerAt = this.now();
  }

  get state(): PollerState {
    return this.stateNow;
  }

  get intervalMs(): number {
    return this.options.intervalMs;
  }

  /** The device as last identified (kind and profile unknown until the first successful poll). */
  device(): DeviceIdentity {
    const id = this.identity;
    // A fresh object every call (it reaches user flows), built without spreading temporary objects: once per poll.
    const device = { name: this.options.name, kind: id?.kind ?? this.options.kind ?? 'ups', profile: id?.profile ?? 'unknown' } as DeviceIdentity;
    if (id?.manufacturer) device.manufacturer = id.manufacturer;
    if (id?.model) device.model = id.model;
    if (id?.serial) device.serial = id.serial;
    if (id?.firmware) device.firmware = id.firmware;
    device.address = this.options.address;
    return device;
  }

  start(): void {
    if (this.stateNow === 'stopped') return;
    this.nextAt = this.now();
    this.schedule(0);
  }

  /** Polls as soon as possible; when a poll is running, one more follows it (requests are never stacked). */
  pollNow(): void {
    if (this.stateNow === 'stopped' || this.stateNow === 'paused') return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.nextAt = this.now();
    this.schedule(0);
  }

  /**
   * A trap says the device changed: poll at once, and let that poll's status count as confirmed (the trap and the
   * reading are two observations), so state and events agree within one round trip even with `confirmPolls` > 1.
   */
  trap(): void {
    if (this.stateNow === 'stopped' || this.stateNow === 'paused') return;
    this.trapPending = true;
    this.pollNow();
  }

  setIntervalMs(ms: number): void {
    this.options.intervalMs = ms;
    if (!this.running && this.stateNow !== 'paused' && this.stateNow !== 'stopped') {
      this.nextAt = this.now() + ms;
      this.schedule(ms);
    }
  }

  pause(): void {
    if (this.stateNow === 'stopped') return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.setState('paused');
  }

  resume(): void {
    if (this.stateNow !== 'paused') return;
    this.setState('idle');
    this.pollNow();
  }

  /** Stops the timer and waits for a poll in flight, so a redeploy leaves nothing behind. */
  async stop(): Promise<void> {
    this.setState('stopped');
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
    await this.reader.close();
  }

  private setState(state: PollerState): void {
    if (this.stateNow === state) return;
    this.stateNow = state;
    this.emit('state', state);
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(this.startPoll, Math.max(0, delayMs));
  }

  // Both bound once per poller rather than a closure per poll.
  private readonly startPoll = (): void => {
    this.timer = undefined;
    this.running = this.poll().finally(this.pollEnded);
  };

  private readonly pollEnded = (): void => {
    this.running = undefined;
    this.afterPoll();
  };

  private afterPoll(): void {
    if (this.stateNow === 'stopped' || this.stateNow === 'paused') return;
    if (this.again) {
      this.again = false;
      this.nextAt = this.now();
      this.schedule(0);
      return;
    }
    const interval = this.options.intervalMs;
    if (this.candidate && this.failures === 0) {
      // A status change waits for confirmation: read again soon rather than a whole interval later, so a real power
      // cut is reported within a second or two while a single odd reply is not. The fixed-rate slot is kept.
      this.confirmAt = this.now() + Math.min(interval, this.options.confirmDelayMs ?? DEFAULT_CONFIRM_DELAY_MS);
      this.schedule(this.confirmAt - this.now());
      return;
    }
    if (this.failures > 0) {
      // Back off a dead device: interval × 2^(failures-1), capped; it keeps its own timer, so nobody else waits.
      const cap = this.options.maxBackoffMs ?? Math.max(interval, 60_000);
      const delay = Math.min(cap, interval * 2 ** Math.min(this.failures - 1, 16));
      this.nextAt = this.now() + delay;
    } else {
      // Fixed rate: the next slot after now, skipping slots missed by a slow poll rather than bunching them.
      this.nextAt += interval;
      const now = this.now();
      if (this.nextAt < now) this.nextAt += Math.ceil((now - this.nextAt) / interval) * interval;
    }
    this.schedule(this.nextAt - this.now());
  }

  private async poll(): Promise<void> {
    // A confirming poll runs off the fixed-rate grid: its own time is what it should have started at.
    const scheduledAt = this.confirmAt ?? this.nextAt;
    this.confirmAt = undefined;
    const startedAt = this.now();
    const requestsBefore = this.reader.requestCount;
    let ok = false;
    this.trapPoll = this.trapPending;
    this.trapPending = false;
    try {
      if (!this.identity) {
        this.setState('identifying');
        this.identity = await this.reader.identify();
      }
      this.setState('polling');
      const values = await this.reader.read();
      ok = true;
      this.succeeded();
      const reading: Reading = { device: this.device(), values, timestamp: this.now() };
      this.emit('reading', reading);
      this.statusChanged(values['ups.status'] as string | undefined, reading.timestamp);
    } catch (err) {
      this.failed(asRackpowerError(err));
    } finally {
      // Only the benchmark and tests listen: a poll nobody times builds no stats.
      if (this.listenerCount('stats')) {
        const durationMs = this.now() - startedAt;
        this.emit('stats', { scheduledAt, startedAt, durationMs, requests: this.reader.requestCount - requestsBefore, ok });
      }
    }
  }

  private succeeded(): void {
    this.failures = 0;
    this.lastAnswerAt = this.now();
    this.noComm = false;
    if (this.commBad) {
      this.commBad = false;
      this.fire('COMMOK', 'unreachable', 'reachable');
    }
  }

  private failed(error: RackpowerError): void {
    this.failures++;
    if (this.stateNow !== 'stopped' && this.stateNow !== 'paused') this.setState('failing');
    // An unknown device or a changed card is re-detected on the next poll.
    if (error.code === 'UNKNOWN_DEVICE' || this.commBad) this.identity = undefined;
    this.emit('failure', error);
    const detail = { code: error.code, message: error.message };
    if (!this.commBad && this.failures >= (this.options.commbadAfter ?? 2)) {
      this.commBad = true;
      // The power state is unknown now: never guess ONBATT from silence.
      this.fire('COMMBAD', 'reachable', 'unreachable', detail);
    }
    if (this.commBad && !this.noComm && this.now() - this.lastAnswerAt >= (this.options.nocommAfterMs ?? 300_000)) {
      this.noComm = true;
      this.fire('NOCOMM', 'unreachable', 'unreachable', detail);
    }
  }

  private statusChanged(current: string | undefined, timestamp: number): void {
    const previous = this.status;
    if (current === undefined) return;
    if (current === previous) {
      this.candidate = undefined;
      return;
    }
    // The first status is taken as it is (there is nothing to flip yet); a change needs confirmPolls polls in a row.
    const seen = this.candidate?.status === current ? this.candidate.seen + 1 : 1;
    if (previous !== undefined && !this.trapPoll && seen < (this.options.confirmPolls ?? 1)) {
      this.candidate = { status: current, seen };
      return;
    }
    this.candidate = undefined;
    this.status = current;
    for (const name of statusEvents(previous, current)) this.fire(name, previous, current, undefined, timestamp);
  }

  private fire(
    event: EventName,
    previous: string | undefined,
    current: string | undefined,
    error?: DeviceEvent['error'],
    timestamp = this.now(),
  ): void {
    const device = this.device();
    this.emit('event', { event, device, previous, current, timestamp, message: eventMessage(device.name, event), ...(error && { error }) });
  }
}
