// What the output nodes (Home Assistant, Prometheus, InfluxDB) take from a message (read by normalize/input.ts): a
// reading, a changed variable or an event of a device whose whole identity came with it, since they describe the
// device; a timestamp, the time it arrived when the message has none.
import { identified, type Input as Message } from '../normalize/input';
import type { DeviceEvent, DeviceIdentity, Value, Values } from '../types';

export type Input =
  /** A reading: `payload` is the whole flat NUT map (output modes `always` and `change`). */
  | { type: 'reading'; device: DeviceIdentity; values: Values; timestamp: number }
  /** Output mode `per-variable`: one changed variable; merged into what is known of the device. */
  | { type: 'variable'; device: DeviceIdentity; variable: string; value: Value; timestamp: number }
  | { type: 'event'; event: DeviceEvent };

/** undefined: not a rackpower reading or event (the caller decides whether that is an error). */
export function outputInput(message: Message | undefined, now = Date.now()): Input | undefined {
  if (message?.type !== 'event' && message?.type !== 'reading' && message?.type !== 'variable') return undefined;
  const { device } = message;
  if (!identified(device)) return undefined;
  const timestamp = message.timestamp ?? now;
  if (message.type === 'event') return message.detail && { type: 'event', event: { ...message.detail, device, timestamp } };
  return { ...message, device, timestamp };
}
