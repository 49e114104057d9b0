// The CLI's state file: what rackpower measures over time (battery discharges, energy counters) kept across runs,
// as one JSON object per key. Written shortly after a change and on exit, atomically (a temporary file renamed over
// the old one), so a crash leaves the previous state rather than half a file.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { StateStore } from '../battery/tracker';
import { RackpowerError } from '../errors';

/** How long after a change the file is written: often enough to lose little in a crash, rarely enough for SD cards. */
const WRITE_DELAY_MS = 5000;

/** `$XDG_STATE_HOME/rackpower/state.json`, else `~/.local/state/rackpower/state.json`. */
export function defaultStateFile(): string {
  const base = process.env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state');
  return path.join(base, 'rackpower', 'state.json');
}

export class FileStore implements StateStore {
  private readonly data: Record<string, unknown>;
  private timer: NodeJS.Timeout | undefined;

  constructor(readonly file: string) {
    let text: string | undefined;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new RackpowerError('CONFIG', `state file ${file}: ${(err as Error).message}`);
    }
    try {
      const parsed: unknown = text === undefined ? {} : JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
      this.data = parsed as Record<string, unknown>;
    } catch (err) {
      // Never overwrite what we cannot read: the user may want it back.
      throw new RackpowerError('CONFIG', `state file ${file} is not rackpower state (${(err as Error).message}); move it away or pass --state another file`);
    }
  }

  get(key: string): unknown {
    return this.data[key];
  }

  set(key: string, value: unknown): void {
    this.data[key] = value;
    this.timer ??= setTimeout(() => this.write(), WRITE_DELAY_MS).unref();
  }

  /** Writes now (on exit). */
  write(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    mkdirSync(path.dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(this.data));
    renameSync(temp, this.file);
  }
}

/** Keeps state for this run only (`--state none`). */
export class MemoryStore implements StateStore {
  private readonly data = new Map<string, unknown>();
  get(key: string): unknown {
    return this.data.get(key);
  }
  set(key: string, value: unknown): void {
    this.data.set(key, value);
  }
  write(): void {}
}
