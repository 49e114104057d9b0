// `npm run test:unit` leaves out the test files tagged `// @module-tag peer: …` (vitest.config.mts). A file that shows
// in its own source that it starts a peer outside the test process, and carries no such tag, would slip into the fast
// tier and fail or crawl where the peer is missing: each is named here.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
const PEER_TAG = /^\/\/ @module-tag peer\b/m;
/** Imports of the modules that start outside peers, and outside programs named in the source. */
const STARTS_A_PEER = [
  /from '[^']*\/harness\/(snmpsim|upsd|pty)'/,
  /from '[^']*\/helpers\/peers'/,
  /from '[^']*harness\.cjs'/,
  /from 'playwright-core'/,
  /'node-red', 'red\.js'|NUT_BIN|'\/lib\/nut/,
  /'(snmptrap|snmpinform|snmpget|snmpwalk|snmpbulkwalk|snmpset|snmpsimd|mbpoll|socat|upsc|upscmd|upsrw|upsd|mosquitto|influxd|promtool|chromium)'/,
];

/** What in `source` starts an outside peer, when it carries no peer tag. */
function untaggedPeers(source: string): string[] {
  if (PEER_TAG.test(source)) return [];
  return STARTS_A_PEER.flatMap((pattern) => source.match(pattern)?.[0] ?? []);
}

describe('test tiers', () => {
  it('a file that starts a peer without the tag is found; with the tag it is not', () => {
    const source = "// Reads a recording.\nimport { startSnmpsim } from '../harness/snmpsim';\nawait run('snmptrap', []);\n";
    expect(untaggedPeers(source)).toEqual(["from '../harness/snmpsim'", "'snmptrap'"]);
    expect(untaggedPeers(source.replace('\n', '\n// @module-tag peer: snmpsimd\n'))).toEqual([]);
    expect(untaggedPeers("import { freeTcpPort } from '../harness/ports';\n")).toEqual([]);
  });

  it('every test file outside test/e2e/ (and this one) that starts a peer is tagged peer', () => {
    const files = readdirSync(path.join(root, 'test'), { recursive: true, encoding: 'utf8' })
      .map((f) => f.split(path.sep).join('/'))
      .filter((f) => f.endsWith('.test.ts') && !f.startsWith('e2e/') && f !== 'lint/tiers.test.ts');
    expect(files.length).toBeGreaterThan(100);
    const untagged = files.flatMap((f) => {
      const found = untaggedPeers(readFileSync(path.join(root, 'test', f), 'utf8'));
      return found.length ? [`test/${f}: ${found.join(', ')}`] : [];
    });
    expect(untagged).toEqual([]);
  });
});
