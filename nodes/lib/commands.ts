// What an input message asks of a device node. Any message polls now; a few properties steer the schedule.
import { MIN_INTERVAL_S } from './validate';

export { MIN_INTERVAL_S };

export interface Command {
  /** battery-replaced: a UPS node forgets the old battery's discharges (its measured health starts over). */
  action: 'poll' | 'pause' | 'resume' | 'battery-replaced';
  /** New interval in seconds, set before the poll. */
  intervalS?: number;
  /** msg.interval was present but not a number of seconds >= MIN_INTERVAL_S: warned about, the poll still happens. */
  badInterval?: boolean;
}

export function parseCommand(msg: { payload?: unknown; [key: string]: unknown }): Command {
  if (msg.pause === true || msg.payload === 'pause') return { action: 'pause' };
  if (msg.resume === true || msg.payload === 'resume') return { action: 'resume' };
  if (msg.payload === 'battery-replaced') return { action: 'battery-replaced' };
  const s = msg.interval;
  if (s === undefined) return { action: 'poll' };
  if (typeof s === 'number' && Number.isFinite(s) && s >= MIN_INTERVAL_S) return { action: 'poll', intervalS: s };
  return { action: 'poll', badInterval: true };
}
