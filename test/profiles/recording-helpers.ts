// Shared by the recording tests: serve fixtures with snmpsimd and read them with a profile or by detection.
import path from 'node:path';
import { SnmpClient } from '../../src/protocol/snmp/client';
import { SNMP_DEFAULTS } from '../../src/protocol/snmp/target';
import { findProfile, shippedProfiles } from '../../src/profiles/load';
import type { SnmpProfile } from '../../src/profiles/types';
import { SnmpDeviceReader } from '../../src/polling/snmp-reader';

export const FIXTURES = path.join(__dirname, '..', 'fixtures', 'snmprec');
export const fixture = (name: string): string => path.join(FIXTURES, `${name}.snmprec`);
export const snmpProfiles = (): SnmpProfile[] => shippedProfiles().filter((p): p is SnmpProfile => p.protocol === 'snmp');

export function client(port: number, community: string): SnmpClient {
  return new SnmpClient({ ...SNMP_DEFAULTS, host: '127.0.0.1', port, version: 2, community });
}

/** A reader with a fixed profile id, or detecting among the shipped SNMP profiles (of one kind when given). */
export function reader(c: SnmpClient, opts: { profile?: string; kind?: SnmpProfile['kind'] } = {}): SnmpDeviceReader {
  if (opts.profile) return new SnmpDeviceReader(c, { profile: findProfile(opts.profile) as SnmpProfile });
  return new SnmpDeviceReader(c, { profiles: snmpProfiles().filter((p) => !opts.kind || p.kind === opts.kind) });
}
