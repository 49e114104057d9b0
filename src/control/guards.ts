// What stands between a message and a relay: control must be enabled, the target must be on the allowlist (by
// number or name) and not protected, and actions are rate limited. A dry run passes the guards but acts on nothing.
// Pure and clock-injectable; every refusal is a CONFIG error that says which guard refused and why.
import { RackpowerError } from '../errors';

export interface GuardConfig {
  /** Control is off unless this is true (the "allow control" switch). */
  enabled: boolean;
  /** Targets that may be acted on: outlet numbers or names, UPS command names. Empty: none. */
  allow: (number | string)[];
  /** Targets always refused, whatever the allowlist says. */
  protect?: (number | string)[];
  /** At most `count` actions per `perS` seconds (default 3 per 60 s). */
  rateLimit?: { count: number; perS: number };
  dryRun?: boolean;
}

export interface GuardTarget {
  /** Outlet number or command name. */
  key: number | string;
  /** Outlet name, when the device has one. */
  name?: string;
}

const same = (a: number | string, b: number | string): boolean => String(a).trim().toLowerCase() === String(b).trim().toLowerCase();

/** "1, 3, db-01" → [1, 3, "db-01"]: the editor's comma-separated field. */
export function parseList(field: unknown): (number | string)[] {
  if (Array.isArray(field)) return field.flatMap(parseList);
  if (typeof field === 'number') return [field];
  return String(field ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => (/^\d+$/u.test(s) ? Number(s) : s));
}

export class Guard {
  private readonly recent: number[] = [];

  constructor(private readonly config: GuardConfig) {}

  get dryRun(): boolean {
    return this.config.dryRun === true;
  }

  /**
   * Throws CONFIG when the action may not happen now; call before acting, then record() once it is sent. A dry run
   * (configured, or asked for by this request) passes the same guards except the rate limit: it acts on nothing.
   */
  check(target: GuardTarget, now: number, dryRun = this.dryRun): void {
    const what = target.name ? `${target.key} (${target.name})` : String(target.key);
    const matches = (list: (number | string)[] | undefined): boolean =>
      (list ?? []).some((x) => same(x, target.key) || (target.name !== undefined && same(x, target.name)));
    if (!this.config.enabled) throw new RackpowerError('CONFIG', `refused ${what}: control is not enabled ("allow control" is off)`);
    if (matches(this.config.protect)) throw new RackpowerError('CONFIG', `refused ${what}: it is protected`);
    if (!matches(this.config.allow)) throw new RackpowerError('CONFIG', `refused ${what}: not on the allowlist`);
    if (dryRun) return;
    const { count, perS } = this.config.rateLimit ?? { count: 3, perS: 60 };
    this.forget(now, perS);
    if (this.recent.length >= count) {
      const wait = Math.ceil((this.recent[0] + perS * 1000 - now) / 1000);
      throw new RackpowerError('CONFIG', `refused ${what}: rate limit of ${count} per ${perS} s reached (next in ${wait} s)`);
    }
  }

  record(now: number): void {
    this.recent.push(now);
  }

  private forget(now: number, perS: number): void {
    while (this.recent.length && now - this.recent[0] >= perS * 1000) this.recent.shift();
  }
}
