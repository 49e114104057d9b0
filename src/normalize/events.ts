// ups.status transitions → NUT upsmon notification names. Pure: the poller owns the state and the clock.
import type { EventName } from '../types';
import { statusTokens } from './nut';

/** Token → event when it appears, and when it clears (undefined: NUT has no "cleared" notification). */
const TOKEN_EVENTS: [token: string, raised: EventName, cleared?: EventName][] = [
  ['OB', 'ONBATT'],
  ['LB', 'LOWBATT'],
  ['FSD', 'FSD'],
  ['RB', 'REPLBATT'],
  ['CAL', 'CAL', 'NOTCAL'],
  ['OFF', 'OFF', 'NOTOFF'],
  ['BYPASS', 'BYPASS', 'NOTBYPASS'],
  ['OVER', 'OVER', 'NOTOVER'],
  ['TRIM', 'TRIM', 'NOTTRIM'],
  ['BOOST', 'BOOST', 'NOTBOOST'],
];

const MESSAGES: Partial<Record<EventName, string>> = {
  ONBATT: 'is on battery',
  ONLINE: 'is back on line power',
  LOWBATT: 'has a low battery',
  FSD: 'is being shut down (forced shutdown)',
  REPLBATT: 'needs its battery replaced',
  CAL: 'is calibrating its runtime',
  NOTCAL: 'finished calibrating',
  OFF: 'has its output off',
  NOTOFF: 'has its output on again',
  BYPASS: 'is on bypass (no battery protection)',
  NOTBYPASS: 'left bypass',
  OVER: 'is overloaded',
  NOTOVER: 'is no longer overloaded',
  TRIM: 'is trimming high input voltage',
  NOTTRIM: 'stopped trimming',
  BOOST: 'is boosting low input voltage',
  NOTBOOST: 'stopped boosting',
  COMMBAD: 'stopped answering',
  COMMOK: 'answers again',
  NOCOMM: 'has not answered for a long time',
};

export function eventMessage(device: string, event: EventName): string {
  return `${device} ${MESSAGES[event] ?? event}`;
}

/**
 * Events for a status change. With no previous status (first reading) only abnormal conditions are reported, so a
 * flow started during an outage still hears ONBATT, but a healthy start is silent.
 */
export function statusEvents(previous: string | undefined, current: string | undefined): EventName[] {
  if (current === undefined) return [];
  const before = new Set(statusTokens(previous));
  const after = new Set(statusTokens(current));
  const first = previous === undefined;
  const events: EventName[] = [];
  // ONLINE is NUT's "power is back": OB cleared while OL is set.
  if (!first && before.has('OB') && !after.has('OB') && after.has('OL')) events.push('ONLINE');
  for (const [token, raised, cleared] of TOKEN_EVENTS) {
    if (after.has(token) && !before.has(token)) events.push(raised);
    else if (!first && cleared && before.has(token) && !after.has(token)) events.push(cleared);
  }
  return events;
}
