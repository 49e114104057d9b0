// Alarm rules on normalized readings: above / below / outside a band / rate of change / stale, each with
// hysteresis, an on-delay, an off-delay and a severity. Pure and clock-injectable: readings and ticks carry the time,
// so tests never wait, and the whole state is plain data a Node-RED context can keep across a redeploy.
import { namePattern } from '../normalize/changes';
import type { Values } from '../types';

export type AlarmKind = 'above' | 'below' | 'outside' | 'rate' | 'stale';
export type Severity = 'info' | 'warning' | 'critical';

export interface AlarmRule {
  /** Unique within the node; keys the persisted state. */
  id: string;
  /** Shown in messages; defaults to the id. */
  name?: string;
  /** A NUT name or a `*` pattern (`outlet.*.current`): each matching variable is its own alarm. */
  variable: string;
  kind: AlarmKind;
  /** above/below: the limit. rate: the largest allowed change per minute (either direction). stale: seconds. */
  threshold?: number;
  /** outside: the band. */
  low?: number;
  high?: number;
  /** How far back inside the limit a value must come before the alarm may clear (default 0). */
  hysteresis?: number;
  /** The condition must hold this long before the alarm is raised (default 0). */
  onDelayS?: number;
  /** The value must be back inside this long before the alarm clears (default 0). */
  offDelayS?: number;
  /** rate: the span the change is measured over (default 60 s). */
  windowS?: number;
  severity?: Severity;
}

export interface AlarmTransition {
  type: 'raise' | 'clear';
  rule: string;
  name: string;
  variable: string;
  kind: AlarmKind;
  severity: Severity;
  /** The value that decided (rate: change per minute; stale: seconds without a value). */
  value: number | undefined;
  /** The limit it was compared with ("below 20", "outside 18..27"). */
  threshold: string;
  /** When the alarm was raised (for a clear: how long it lasted is timestamp - since). */
  since: number;
  timestamp: number;
  message: string;
}

/** Per rule and variable; plain data so it survives JSON (Node-RED context stores). */
export interface AlarmState {
  raised: boolean;
  since: number;
  /** When the condition for the next transition (raise when normal, clear when raised) started holding. */
  pendingSince?: number;
  /** The last value compared (rate rules: the last rate), for a delay that comes due between readings. */
  lastValue?: number;
  /** When the variable last had a value (stale rules). */
  lastSeen?: number;
  /** Recent samples for rate rules: [time, value]. */
  samples?: [number, number][];
}

export type AlarmStates = Record<string, AlarmState>;

const key = (rule: AlarmRule, variable: string): string => `${rule.id}|${variable}`;

function limitText(rule: AlarmRule): string {
  switch (rule.kind) {
    case 'above':
      return `above ${rule.threshold}`;
    case 'below':
      return `below ${rule.threshold}`;
    case 'outside':
      return `outside ${rule.low}..${rule.high}`;
    case 'rate':
      return `changing faster than ${rule.threshold}/min`;
    case 'stale':
      return `no value for ${rule.threshold} s`;
  }
}

/** Throws on a rule that cannot work, with the field at fault: a misconfigured alarm must not stay silently off. */
export function checkRule(rule: AlarmRule): void {
  const where = `alarm rule "${rule.id}"`;
  if (!rule.id) throw new Error('an alarm rule needs an id');
  if (!rule.variable) throw new Error(`${where}: variable is empty`);
  const finite = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);
  if (rule.kind === 'outside') {
    if (!finite(rule.low) || !finite(rule.high) || rule.low! >= rule.high!) throw new Error(`${where}: outside needs low < high`);
  } else if (!['above', 'below', 'rate', 'stale'].includes(rule.kind)) {
    throw new Error(`${where}: unknown kind "${rule.kind}"`);
  } else if (!finite(rule.threshold) || ((rule.kind === 'rate' || rule.kind === 'stale') && rule.threshold! <= 0)) {
    throw new Error(`${where}: threshold must be a number${rule.kind === 'rate' || rule.kind === 'stale' ? ' > 0' : ''}`);
  }
  for (const f of ['hysteresis', 'onDelayS', 'offDelayS', 'windowS'] as const) {
    if (rule[f] !== undefined && !(finite(rule[f]) && rule[f]! >= 0)) throw new Error(`${where}: ${f} must be a number >= 0`);
  }
}

export class AlarmEngine {
  private readonly patterns: RegExp[];

  constructor(
    private readonly rules: AlarmRule[],
    /** The device name messages mention ("rack-pdu outlet.3.current ..."); empty for none. */
    private readonly label: string = '',
    /** Restored state (a redeploy): alarms already raised stay raised and are not announced again. */
    private readonly states: AlarmStates = {},
  ) {
    rules.forEach(checkRule);
    this.patterns = rules.map((r) => namePattern(r.variable));
    // Forget state of rules that no longer exist, so a renamed rule does not keep a ghost alarm.
    const ids = new Set(rules.map((r) => r.id));
    for (const k of Object.keys(states)) if (!ids.has(k.slice(0, k.indexOf('|')))) delete states[k];
  }

  /** The state to persist (the same object the engine keeps updating). */
  get state(): AlarmStates {
    return this.states;
  }

  /** Alarms raised now, for a status line. */
  raised(): string[] {
    return Object.entries(this.states)
      .filter(([, s]) => s.raised)
      .map(([k]) => k);
  }

  /** One reading: every rule on every matching numeric variable. */
  update(values: Values, now: number): AlarmTransition[] {
    const out: AlarmTransition[] = [];
    this.rules.forEach((rule, i) => {
      for (const [variable, raw] of Object.entries(values)) {
        if (typeof raw !== 'number' || !this.patterns[i].test(variable)) continue;
        const s = this.stateOf(rule, variable, now);
        s.lastSeen = now;
        if (rule.kind === 'stale') {
          // A value arrived: a stale alarm may start clearing, a normal one stays normal.
          this.step(rule, variable, s, false, true, 0, now, out);
          continue;
        }
        const measured = rule.kind === 'rate' ? this.rate(rule, s, raw, now) : raw;
        if (measured === undefined) continue;
        s.lastValue = measured;
        this.step(rule, variable, s, this.tripped(rule, measured), this.recovered(rule, measured), measured, now, out);
      }
    });
    return out;
  }

  /** Time passing without readings: on/off delays come due and stale rules fire. Call about once a second. */
  tick(now: number): AlarmTransition[] {
    const out: AlarmTransition[] = [];
    for (const rule of this.rules) {
      for (const [k, s] of Object.entries(this.states)) {
        if (!k.startsWith(`${rule.id}|`)) continue;
        const variable = k.slice(rule.id.length + 1);
        if (rule.kind === 'stale') {
          const age = (now - (s.lastSeen ?? s.since)) / 1000;
          const stale = age >= rule.threshold!;
          this.step(rule, variable, s, stale, !stale, Math.round(age), now, out);
        } else if (s.pendingSince !== undefined && s.lastValue !== undefined) {
          // A pending transition whose delay has now passed: decide on the last value seen.
          this.step(rule, variable, s, !s.raised, s.raised, s.lastValue, now, out, true);
        }
      }
    }
    return out;
  }

  private stateOf(rule: AlarmRule, variable: string, now: number): AlarmState {
    const k = key(rule, variable);
    this.states[k] ??= { raised: false, since: now };
    return this.states[k];
  }

  /** Change per minute over the rule's window; undefined until two samples span some time. */
  private rate(rule: AlarmRule, s: AlarmState, value: number, now: number): number | undefined {
    const windowMs = (rule.windowS ?? 60) * 1000;
    const samples = (s.samples ?? []).filter(([t]) => now - t <= windowMs);
    samples.push([now, value]);
    s.samples = samples;
    const [t0, v0] = samples[0];
    if (now <= t0) return undefined;
    return Math.abs(((value - v0) / (now - t0)) * 60_000);
  }

  private tripped(rule: AlarmRule, v: number): boolean {
    switch (rule.kind) {
      case 'above':
      case 'rate':
        return v > rule.threshold!;
      case 'below':
        return v < rule.threshold!;
      default:
        return v < rule.low! || v > rule.high!;
    }
  }

  /** Back inside the limit by the hysteresis: only then may a raised alarm start clearing. */
  private recovered(rule: AlarmRule, v: number): boolean {
    const h = rule.hysteresis ?? 0;
    switch (rule.kind) {
      case 'above':
      case 'rate':
        return v <= rule.threshold! - h;
      case 'below':
        return v >= rule.threshold! + h;
      default:
        return v >= rule.low! + h && v <= rule.high! - h;
    }
  }

  /**
   * Moves one alarm: `toward` says whether the condition for its next transition holds (trip when normal, recovery
   * when raised). The transition happens once that has held for the on- or off-delay; a value in the hysteresis band
   * (neither tripped nor recovered) keeps a raised alarm raised and restarts its off-delay.
   */
  private step(
    rule: AlarmRule,
    variable: string,
    s: AlarmState,
    tripped: boolean,
    recovered: boolean,
    value: number,
    now: number,
    out: AlarmTransition[],
    fromTick = false,
  ): void {
    const toward = s.raised ? recovered : tripped;
    if (!toward) {
      if (!fromTick) s.pendingSince = undefined;
      return;
    }
    s.pendingSince ??= now;
    const delayMs = ((s.raised ? rule.offDelayS : rule.onDelayS) ?? 0) * 1000;
    if (now - s.pendingSince < delayMs) return;
    s.pendingSince = undefined;
    const since = s.since;
    s.raised = !s.raised;
    s.since = now;
    const type = s.raised ? 'raise' : 'clear';
    const name = rule.name || rule.id;
    const threshold = limitText(rule);
    const who = this.label ? `${this.label} ` : '';
    const shown = rule.kind === 'rate' ? `${Number(value.toPrecision(4))}/min` : rule.kind === 'stale' ? `${value} s` : String(value);
    const message = s.raised
      ? `${who}${variable} ${shown} is ${threshold} (${name})`
      : `${who}${variable} ${shown} is back (${name}, was ${threshold})`;
    out.push({
      type,
      rule: rule.id,
      name,
      variable,
      kind: rule.kind,
      severity: rule.severity ?? 'warning',
      value,
      threshold,
      since: s.raised ? now : since,
      timestamp: now,
      message,
    });
  }
}
