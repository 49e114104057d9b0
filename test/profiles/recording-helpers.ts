// Shared by the recording tests: serve recordings with snmpsimd and read them with a profile or by detection.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { SnmpClient } from '../../src/protocol/snmp/client';
import { SNMP_DEFAULTS } from '../../src/protocol/snmp/target';
import { findProfile, PROFILE_DIR, shippedProfiles } from '../../src/profiles/load';
import type { SnmpProfile } from '../../src/profiles/types';
import { SnmpDeviceReader } from '../../src/polling/snmp-reader';
import { listPackages } from '../harness/packages';

/** Walks that are no device's recording: edited copies for quirk tests. */
export const FIXTURES = path.join(__dirname, '..', 'fixtures', 'snmprec');

/**
 * A walk by name: the recording `<name>.snmprec` in the device package that holds it (profiles/snmp/<id>/), or a
 * test fixture. Tests that serve a walk for other reasons than its package's expect.json find it here.
 */
export function fixture(name: string): string {
  const file = `${name}.snmprec`;
  const pkg = listPackages(PROFILE_DIR).find((p) => p.recordings.includes(file));
  if (pkg) return path.join(pkg.dir, file);
  const own = path.join(FIXTURES, file);
  if (!existsSync(own)) throw new Error(`no recording ${file} in any package under ${PROFILE_DIR} nor in ${FIXTURES}`);
  return own;
}
export const snmpProfiles = (): SnmpProfile[] => shippedProfiles().filter((p): p is SnmpProfile => p.protocol === 'snmp');

export function client(port: number, community: string): SnmpClient {
  return new SnmpClient({ ...SNMP_DEFAULTS, host: '127.0.0.1', port, version: 2, community });
}

/** A reader with a fixed profile id, or detecting among the shipped SNMP profiles (of one kind when given). */
export function reader(c: SnmpClient, opts: { profile?: string; kind?: SnmpProfile['kind'] } = {}): SnmpDeviceReader {
  if (opts.profile) return new SnmpDeviceReader(c, { profile: findProfile(opts.profile) as SnmpProfile });
  return new SnmpDeviceReader(c, { profiles: snmpProfiles().filter((p) => !opts.kind || p.kind === opts.kind) });
}
