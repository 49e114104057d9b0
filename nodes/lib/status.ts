// What a device node shows under itself: a short summary of the last reading, why it failed, or what it is doing.
// Plain functions of the poller's output so they are tested without Node-RED.
import type { NodeStatus } from 'node-red';
import type { Learning } from '../../src/battery/monitor';
import type { PollerState } from '../../src/polling/poller';
import { statusTokens } from '../../src/normalize/nut';
import { unitOf } from '../../src/normalize/quantities';
import type { DeviceKind, ErrorCode, Values } from '../../src/types';

/** The node's message catalog lookup, already scoped to `rackpower-<kind>.` (RED._ in the runtime). */
export type Translate = (key: string, substitutions?: Record<string, string | number>) => string;

/** Conditions that need a human's attention although the device answers. */
const WARNING_TOKENS = ['OB', 'LB', 'RB', 'OVER', 'BYPASS'];

/** Keys under `status.` in locales/en-US/<kind>.json for each error code. */
export const FAILURE_KEYS: Record<ErrorCode, string> = {
  TIMEOUT: 'timeout',
  AUTH: 'auth',
  UNKNOWN_DEVICE: 'unknownDevice',
  UNREACHABLE: 'unreachable',
  PROTOCOL: 'protocol',
  UNSUPPORTED: 'unsupported',
  CONFIG: 'config',
};

/** Longest error detail shown under a node; the full message is in the debug sidebar via node.error. */
const MAX_DETAIL = 40;

/** The first of `names` the reading has, rounded to a tenth, with its NUT unit. */
function fmt(values: Values, ...names: string[]): string | undefined {
  const name = names.find((n) => values[n] !== undefined);
  if (name === undefined) return undefined;
  const v = values[name];
  const shown = typeof v === 'number' ? String(Math.round(v * 10) / 10) : v;
  const unit = unitOf(name, v);
  return unit ? `${shown} ${unit}` : shown;
}

/** "OL · 35 % · 230 V", "8 outlets · 4.2 A", "23.5 °C · 41 %", "230 V · 120 W · 1234.5 kWh". */
export function summary(kind: DeviceKind, values: Values, t: Translate): string {
  let parts: (string | undefined)[];
  switch (kind) {
    case 'ups':
      parts = [fmt(values, 'ups.status'), fmt(values, 'battery.charge'), fmt(values, 'input.voltage')];
      break;
    case 'pdu': {
      const count = values['outlet.count'];
      parts = [count === undefined ? undefined : t('status.outlets', { count }), fmt(values, 'input.current')];
      break;
    }
    case 'sensor':
      parts = [fmt(values, 'ambient.temperature', 'ambient.1.temperature'), fmt(values, 'ambient.humidity', 'ambient.1.humidity')];
      break;
    case 'meter':
      parts = [fmt(values, 'input.voltage'), fmt(values, 'input.realpower'), fmt(values, 'input.energy')];
      break;
  }
  const shown = parts.filter((p): p is string => p !== undefined);
  return shown.length ? shown.join(' · ') : t('status.ok');
}

/** PDU load levels (NUT's threshold status words) that need attention: `warning-high`, `critical-low` ... */
const LOAD_WARNING = /^(warning|critical)/u;

/** A UPS's battery truth in a few words: the measured health, or why nothing is learned yet. */
export function batteryStatus(values: Values, learning: Learning, t: Translate): string {
  const health = values['battery.health'];
  if (learning.code === 'ready' && health !== undefined) return t('status.battery.health', { health });
  return t(`status.battery.${learning.code}`, { value: learning.value ?? '' });
}

export function readingStatus(kind: DeviceKind, values: Values, t: Translate, learning?: Learning): NodeStatus {
  const load = values['input.load.status'];
  const warn =
    statusTokens(values['ups.status']).some((token) => WARNING_TOKENS.includes(token)) ||
    (typeof load === 'string' && LOAD_WARNING.test(load));
  const text = summary(kind, values, t);
  return { fill: warn ? 'yellow' : 'green', shape: 'dot', text: learning ? `${text} · ${batteryStatus(values, learning, t)}` : text };
}

export function failureStatus(error: { code: ErrorCode; message: string }, t: Translate): NodeStatus {
  const detail = error.message.length > MAX_DETAIL ? `${error.message.slice(0, MAX_DETAIL - 1)}…` : error.message;
  return { fill: 'red', shape: 'ring', text: t(`status.${FAILURE_KEYS[error.code]}`, { detail }) };
}

/**
 * The status for a poller state change, or undefined to keep what is shown. A device that is failing keeps its red
 * status while the poller re-identifies it, so the reason stays readable.
 */
export function stateStatus(state: PollerState, failing: boolean, t: Translate): NodeStatus | undefined {
  switch (state) {
    case 'identifying':
      return failing ? undefined : { fill: 'yellow', shape: 'ring', text: t('status.identifying') };
    case 'paused':
      return { fill: 'grey', shape: 'ring', text: t('status.paused') };
    case 'idle':
      // Only reached on resume: the next poll replaces this.
      return { fill: 'grey', shape: 'dot', text: t('status.resuming') };
    default:
      return undefined;
  }
}
