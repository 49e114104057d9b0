// What an input message asks of an outlet or UPS command node, read the same way by the nodes and their tests.
import { refusals } from '../battery/calibration';
import { RackpowerError } from '../errors';
import type { Values } from '../types';
import type { OutletRequest } from './outlet';
import type { UpsRequest } from './ups';
import { UPS_COMMANDS, type OutletAction, type UpsCommandName } from './profile-control';

interface Msg {
  payload?: unknown;
  outlet?: unknown;
  delay?: unknown;
  dryRun?: unknown;
  /** calibrate.start: the UPS node's latest reading (its msg.payload), checked before the battery is run down. */
  ups?: unknown;
}

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

/** The longest delay a UPS command may carry: a day, the range the vendors' delay OIDs share. */
export const MAX_UPS_DELAY_S = 86_400;
const UPS_PARAMETERS = ['command', 'delay'];

/**
 * A delay as a message gives it: whole seconds 0-86400, as a number or digits ("120" from an inject or a form).
 * Anything else refuses the command: falling back to a default would act with a delay nobody asked for.
 */
function upsDelay(v: unknown, where: string): number {
  const text = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : '';
  const n = Number(text);
  if (!/^\d+$/u.test(text) || n > MAX_UPS_DELAY_S) {
    throw new RackpowerError('CONFIG', `${where} must be whole seconds from 0 to ${MAX_UPS_DELAY_S} (got ${typeof v === 'number' ? String(v) : JSON.stringify(v) ?? String(v)}): nothing sent`);
  }
  return n;
}

/**
 * msg.payload "beeper.mute", or {command, delay} (what the shutdown node sends); msg.delay also sets the delay.
 * Transport-independent (SNMP today, NUT's instcmd alike): a malformed parameter throws CONFIG before anything is sent.
 */
export function upsRequest(msg: Msg, defaultDelay: number): UpsRequest {
  const p = msg.payload as { command?: unknown; delay?: unknown } | string | undefined;
  const structured = typeof p === 'object' && p !== null;
  const command = String(structured ? p.command : p);
  if (!UPS_COMMANDS.includes(command as UpsCommandName)) throw new RackpowerError('CONFIG', `msg.payload must be one of ${UPS_COMMANDS.join(', ')} (got ${JSON.stringify(p)})`);
  if (structured) {
    // A misspelt parameter ({dealy: 30}) would otherwise be ignored and the default delay used.
    const unknown = Object.keys(p).filter((k) => !UPS_PARAMETERS.includes(k));
    if (unknown.length) throw new RackpowerError('CONFIG', `msg.payload has unknown parameter(s) ${unknown.join(', ')} (only command, delay): nothing sent`);
  }
  if (command === 'calibrate.start') calibrationAllowed(msg.ups);
  // Every delay the message gives must be valid, even one the payload's own delay overrides.
  const fromMsg = msg.delay === undefined ? undefined : upsDelay(msg.delay, 'msg.delay');
  const fromPayload = structured && p.delay !== undefined ? upsDelay(p.delay, 'msg.payload.delay') : undefined;
  return { command: command as UpsCommandName, delayS: fromPayload ?? fromMsg ?? defaultDelay };
}

const NUT_PARAMETERS = ['command', 'param'];
/** NUT's instant command names: dotted lower-case words (beeper.mute, shutdown.return, outlet.1.load.off). */
const NUT_COMMAND = /^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*$/u;

/**
 * msg.payload "beeper.mute" (any instant command the UPS lists), or {command, param}; msg.param also sets the param.
 * The same refusals as upsRequest: a delay NUT cannot carry (upsd applies the UPS's own ups.delay.shutdown), a
 * misspelt key or a param that is no plain value refuses the command instead of sending something else.
 */
export function nutCommandRequest(msg: Msg & { param?: unknown }): { command: string; param?: string } {
  const p = msg.payload as { command?: unknown; param?: unknown } | string | undefined;
  const structured = typeof p === 'object' && p !== null;
  const command = typeof (structured ? p.command : p) === 'string' ? String(structured ? p.command : p).trim() : '';
  if (!NUT_COMMAND.test(command)) throw new RackpowerError('CONFIG', `msg.payload must name a NUT instant command (got ${JSON.stringify(p)}): nothing sent`);
  if (structured) {
    const unknown = Object.keys(p).filter((k) => !NUT_PARAMETERS.includes(k));
    if (unknown.length) {
      const why = unknown.includes('delay') ? ': NUT instant commands take no delay (upsd uses the UPS\'s ups.delay.shutdown)' : ' (only command, param)';
      throw new RackpowerError('CONFIG', `msg.payload has parameter(s) ${unknown.join(', ')}${why}: nothing sent`);
    }
  }
  if (msg.delay !== undefined) throw new RackpowerError('CONFIG', "msg.delay: NUT instant commands take no delay (upsd uses the UPS's ups.delay.shutdown): nothing sent");
  const param = structured && p.param !== undefined ? p.param : msg.param;
  if (param === undefined || param === null) return { command };
  if ((typeof param !== 'string' && typeof param !== 'number') || (typeof param === 'number' && !Number.isFinite(param)) || /[\r\n"]/u.test(String(param))) {
    throw new RackpowerError('CONFIG', `param must be a plain string or number (got ${JSON.stringify(param) ?? String(param)}): nothing sent`);
  }
  return { command, param: String(param) };
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
