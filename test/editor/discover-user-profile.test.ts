// nodes/lib/discover.ts (what POST /rackpower/discover runs) with a user's own profiles folder (RACKPOWER_PROFILES):
// the probe detects the user's package on a real agent (snmpsimd serving the package's own recording) and accepts
// its id as the chosen profile. The package is the shipped Sentry4 one copied as a PDU maker nobody ships a profile
// for (enterprise 64999).
// @module-tag peer: snmpsimd
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type * as Discover from '../../nodes/lib/discover';
import { startSnmpsim, type Snmpsim } from '../harness/snmpsim';
import { copyShippedPackage } from '../harness/user-profiles';

const COMMUNITY = 'acme';
let root: string;
let sim: Snmpsim;
let lib: typeof Discover;

const none: Discover.Deployed = { snmp: () => undefined, modbus: () => undefined };
const body = (profile: string) => ({
  kind: 'pdu', protocol: 'snmp', profile,
  agent: { host: '127.0.0.1', port: sim.port, version: '2c', timeout: 2000, retries: 0, user: '', authProtocol: 'sha', privProtocol: 'aes', credentials: { community: COMMUNITY } },
});

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'rp-discover-user-'));
  copyShippedPackage(root, 'snmp', 'servertech-sentry4', 'acme-pdu', [['servertech-sentry4', 'acme-pdu'], ['1.3.6.1.4.1.1718.', '1.3.6.1.4.1.64999.']]);
  sim = await startSnmpsim([{ file: path.join(root, 'snmp', 'acme-pdu', 'sentry4.snmprec'), community: COMMUNITY }]);
  // The profiles are loaded once per process: a fresh module graph reads the folder named here.
  vi.stubEnv('RACKPOWER_PROFILES', root);
  vi.resetModules();
  lib = await import('../../nodes/lib/discover.js');
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await sim?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('Discover with RACKPOWER_PROFILES', () => {
  it('detects the user profile with profile auto', async () => {
    const r = await lib.discover(lib.parseDiscoverRequest(body('auto'), none));
    expect(r.device).toMatchObject({ profile: 'acme-pdu', kind: 'pdu' });
    expect(r.preview).toContainEqual(expect.objectContaining({ name: 'input.realpower', value: 1701 }));
  });

  it('accepts the user profile as the chosen one', async () => {
    const plan = lib.parseDiscoverRequest(body('acme-pdu'), none);
    expect(plan).toMatchObject({ profile: 'acme-pdu' });
    const r = await lib.discover(plan);
    expect(r.device.profile).toBe('acme-pdu');
    expect(r.variables).toContain('input.realpower');
  });
});
