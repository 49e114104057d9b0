import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tiers. A test file that starts a peer outside its own process (snmpsimd, upsd, socat, mosquitto, a node-red process,
// chromium, net-snmp or NUT tools ...) says so with a `// @module-tag peer: <what>` line, one that takes many seconds
// of real time with `// @module-tag slow: <why>`; test/e2e/ is peer tests. Project "unit" (`npm run test:unit`) runs
// every other file; `npm test` runs all three projects.
const TESTS = 'test/**/*.test.ts';
const E2E = 'test/e2e/**/*.test.ts';
const root = path.dirname(fileURLToPath(import.meta.url));
const testFiles = readdirSync(path.join(root, 'test'), { recursive: true, encoding: 'utf8' })
  .map((file) => `test/${file.split(path.sep).join('/')}`)
  .filter((file) => file.endsWith('.test.ts'));
const tagged = (tag: string): string[] =>
  testFiles.filter((file) => new RegExp(`^// @module-tag ${tag}\\b`, 'm').test(readFileSync(path.join(root, file), 'utf8')));
const peer = [E2E, ...tagged('peer')];
const slow = tagged('slow');

export default defineConfig({
  test: {
    testTimeout: 30000,
    hookTimeout: 60000,
    pool: 'forks',
    tags: [
      { name: 'peer', description: 'starts a real peer outside the test process' },
      { name: 'slow', description: 'takes many seconds of real time' },
    ],
    projects: [
      { extends: true, test: { name: 'unit', include: [TESTS], exclude: [...peer, ...slow] } },
      { extends: true, test: { name: 'slow', include: slow, exclude: peer } },
      { extends: true, test: { name: 'peer', include: peer } },
    ],
  },
});
