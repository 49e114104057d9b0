// What the output nodes (Home Assistant, Prometheus, InfluxDB) accept: the messages a rackpower device node sends
// (docs/messages.md), recognised by shape, so a reading that went through a change or delay node still counts.
import type { DeviceEvent, DeviceIdentity, Value, Values } from '../types';

export type Input =
  /** A reading: `payload` is the whole flat NUT map (output modes `always` and `change`). */
  | { type: 'reading'; device: DeviceIdentity; values: Values; timestamp: number }
  /** Output mode `per-variable`: one changed variable; merged into what is known of the device. */
  | { type: 'variable'; device: DeviceIdentity; variable: string; value: Value; timestamp: number }
  | { type: 'event'; event: DeviceEvent };

type Msg = Record<string, unknown>;

const isObject = (v: unknown): v is Msg => typeof v === 'object' && v !== null && !Array.isArray(v);
const isValue = (v: unknown): v is Value => (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'string';

function identity(v: unknown): DeviceIdentity | undefined {
  return isObject(v) && typeof v.name === 'string' && v.name !== '' && typeof v.kind === 'string' ? (v as unknown as DeviceIdentity) : undefined;
}

function timestampOf(msg: Msg, now: number): number {
  return typeof msg.timestamp === 'number' && Number.isFinite(msg.timestamp) ? msg.timestamp : now;
}

/** undefined: not a rackpower reading or event (the caller decides whether that is an error). */
export function parseInput(msg: Msg, now = Date.now()): Input | undefined {
  const device = identity(msg.device);
  if (typeof msg.event === 'string' && isObject(msg.payload) && msg.payload.event === msg.event) {
    const event = msg.payload as unknown as DeviceEvent;
    const who = identity(event.device) ?? device;
    return who ? { type: 'event', event: { ...event, device: who, timestamp: timestampOf(event as unknown as Msg, now) } } : undefined;
  }
  if (!device) return undefined;
  if (typeof msg.variable === 'string' && isValue(msg.payload)) {
    return { type: 'variable', device, variable: msg.variable, value: msg.payload, timestamp: timestampOf(msg, now) };
  }
  if (isObject(msg.payload)) {
    const values: Values = {};
    for (const [k, v] of Object.entries(msg.payload)) if (isValue(v)) values[k] = v;
    return { type: 'reading', device, values, timestamp: timestampOf(msg, now) };
  }
  return undefined;
}
