// Readings and events → the messages the nodes send (and the CLI prints). No Node-RED import: plain objects.
import type { Change, DeviceEvent, DeviceIdentity, Reading, StatusFlags, Value, Values } from '../types';
import { ChangeTracker, namePattern, type Deadbands } from './changes';
import { statusFlags } from './nut';

export type OutputMode = 'always' | 'change' | 'per-variable';

export interface ReadingMessage {
  topic: string;
  payload: Values;
  device: DeviceIdentity;
  timestamp: number;
  /** Variables that changed beyond their deadband since the last message, with old and new value. */
  changes: Record<string, Change>;
  /** ups.status as booleans, for a core switch node (`msg.flags.onBattery` is true). */
  flags: StatusFlags;
}

export interface VariableMessage {
  topic: string;
  payload: Value;
  variable: string;
  device: DeviceIdentity;
  timestamp: number;
}

export interface EventMessage {
  topic: string;
  event: DeviceEvent['event'];
  payload: DeviceEvent;
  device: DeviceIdentity;
  timestamp: number;
}

/** Topic-safe device name: MQTT wildcards and separators would break `<prefix>/<device>/<variable>`. */
export function topicName(name: string): string {
  return name.trim().replace(/[\s/+#]+/gu, '_') || 'device';
}

export interface MessageOptions {
  mode: OutputMode;
  /** Topic prefix; default `rackpower`. */
  prefix?: string;
  /** Restrict the payload to these variables (NUT names or `*` patterns); empty = all. */
  variables?: string[];
  deadbands?: Deadbands;
}

export class MessageBuilder {
  private readonly tracker: ChangeTracker;
  private readonly prefix: string;
  private readonly filter: ((name: string) => boolean) | undefined;

  constructor(private readonly options: MessageOptions) {
    this.tracker = new ChangeTracker(options.deadbands);
    this.prefix = options.prefix?.replace(/\/+$/u, '') || 'rackpower';
    const patterns = (options.variables ?? []).filter(Boolean).map(namePattern);
    this.filter = patterns.length ? (n) => patterns.some((re) => re.test(n)) : undefined;
  }

  private topic(device: DeviceIdentity, ...rest: string[]): string {
    return [this.prefix, topicName(device.name), ...rest].join('/');
  }

  /** The messages for one reading under the configured mode; empty when nothing is to be sent. */
  reading(reading: Reading): (ReadingMessage | VariableMessage)[] {
    const values = this.filter ? pick(reading.values, this.filter) : reading.values;
    const changes = this.tracker.diff(values);
    const changed = Object.keys(changes).length > 0;
    if (this.options.mode !== 'always' && !changed) return [];
    this.tracker.commit(values, changes);
    const { device, timestamp } = reading;
    if (this.options.mode === 'per-variable') {
      return Object.keys(changes)
        .filter((variable) => values[variable] !== undefined)
        .map((variable) => ({ topic: this.topic(device, variable), payload: values[variable], variable, device, timestamp }));
    }
    return [{ topic: this.topic(device), payload: values, device, timestamp, changes, flags: statusFlags(reading.values) }];
  }

  event(event: DeviceEvent): EventMessage {
    return { topic: this.topic(event.device, 'event'), event: event.event, payload: event, device: event.device, timestamp: event.timestamp };
  }
}

function pick(values: Values, keep: (name: string) => boolean): Values {
  const out: Values = {};
  for (const [k, v] of Object.entries(values)) if (keep(k)) out[k] = v;
  return out;
}
