// The one reader of the messages that action nodes (alarm, budget, shutdown) and output nodes (Home Assistant,
// Prometheus, InfluxDB) accept: what a device node sends (messages.ts, docs/messages.md), recognised by shape so a
// reading that went through a change or delay node still counts, and the few commands they share. Values that are
// no NUT value (objects, booleans, NaN, Infinity) are left out, never passed on.
import type { DeviceEvent, DeviceIdentity, Value, Values } from '../types';

/** A device as a message names it: its name always, the rest of its identity when a device node sent it. */
export type DeviceRef = Pick<DeviceIdentity, 'name'> & Partial<DeviceIdentity>;

export type Input =
  /** A reading: `payload` is the whole flat NUT map (output modes `always` and `change`). */
  | { type: 'reading'; device: DeviceRef; values: Values; timestamp?: number }
  /** Output mode `per-variable`: one changed variable. */
  | { type: 'variable'; device: DeviceRef; variable: string; value: Value; timestamp?: number }
  /** `detail`: the event payload a device node sends with it (msg.payload.event is msg.event). */
  | { type: 'event'; device: DeviceRef; event: string; detail?: DeviceEvent; timestamp?: number }
  /**
   * msg.remove: unpublish a device (or, not a name, every one); msg.forget: a standby hands its shard back, drop
   * without unpublishing; msg.add: a removed device may be announced again.
   */
  | { type: 'remove' | 'forget' | 'add'; device?: string }
  /** msg.payload "drill" or msg.drill true (not from a device): the shutdown node walks its plan as a dry run. */
  | { type: 'drill' };

type Msg = Record<string, unknown>;

const isObject = (v: unknown): v is Msg => typeof v === 'object' && v !== null && !Array.isArray(v);
const isValue = (v: unknown): v is Value => (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'string';
const finite = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function deviceRef(v: unknown): DeviceRef | undefined {
  return isObject(v) && typeof v.name === 'string' && v.name !== '' ? (v as DeviceRef) : undefined;
}

/** The whole identity a device node sends (name and kind at least), for outputs that describe the device. */
export function identified(device: DeviceRef | undefined): device is DeviceIdentity {
  return !!device && typeof device.kind === 'string';
}

/** undefined: none of these (the node decides whether that is an error). */
export function parseMessage(msg: Msg): Input | undefined {
  for (const type of ['remove', 'forget', 'add'] as const) {
    const v = msg[type];
    if (v !== undefined) return { type, device: typeof v === 'string' ? v : undefined };
  }
  const reading = deviceMessage(msg);
  if (reading) return reading;
  // Never a device node's message: a text variable whose value is "drill" is a reading.
  if (msg.payload === 'drill' || msg.drill === true) return { type: 'drill' };
  return undefined;
}

function deviceMessage(msg: Msg): Input | undefined {
  const named = deviceRef(msg.device);
  if (typeof msg.event === 'string') {
    const detail = isObject(msg.payload) && msg.payload.event === msg.event ? (msg.payload as unknown as DeviceEvent) : undefined;
    // The event's own device first when complete (it names the device even without msg.device), else msg.device.
    const own = deviceRef(detail?.device);
    const device = identified(own) ? own : (named ?? own);
    return device && { type: 'event', device, event: msg.event, detail, timestamp: finite(detail ? detail.timestamp : msg.timestamp) };
  }
  if (!named) return undefined;
  const timestamp = finite(msg.timestamp);
  if (typeof msg.variable === 'string' && isValue(msg.payload)) return { type: 'variable', device: named, variable: msg.variable, value: msg.payload, timestamp };
  if (isObject(msg.payload)) {
    const values: Values = {};
    for (const [k, v] of Object.entries(msg.payload)) if (isValue(v)) values[k] = v;
    return { type: 'reading', device: named, values, timestamp };
  }
  return undefined;
}

/** A reading or a per-variable message as values of its device (what the action nodes work on). */
export function readingOf(input: Input | undefined): { device: DeviceRef; values: Values } | undefined {
  if (input?.type === 'reading') return { device: input.device, values: input.values };
  if (input?.type === 'variable') return { device: input.device, values: { [input.variable]: input.value } };
  return undefined;
}
