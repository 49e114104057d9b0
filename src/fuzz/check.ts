// The fuzz harness's referee: watches the process for crashes, and says whether a published reading holds only
// values of the right type inside plausible limits. Independent of the decoder it checks (names, not profiles).
import { measureOf } from '../normalize/quantities';
import { statusTokens } from '../normalize/nut';
import { implausible } from '../normalize/plausible';
import type { Values } from '../types';

/** Counts uncaught exceptions and unhandled rejections while installed (they would have ended the process). */
export class CrashWatch {
  uncaught = 0;
  unhandled = 0;
  readonly samples: string[] = [];
  private readonly onUncaught = (err: unknown): void => {
    this.uncaught++;
    this.note(err);
  };
  private readonly onUnhandled = (err: unknown): void => {
    this.unhandled++;
    this.note(err);
  };

  private note(err: unknown): void {
    if (this.samples.length < 5) this.samples.push(err instanceof Error ? (err.stack ?? err.message) : String(err));
  }

  start(): this {
    process.on('uncaughtException', this.onUncaught);
    process.on('unhandledRejection', this.onUnhandled);
    return this;
  }

  stop(): void {
    process.off('uncaughtException', this.onUncaught);
    process.off('unhandledRejection', this.onUnhandled);
  }
}

/** The values of a reading that no correct decoder would publish: wrong type, not finite, implausible, blank. */
export function badValues(values: Values): string[] {
  const bad: string[] = [];
  for (const [name, v] of Object.entries(values)) {
    if (typeof v === 'number') {
      if (!Number.isFinite(v) || implausible(name, v)) bad.push(`${name}=${v}`);
    } else if (typeof v === 'string') {
      // A measured quantity is a number; text is never blank; ups.status has at least one token.
      const quantity = measureOf(name);
      if (v.trim() === '' || (quantity && !quantity.setting) || (name === 'ups.status' && statusTokens(v).length === 0)) bad.push(`${name}="${v}"`);
    } else {
      bad.push(`${name}: ${typeof v}`);
    }
  }
  return bad;
}

/** Resolves with the promise's outcome, or 'hung' when it has not settled within `ms`. */
export async function within<T>(promise: Promise<T>, ms: number): Promise<{ ok: true; value: T } | { ok: false; error: unknown } | 'hung'> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), ms)));
  try {
    return await Promise.race([promise.then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error })), hung]);
  } finally {
    clearTimeout(timer);
  }
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** What every fuzz run reports on the process, whatever it fuzzed. */
export interface RunFigures {
  uncaughtExceptions: number;
  unhandledRejections: number;
  recoveryMs: { median: number; p99: number; max: number };
  rssStartMb: number;
  rssEndMb: number;
  durationS: number;
}

/** Closes a run's figures: recovery percentiles, the crash watch's counts (samples to `log`), rounded memory and time. */
export function finishRun(figures: RunFigures, recoveries: number[], watch: CrashWatch, startedAt: number, log: (line: string) => void): void {
  recoveries.sort((a, b) => a - b);
  figures.recoveryMs = { median: percentile(recoveries, 50), p99: percentile(recoveries, 99), max: recoveries[recoveries.length - 1] ?? 0 };
  figures.uncaughtExceptions = watch.uncaught;
  figures.unhandledRejections = watch.unhandled;
  for (const s of watch.samples) log(`crash: ${s}`);
  figures.rssStartMb = Math.round(figures.rssStartMb);
  figures.rssEndMb = Math.round(figures.rssEndMb);
  figures.durationS = Math.round((Date.now() - startedAt) / 100) / 10;
}
