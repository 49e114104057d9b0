// Switches one PDU outlet by SNMP SET and confirms it by reading the outlet back: a result is only ever "it reads
// on/off now" or a clear failure, never "the SET was accepted". Guards (guards.ts) decide first; a dry run reads the
// outlet and says what it would send.
import { RackpowerError } from '../errors';
import type { SetVarbind, SnmpClient } from '../protocol/snmp/client';
import type { Guard } from './guards';
import { toVarbind, type OutletAction, type OutletControl } from './profile-control';

export type OutletState = 'on' | 'off' | 'pending' | 'unknown';

export interface OutletRequest {
  action: OutletAction;
  /** Outlet number, or its name on the device. */
  outlet: number | string;
}

export interface OutletResult {
  action: OutletAction;
  outlet: number;
  name?: string;
  /** What the outlet reads now (for a dry run: what it read, untouched). */
  state: OutletState;
  dryRun: boolean;
  /** What was sent, or would be sent for a dry run. */
  sent: SetVarbind[];
  /** States read back, in order (a cycle shows "off" before "on" when the PDU was slow enough to see it). */
  readback: OutletState[];
  elapsedMs: number;
  message: string;
}

export interface OutletOptions {
  /** Off time for PDUs without a native cycle command, and the least time a native cycle must take (default 5 s). */
  cycleDelayS?: number;
  /** How often the outlet is read back while waiting (default 500 ms). */
  readbackIntervalMs?: number;
  /** How long an on/off may take to show (default 10 s; a cycle adds its delay). */
  readbackTimeoutMs?: number;
  now?: () => number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class OutletController {
  private readonly now: () => number;

  constructor(
    private readonly client: SnmpClient,
    private readonly control: OutletControl,
    private readonly guard: Guard,
    private readonly options: OutletOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  private suffix(n: number): string {
    return this.control.index.replace('{n}', String(n));
  }

  /** `dryRun` asks for a dry run of this one request (the shutdown orchestrator's drills); it never forces a real one. */
  async execute(request: OutletRequest, dryRun = false): Promise<OutletResult> {
    if (!['on', 'off', 'cycle'].includes(request.action)) throw new RackpowerError('CONFIG', `unknown outlet action "${request.action}" (on, off, cycle)`);
    const started = this.now();
    const { number, name } = await this.resolve(request.outlet);
    const dry = dryRun || this.guard.dryRun;
    this.guard.check({ key: number, name }, started, dry);
    const sent = this.plan(request.action, number);
    const who = name ? `outlet ${number} (${name})` : `outlet ${number}`;
    const result = (state: OutletState, readback: OutletState[], dryRun: boolean, message: string): OutletResult => ({
      action: request.action,
      outlet: number,
      ...(name !== undefined && { name }),
      state,
      dryRun,
      sent,
      readback,
      elapsedMs: this.now() - started,
      message,
    });
    // Only an outlet the PDU reports is switched: a SET to one it lacks may land anywhere in a vendor's table.
    const state = await this.reported(number);
    if (dry) return result(state, [state], true, `dry run: would ${request.action} ${who} (reads ${state})`);
    this.guard.record(started);
    const readback: OutletState[] = [];
    const delayS = this.options.cycleDelayS ?? 5;
    if (request.action === 'cycle' && !this.control.commands.cycle) {
      // No native cycle: off, confirmed; the configured off time; on, confirmed.
      await this.client.set([sent[0]]);
      await this.waitFor(number, 'off', readback, who);
      await sleep(delayS * 1000);
      await this.client.set([sent[1]]);
      await this.waitFor(number, 'on', readback, who);
    } else {
      await this.client.set(sent);
      const target = request.action === 'off' ? 'off' : 'on';
      // A native cycle takes the PDU's own delay: "on" counts once "off" was seen or that much time has passed.
      const minMs = request.action === 'cycle' ? delayS * 1000 : 0;
      await this.waitFor(number, target, readback, who, minMs);
    }
    const verb = request.action === 'cycle' ? 'power-cycled' : `switched ${request.action}`;
    return result(readback.at(-1)!, readback, false, `${who} ${verb}: reads ${readback.at(-1)}`);
  }

  /** The SETs for an action (an emulated cycle: off then on). */
  private plan(action: OutletAction, n: number): SetVarbind[] {
    const c = this.control.commands;
    if (action === 'cycle' && !c.cycle) return [toVarbind(c.off, this.suffix(n)), toVarbind(c.on, this.suffix(n))];
    return [toVarbind(c[action]!, this.suffix(n))];
  }

  private async state(n: number): Promise<OutletState> {
    const oid = `${this.control.state.oid}.${this.suffix(n)}`;
    const got = (await this.client.get([oid])).get(oid);
    if (!got) throw new RackpowerError('CONFIG', `outlet ${n} does not exist on ${this.client.describe()} (no state at ${oid})`);
    const raw = Number(got.value);
    const s = this.control.state;
    if (s.on.includes(raw)) return 'on';
    if (s.off.includes(raw)) return 'off';
    return s.pending?.includes(raw) ? 'pending' : 'unknown';
  }

  /** The outlet's state, or CONFIG naming the outlets the PDU does report when it has no such outlet. */
  private async reported(n: number): Promise<OutletState> {
    try {
      return await this.state(n);
    } catch (err) {
      if (!(err instanceof RackpowerError) || err.code !== 'CONFIG') throw err;
      const column = this.control.state.oid;
      const rows = (await this.client.columns([column], 0)).get(column) ?? [];
      const prefix = this.suffix(0).replace(/0$/u, '');
      const numbers = rows.filter((r) => r.index.startsWith(prefix)).map((r) => Number(r.index.slice(prefix.length)));
      throw new RackpowerError('CONFIG', `outlet ${n} does not exist on ${this.client.describe()}: it reports ${numbers.length ? `outlets ${ranges(numbers)}` : 'no outlets'}`);
    }
  }

  private async waitFor(n: number, target: 'on' | 'off', seen: OutletState[], who: string, minMs = 0): Promise<void> {
    const from = this.now();
    const deadline = from + minMs + (this.options.readbackTimeoutMs ?? 10_000);
    const interval = this.options.readbackIntervalMs ?? 500;
    for (;;) {
      const state = await this.state(n);
      seen.push(state);
      const settled = minMs === 0 || seen.includes('off') || seen.includes('pending') || this.now() - from >= minMs;
      if (state === target && settled) return;
      if (this.now() >= deadline) {
        throw new RackpowerError('TIMEOUT', `${who} still reads ${state} ${Math.round((this.now() - from) / 1000)} s after the command (expected ${target})`);
      }
      await sleep(interval);
    }
  }

  /** Number and name of an outlet given by number or by name (names are looked up in the device's name column). */
  private async resolve(outlet: number | string): Promise<{ number: number; name?: string }> {
    const nameOid = this.control.name;
    if (typeof outlet === 'number' || /^\d+$/u.test(outlet.trim())) {
      const number = Number(outlet);
      if (!Number.isInteger(number) || number < 1) throw new RackpowerError('CONFIG', `outlet ${outlet} is not a number from 1`);
      if (!nameOid) return { number };
      const oid = `${nameOid}.${this.suffix(number)}`;
      const name = (await this.client.get([oid])).get(oid)?.value;
      return { number, ...(name !== undefined && name !== '' && { name: String(name) }) };
    }
    if (!nameOid) throw new RackpowerError('CONFIG', `this PDU has no outlet names: give outlet "${outlet}" by number`);
    const rows = (await this.client.columns([nameOid], 0)).get(nameOid) ?? [];
    const prefix = this.suffix(0).replace(/0$/u, '');
    const hits = rows.filter((r) => String(r.value.value).trim().toLowerCase() === outlet.trim().toLowerCase() && r.index.startsWith(prefix));
    if (hits.length !== 1) {
      throw new RackpowerError('CONFIG', hits.length ? `${hits.length} outlets are named "${outlet}": give its number` : `no outlet named "${outlet}"`);
    }
    return { number: Number(hits[0].index.slice(prefix.length)), name: String(hits[0].value.value) };
  }
}

/** [1, 2, 3, 5] → "1-3, 5" */
function ranges(numbers: number[]): string {
  const sorted = [...new Set(numbers)].filter(Number.isInteger).sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const from = sorted[i];
    while (sorted[i + 1] === sorted[i] + 1) i++;
    parts.push(from === sorted[i] ? String(from) : `${from}-${sorted[i]}`);
  }
  return parts.join(', ');
}
