// What an input message asks of an outlet or UPS command node, read the same way by the nodes and their tests.
import { refusals } from '../battery/calibration';
import { RackpowerError } from '../errors';
import type { Values } from '../types';
import type { OutletRequest } from './outlet';
import type { UpsRequest } from './ups';
import { UPS_COMMANDS, type OutletAction, type UpsCommandName } from './vendors';

interface Msg {
  payload?: unknown;
  outlet?: unknown;
  delay?: unknown;
  dryRun?: unknown;
  /** calibrate.start: the UPS node's latest reading (its msg.payload), checked before the battery is run down. */
  ups?: unknown;
}

/** A settings field as a number, or the default when it is empty. */
export const num = (v: unknown, fallback: number): number => (v === '' || v === undefined || v === null || !Number.isFinite(Number(v)) ? fallback : Number(v));

/** msg.payload "on" / "off" / "cycle" with msg.outlet, or {action, outlet} (what the shutdown node sends). */
export function outletRequest(msg: Msg): OutletRequest {
  const p = msg.payload as { action?: unknown; outlet?: unknown } | string | undefined;
  // NUT's instant command names (what Home Assistant's outlet switches publish): outlet.3.load.off.
  const nut = typeof p === 'string' ? /^outlet\.(\d+)\.load\.(on|off|cycle)$/u.exec(p.trim()) : null;
  if (nut) return { action: nut[2] as OutletAction, outlet: Number(nut[1]) };
  const structured = typeof p === 'object' && p !== null;
  const action = String(structured ? p.action : p).toLowerCase();
  const outlet = structured && p.outlet !== undefined ? p.outlet : msg.outlet;
  if (!['on', 'off', 'cycle'].includes(action)) throw new RackpowerError('CONFIG', `msg.payload must be "on", "off" or "cycle" (got ${JSON.stringify(p)})`);
  if (typeof outlet !== 'number' && (typeof outlet !== 'string' || !outlet.trim())) throw new RackpowerError('CONFIG', 'which outlet? set msg.outlet (number or name)');
  return { action: action as OutletAction, outlet };
}

/** msg.payload "beeper.mute", or {command, delay} (what the shutdown node sends); msg.delay also sets the delay. */
export function upsRequest(msg: Msg, defaultDelay: number): UpsRequest {
  const p = msg.payload as { command?: unknown; delay?: unknown } | string | undefined;
  const structured = typeof p === 'object' && p !== null;
  const command = String(structured ? p.command : p);
  if (!UPS_COMMANDS.includes(command as UpsCommandName)) throw new RackpowerError('CONFIG', `msg.payload must be one of ${UPS_COMMANDS.join(', ')} (got ${JSON.stringify(p)})`);
  if (command === 'calibrate.start') calibrationAllowed(msg.ups);
  return { command: command as UpsCommandName, delayS: num(structured && p.delay !== undefined ? p.delay : msg.delay, defaultDelay) };
}

/**
 * A calibration runs the battery down on purpose: only with the UPS's latest reading at hand, showing it on line with
 * a full battery and enough runtime (src/battery/calibration.ts). The UPS's own calibration ends it.
 */
function calibrationAllowed(ups: unknown): void {
  if (typeof ups !== 'object' || ups === null || Array.isArray(ups)) {
    throw new RackpowerError('CONFIG', 'calibrate.start needs msg.ups: the UPS node\'s latest msg.payload, to check the UPS is on line with a full battery');
  }
  const why = refusals(ups as Values);
  if (why.length) throw new RackpowerError('CONFIG', `calibration refused: ${why.join('; ')}`);
}

/** A message may ask for a dry run (the shutdown node's drills); it can never ask for a real action. */
export const wantsDryRun = (msg: Msg): boolean => msg.dryRun === true;
