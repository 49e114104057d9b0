import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Two tiers. A test file that starts a peer outside its own process (snmpsimd, upsd, socat, mosquitto, a node-red
// process, chromium, net-snmp or NUT tools ...) says so with a `// @module-tag peer: <what>` line, one that takes many
// seconds of real time with `// @module-tag slow: <why>`, and everything in test/e2e/ is both. Project "unit"
// (`npm run test:unit`) runs the other files; `npm test` runs both projects.
const TESTS = 'test/**/*.test.ts';
const E2E = 'test/e2e/**/*.test.ts';
const TIER_TAG = /^\/\/ @module-tag (peer|slow)\b/m;
const root = path.dirname(fileURLToPath(import.meta.url));
const tagged = readdirSync(path.join(root, 'test'), { recursive: true, encoding: 'utf8' })
  .map((file) => `test/${file.split(path.sep).join('/')}`)
  .filter((file) => file.endsWith('.test.ts') && TIER_TAG.test(readFileSync(path.join(root, file), 'utf8')));

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
      { extends: true, test: { name: 'unit', include: [TESTS], exclude: [E2E, ...tagged] } },
      { extends: true, test: { name: 'slow', include: [E2E, ...tagged] } },
    ],
  },
});
