// The package as the npm page and a palette user get it: `npm pack` of this tree installed with npm 11 into a fresh
// folder without a word about this package; repository, homepage and bugs links; no script that points at files
// the tarball lacks; README images that show on npmjs.com (absolute URLs of files the tarball ships).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE, npmEnv, pack, runOk, type Packed } from './harness';

const work = mkdtempSync(path.join(os.tmpdir(), 'rackpower-npm-page-'));
const app = path.join(work, 'app');
let packed: Packed;
let install: { stdout: string; stderr: string };
let installed: { scripts?: Record<string, string>; repository?: { url?: string } | string; homepage?: string; bugs?: { url?: string } | string };

beforeAll(async () => {
  packed = await pack(work);
  mkdirSync(app);
  writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'palette-user', version: '1.0.0', private: true }));
  install = await runOk('npm install of the packed tarball', 'npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', packed.tarball], {
    cwd: app,
    env: npmEnv(),
    timeoutMs: 180_000,
  });
  installed = JSON.parse(readFileSync(path.join(app, 'node_modules', PACKAGE, 'package.json'), 'utf8'));
}, 300_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('installing the packed tarball', () => {
  it('npm says nothing about this package (no install or prepare script to approve, nothing missing)', () => {
    const said = `${install.stdout}\n${install.stderr}`.split('\n').filter((l) => /warn|err/iu.test(l) && l.includes(PACKAGE));
    expect(said).toEqual([]);
  });

  it('ships no script npm would run on install (prepare pointed at scripts/, which is not shipped)', () => {
    const scripts = installed.scripts ?? {};
    for (const hook of ['preinstall', 'install', 'postinstall', 'prepare']) expect(scripts, hook).not.toHaveProperty(hook);
  });

  it('links the repository, homepage and issue tracker', () => {
    const repo = typeof installed.repository === 'string' ? installed.repository : installed.repository?.url;
    expect(repo).toMatch(/^git\+https:\/\/\S+\.git$/u);
    expect(installed.homepage).toMatch(/^https:\/\/\S+$/u);
    const bugs = typeof installed.bugs === 'string' ? installed.bugs : installed.bugs?.url;
    expect(bugs).toMatch(/^https:\/\/\S+$/u);
  });
});

describe('the README on the npm page', () => {
  const readme = (): string => readFileSync(path.join(app, 'node_modules', PACKAGE, 'README.md'), 'utf8');
  const images = (): string[] => [...readme().matchAll(/!\[[^\]]*\]\(([^)\s]+)\)|<img [^>]*src="([^"]+)"/gu)].map((m) => m[1] ?? m[2]);

  it('has images, every one an absolute https URL (npm shows no relative image without a repository to resolve it)', () => {
    expect(images().length).toBeGreaterThan(0);
    for (const src of images()) expect(src).toMatch(/^https:\/\//u);
  });

  it('points them at files the tarball ships (served by the npm CDN from the published package)', () => {
    const files = new Set(packed.files);
    for (const src of images()) {
      const m = new RegExp(`^https://cdn\\.jsdelivr\\.net/npm/${PACKAGE}(?:@[^/]+)?/(.+)$`, 'u').exec(src);
      expect(m, `${src} is not an npm CDN URL of this package`).not.toBeNull();
      expect(files.has(m![1]), `${m![1]} is not in the tarball`).toBe(true);
    }
  });
});
