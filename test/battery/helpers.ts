// A simulated rack (the simulator's physics, no network) polled into a ReadingTracker on a simulated clock.
import { ReadingTracker, type StateStore, type Tracked } from '../../src/battery/tracker';
import type { BatterySpec } from '../../src/sim/devices/battery';
import { SimModel } from '../../src/sim/model';
import type { ScenarioEvent } from '../../src/sim/types';
import type { Values } from '../../src/types';

export const T0 = 1_700_000_000_000;

/** A store that keeps JSON text, as a file or a context store on disk would: what is restored is a copy. */
export class JsonStore implements StateStore {
  readonly data = new Map<string, string>();
  get(key: string): unknown {
    const text = this.data.get(key);
    return text === undefined ? undefined : JSON.parse(text);
  }
  set(key: string, value: unknown): void {
    this.data.set(key, JSON.stringify(value));
  }
}

export interface RigOptions {
  battery?: Partial<BatterySpec>;
  events?: ScenarioEvent[];
  intervalS?: number;
  seed?: number;
  /** Changes what the UPS reports before the tracker sees it (noise, a firmware that says 0 ...). */
  mangle?: (values: Values, t: number) => Values;
  /** Polls that never arrive. */
  skip?: (t: number) => boolean;
  store?: JsonStore;
}

export class Rig {
  readonly model: SimModel;
  readonly store: JsonStore;
  tracker: ReadingTracker;
  t = 0;
  last: Tracked | undefined;
  readonly intervalS: number;

  constructor(private readonly options: RigOptions = {}) {
    this.model = new SimModel({
      devices: [
        { name: 'ups', kind: 'ups', battery: options.battery },
        { name: 'pdu', kind: 'pdu', outlets: 8 },
      ],
      events: options.events,
      seed: options.seed ?? 3,
    });
    this.intervalS = options.intervalS ?? 10;
    this.store = options.store ?? new JsonStore();
    this.tracker = this.newTracker();
  }

  newTracker(): ReadingTracker {
    return new ReadingTracker({ intervalMs: this.intervalS * 1000 }, this.store);
  }

  /** A restart: a fresh tracker that only has what the store kept. */
  restart(): void {
    this.tracker.flush();
    this.tracker = this.newTracker();
  }

  poll(): Tracked | undefined {
    const t = this.t;
    if (this.options.skip?.(t)) return undefined;
    const raw = this.model.values('ups');
    const values = this.options.mangle ? this.options.mangle({ ...raw }, t) : raw;
    this.last = this.tracker.observe({ device: { name: 'ups', kind: 'ups', profile: 'sim', address: 'sim://ups', serial: 'SIM1' }, values, timestamp: T0 + t * 1000 });
    return this.last;
  }

  /** Runs `seconds`, polling every interval; returns every tracked reading. */
  run(seconds: number, each?: (tracked: Tracked, t: number) => void): Tracked[] {
    const out: Tracked[] = [];
    for (let end = this.t + seconds; this.t < end; ) {
      this.model.advance(this.intervalS);
      this.t += this.intervalS;
      const tracked = this.poll();
      if (tracked) {
        out.push(tracked);
        each?.(tracked, this.t);
      }
    }
    return out;
  }

  truthRuntime(): number {
    return this.model.batteryTruth('ups').runtime;
  }
}

export const value = (tracked: Tracked | undefined, name: string): number | undefined => tracked?.reading.values[name] as number | undefined;
