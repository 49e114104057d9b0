// Power and heat budget of one rack or circuit: the power drawn through its PDUs, outlets and meters summed against
// the breaker's derated capacity, and the hottest inlet temperature against a limit, each with throttle and restore
// signals that have hysteresis. Pure and clock-injectable, like the other engines in src/actions.
import { namePattern } from '../normalize/changes';
import type { Values } from '../types';

export interface BudgetConfig {
  /** Budget in W; when absent it is breakerA × voltage × derating. */
  budgetW?: number;
  breakerA?: number;
  /** Nominal voltage for a breaker rating (default 230 V). */
  voltage?: number;
  /** The share of the breaker a continuous load may use (default 0.8, the usual 80 % rule). */
  derating?: number;
  /** Which variables of each reading are summed (default `input.realpower`; e.g. `outlet.*.realpower`). */
  powerVariables?: string[];
  /** Throttle at this share of the budget, restore at or below `restoreAt` (defaults 1.0 and 0.9). */
  throttleAt?: number;
  restoreAt?: number;
  /** Hottest inlet temperature limit (°C) and the hysteresis for restoring (default 2 °C). */
  temperatureLimit?: number;
  temperatureHysteresis?: number;
  /** Which variables are inlet temperatures (default `ambient.temperature` and `ambient.*.temperature`). */
  temperatureVariables?: string[];
  /** Readings older than this are left out, and the sum is marked incomplete (default 120 s). */
  staleAfterS?: number;
}

export interface BudgetStatus {
  powerW: number;
  budgetW: number;
  headroomW: number;
  /** powerW / budgetW. */
  share: number;
  hottest?: { device: string; variable: string; value: number };
  temperatureLimit?: number;
  /** Devices whose readings count now, with their part of the sum. */
  members: Record<string, number>;
  /** Devices left out because their reading is too old. */
  stale: string[];
  throttled: { power: boolean; temperature: boolean };
  timestamp: number;
}

export interface BudgetSignal {
  signal: 'throttle' | 'restore';
  cause: 'power' | 'temperature';
  message: string;
  status: BudgetStatus;
}

interface Member {
  powerW?: number;
  hottest?: { variable: string; value: number };
  at: number;
}

export function budgetOf(c: BudgetConfig): number {
  if (c.budgetW !== undefined) return c.budgetW;
  if (c.breakerA === undefined) throw new Error('budget: give a budget in W or a breaker rating in A');
  return c.breakerA * (c.voltage ?? 230) * (c.derating ?? 0.8);
}

export class BudgetEngine {
  private readonly members = new Map<string, Member>();
  private readonly power: RegExp[];
  private readonly temperature: RegExp[];
  private readonly budgetW: number;
  private throttled = { power: false, temperature: false };

  constructor(private readonly config: BudgetConfig) {
    this.budgetW = budgetOf(config);
    if (!(this.budgetW > 0)) throw new Error(`budget: ${this.budgetW} W is not a budget`);
    const throttleAt = config.throttleAt ?? 1;
    if (!((config.restoreAt ?? 0.9) < throttleAt)) throw new Error('budget: restore must be below throttle (that is the hysteresis)');
    this.power = (config.powerVariables?.length ? config.powerVariables : ['input.realpower']).map(namePattern);
    this.temperature = (config.temperatureVariables?.length ? config.temperatureVariables : ['ambient.temperature', 'ambient.*.temperature']).map(namePattern);
  }

  /** One reading of one device; returns the status and any throttle/restore signal it causes. */
  reading(device: string, values: Values, now: number): { status: BudgetStatus; signals: BudgetSignal[] } {
    const member: Member = { at: now };
    for (const [name, v] of Object.entries(values)) {
      if (typeof v !== 'number') continue;
      if (this.power.some((re) => re.test(name))) member.powerW = (member.powerW ?? 0) + v;
      if (this.temperature.some((re) => re.test(name)) && (member.hottest === undefined || v > member.hottest.value)) {
        member.hottest = { variable: name, value: v };
      }
    }
    this.members.set(device, member);
    return this.evaluate(now);
  }

  /** Time passing: a member that went silent stops counting. */
  tick(now: number): { status: BudgetStatus; signals: BudgetSignal[] } {
    return this.evaluate(now);
  }

  private evaluate(now: number): { status: BudgetStatus; signals: BudgetSignal[] } {
    const staleMs = (this.config.staleAfterS ?? 120) * 1000;
    const members: Record<string, number> = {};
    const stale: string[] = [];
    let powerW = 0;
    let hottest: BudgetStatus['hottest'];
    for (const [device, m] of this.members) {
      if (now - m.at > staleMs) {
        stale.push(device);
        continue;
      }
      if (m.powerW !== undefined) {
        members[device] = m.powerW;
        powerW += m.powerW;
      }
      if (m.hottest && (!hottest || m.hottest.value > hottest.value)) hottest = { device, ...m.hottest };
    }
    const limit = this.config.temperatureLimit;
    const status: BudgetStatus = {
      powerW: Math.round(powerW * 10) / 10,
      budgetW: this.budgetW,
      headroomW: Math.round((this.budgetW - powerW) * 10) / 10,
      share: Math.round((powerW / this.budgetW) * 1000) / 1000,
      ...(hottest && { hottest }),
      ...(limit !== undefined && { temperatureLimit: limit }),
      members,
      stale,
      throttled: this.throttled,
      timestamp: now,
    };
    const signals: BudgetSignal[] = [];
    const throttleAt = this.config.throttleAt ?? 1;
    const restoreAt = this.config.restoreAt ?? 0.9;
    // A sum with silent members may be too low: it can still throttle, but never restore on missing data.
    const complete = stale.length === 0;
    if (!this.throttled.power && status.share >= throttleAt) {
      signals.push(this.signal('throttle', 'power', `${status.powerW} W is ${Math.round(status.share * 100)} % of the ${this.budgetW} W budget`, status));
    } else if (this.throttled.power && complete && status.share <= restoreAt) {
      signals.push(this.signal('restore', 'power', `${status.powerW} W is back to ${Math.round(status.share * 100)} % of the ${this.budgetW} W budget`, status));
    }
    if (limit !== undefined && hottest) {
      const h = this.config.temperatureHysteresis ?? 2;
      const where = `${hottest.device} ${hottest.variable}`;
      if (!this.throttled.temperature && hottest.value >= limit) {
        signals.push(this.signal('throttle', 'temperature', `${where} ${hottest.value} °C reached the ${limit} °C limit`, status));
      } else if (this.throttled.temperature && complete && hottest.value <= limit - h) {
        signals.push(this.signal('restore', 'temperature', `${where} ${hottest.value} °C is back below ${limit - h} °C`, status));
      }
    }
    status.throttled = { ...this.throttled };
    return { status, signals };
  }

  private signal(signal: BudgetSignal['signal'], cause: BudgetSignal['cause'], message: string, status: BudgetStatus): BudgetSignal {
    this.throttled = { ...this.throttled, [cause]: signal === 'throttle' };
    return { signal, cause, message, status };
  }
}
