// What an input message asks of a device node. Any message polls now; a few properties steer the schedule.
import { MAX_INTERVAL_S, MIN_INTERVAL_S } from './validate';

export { MAX_INTERVAL_S, MIN_INTERVAL_S };

export type Command =
  | {
      /** battery-replaced: a UPS node forgets the old battery's discharges (its measured health starts over). */
      action: 'poll' | 'pause' | 'resume' | 'battery-replaced';
      /** New interval in seconds, set before the poll. */
      intervalS?: number;
    }
  /** msg.interval is present but not a number of seconds within the node's own bounds: the message is refused. */
  | { action: 'refuse'; reason: string };

export function parseCommand(msg: { payload?: unknown; [key: string]: unknown }): Command {
  if (msg.pause === true || msg.payload === 'pause') return { action: 'pause' };
  if (msg.resume === true || msg.payload === 'resume') return { action: 'resume' };
  if (msg.payload === 'battery-replaced') return { action: 'battery-replaced' };
  const s = msg.interval;
  if (s === undefined) return { action: 'poll' };
  if (typeof s === 'number' && s >= MIN_INTERVAL_S && s <= MAX_INTERVAL_S) return { action: 'poll', intervalS: s };
  const shown = typeof s === 'string' ? JSON.stringify(s) : String(s);
  return { action: 'refuse', reason: `msg.interval ${shown} refused: it must be a number of seconds from ${MIN_INTERVAL_S} to ${MAX_INTERVAL_S} (nothing changed, not polled)` };
}
