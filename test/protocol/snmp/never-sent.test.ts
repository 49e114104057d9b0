// A request that never leaves (out of file descriptors: the socket cannot bind, net-snmp neither sends nor calls
// back) still ends, with a TIMEOUT that says so, through the client's one deadline sweep; the next request gets a
// fresh socket; close() ends such a request at once and leaves no timer. Real EMFILE, in a child process started
// with a small descriptor limit (never-sent.child.mjs), against a simulated UPS's agent in that child.
import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { ROOT, ensureBuilt } from '../../harness/build';
import { run } from '../../harness/process';

interface Outcome {
  ok: boolean;
  code?: string;
  message?: string;
  values?: Record<string, { value: unknown }>;
}

let result: { neverSent: Outcome & { elapsedMs: number }; recovered: Outcome; closed: Outcome & { timersLeft: number } };

beforeAll(async () => {
  ensureBuilt();
  const child = path.join(__dirname, 'never-sent.child.mjs');
  const r = await run('/bin/sh', ['-c', 'ulimit -n 256 && exec "$0" "$1" "$2"', process.execPath, child, path.join(ROOT, 'dist')]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  result = JSON.parse(r.stdout);
}, 120_000);

it('a request that never left ends with TIMEOUT naming the cause, not before net-snmp would have given up', () => {
  expect(result.neverSent).toMatchObject({ ok: false, code: 'TIMEOUT' });
  expect(result.neverSent.message).toMatch(/the request never left/);
  // timeout 300 ms, no retries: the deadline never cuts a request net-snmp still waits for.
  expect(result.neverSent.elapsedMs).toBeGreaterThanOrEqual(300);
});

it('the next request, with descriptors free again, gets its answer on a fresh socket', () => {
  expect(result.recovered.ok).toBe(true);
  expect(String(result.recovered.values?.['1.3.6.1.2.1.1.1.0']?.value)).not.toBe('');
});

it('close() ends a request that never left at once and leaves no timer', () => {
  expect(result.closed).toMatchObject({ ok: false, code: 'CONFIG', message: 'SNMP session is closed', timersLeft: 0 });
});
