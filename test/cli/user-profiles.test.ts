// The built `rackpower` command with a user's own profiles folder (RACKPOWER_PROFILES): `profiles` lists the user's
// package, `read` detects it on a real agent (snmpsimd serving the package's own recording) and `record` walks its
// vendor subtree, each only because the folder is named. The package is the shipped Sentry4 one copied as a PDU maker
// nobody ships a profile for (enterprise 64999), as a user adding a device would.
// @module-tag peer: snmpsimd
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../harness/build';
import { run, type Result } from '../harness/process';
import { startSnmpsim, type Snmpsim } from '../harness/snmpsim';
import { copyShippedPackage } from '../harness/user-profiles';

const CLI = path.resolve(__dirname, '..', '..', 'dist', 'src', 'cli', 'main.js');
const COMMUNITY = 'acme';
const ACME_TREE = '1.3.6.1.4.1.64999.';

let root: string;
let sim: Snmpsim;

/** The CLI with the given RACKPOWER_PROFILES (absent when undefined), no other rackpower settings inherited. */
function rackpower(args: string[], userProfiles: string | undefined): Promise<Result> {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('RACKPOWER_')) delete env[name];
  delete env.NODE_OPTIONS;
  if (userProfiles !== undefined) env.RACKPOWER_PROFILES = userProfiles;
  return run(process.execPath, [CLI, ...args], env);
}

function json(r: Result): unknown {
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

const url = (): string => `snmp://${COMMUNITY}@127.0.0.1:${sim.port}?timeout=2000`;

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'rp-cli-user-'));
  copyShippedPackage(root, 'snmp', 'servertech-sentry4', 'acme-pdu', [['servertech-sentry4', 'acme-pdu'], ['1.3.6.1.4.1.1718.', ACME_TREE]]);
  [sim] = await Promise.all([startSnmpsim([{ file: path.join(root, 'snmp', 'acme-pdu', 'sentry4.snmprec'), community: COMMUNITY }]), ensureBuilt()]);
});

afterAll(async () => {
  await sim?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('rackpower with RACKPOWER_PROFILES', () => {
  it('profiles lists the user profile beside the shipped ones', async () => {
    const list = json(await rackpower(['profiles', '--json'], root)) as { id: string; kind: string; protocol: string }[];
    expect(list).toContainEqual(expect.objectContaining({ id: 'acme-pdu', kind: 'pdu', protocol: 'snmp' }));
    expect(list.map((p) => p.id)).toContain('servertech-sentry4');
    const shipped = json(await rackpower(['profiles', '--json'], undefined)) as { id: string }[];
    expect(shipped.map((p) => p.id)).not.toContain('acme-pdu');
    const table = await rackpower(['profiles'], root);
    expect(table.stdout).toMatch(/^acme-pdu\s+pdu\s+snmp\b/m);
  });

  it('read detects the user profile on its recorded device, and knows no profile for it without the folder', async () => {
    const out = json(await rackpower(['read', url(), '--json'], root)) as { device: Record<string, unknown>; values: Record<string, unknown> };
    expect(out.device).toMatchObject({ profile: 'acme-pdu', kind: 'pdu' });
    expect(out.values['input.realpower']).toBe(1701);
    const without = await rackpower(['read', url(), '--json'], undefined);
    expect(without.code, without.stderr).toBe(5);
    expect(without.stderr).toMatch(/unknown_device/);
  });

  it('read --profile names the user profile by id', async () => {
    const out = json(await rackpower(['read', url(), '--profile', 'acme-pdu', '--json'], root)) as { device: Record<string, unknown> };
    expect(out.device).toMatchObject({ profile: 'acme-pdu' });
  });

  it('record walks the user profile’s vendor subtree', async () => {
    const r = await rackpower(['record', url()], root);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n').filter((l) => l.startsWith(ACME_TREE)).length).toBeGreaterThan(10);
  });
});
