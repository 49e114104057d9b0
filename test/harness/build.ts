// The built package (dist/) the Node-RED, CLI and end-to-end tests load. `npm test` builds first; a lone
// `vitest run test/x` rebuilds when a source is newer than dist/.build-stamp. Test files run in parallel
// processes: a lock directory makes one of them build while the others wait, then find the build fresh.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

function newestSource(): number {
  const files = ['scripts/build.mjs', 'tsconfig.json'].map((f) => statSync(path.join(ROOT, f)).mtimeMs);
  // resources/: the editor's shared script is not compiled, but a packed copy of the package is keyed by the build.
  return Math.max(...files, ...['src', 'nodes', 'icons', 'profiles', 'resources'].map((d) => newestMtime(path.join(ROOT, d))));
}

const sleep = (ms: number): void => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

export function ensureBuilt(): void {
  const stamp = path.join(ROOT, 'dist', '.build-stamp');
  const fresh = (): boolean => existsSync(stamp) && existsSync(path.join(ROOT, 'resources', 'migrations.js')) && statSync(stamp).mtimeMs >= newestSource();
  if (fresh()) return;
  const lock = path.join(ROOT, 'dist', '.build-lock');
  mkdirSync(path.dirname(lock), { recursive: true });
  for (const started = Date.now(); ; sleep(200)) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() - started > 120_000) throw new Error(`${lock} held for 2 minutes: remove it if no build is running`);
    }
  }
  try {
    if (fresh()) return;
    const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`build failed:\n${r.stdout}${r.stderr}`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
