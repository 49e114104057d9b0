// What the alarm, shutdown and budget nodes read from a device node's messages: a reading (output 1, whole-reading
// or per-variable mode) or an event (output 2). Anything else is not for them.
import type { Values } from '../types';

export type DeviceInput =
  | { kind: 'reading'; device: string; values: Values; timestamp?: number }
  | { kind: 'event'; device: string; event: string; timestamp?: number };

interface Msg {
  payload?: unknown;
  device?: { name?: unknown };
  event?: unknown;
  variable?: unknown;
  timestamp?: unknown;
}

export function deviceInput(msg: Msg): DeviceInput | undefined {
  const device = typeof msg.device?.name === 'string' ? msg.device.name : undefined;
  if (!device) return undefined;
  const timestamp = typeof msg.timestamp === 'number' ? msg.timestamp : undefined;
  if (typeof msg.event === 'string') return { kind: 'event', device, event: msg.event, timestamp };
  if (typeof msg.variable === 'string' && (typeof msg.payload === 'number' || typeof msg.payload === 'string')) {
    return { kind: 'reading', device, values: { [msg.variable]: msg.payload }, timestamp };
  }
  if (typeof msg.payload === 'object' && msg.payload !== null && !Array.isArray(msg.payload)) {
    return { kind: 'reading', device, values: msg.payload as Values, timestamp };
  }
  return undefined;
}
