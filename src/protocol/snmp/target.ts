// Where and how to reach one SNMP agent. Secrets (community, v3 keys) travel in here, never in a URL or flow JSON.
import crypto from 'node:crypto';
import { RackpowerError } from '../../errors';

export type AuthProtocol = 'md5' | 'sha' | 'sha224' | 'sha256' | 'sha384' | 'sha512';
export type PrivProtocol = 'des' | 'aes' | 'aes256b' | 'aes256r';

export interface SnmpV3User {
  name: string;
  authProtocol?: AuthProtocol;
  authKey?: string;
  privProtocol?: PrivProtocol;
  privKey?: string;
}

export interface SnmpTarget {
  host: string;
  port: number;
  version: 1 | 2 | 3;
  community?: string;
  user?: SnmpV3User;
  /** Per-request timeout; net-snmp doubles it on each retry. */
  timeoutMs: number;
  retries: number;
  /** Largest number of varbinds asked in one request before the agent has told us anything (tooBig lowers it). */
  maxVarbinds: number;
}

export const SNMP_DEFAULTS = { port: 161, timeoutMs: 2000, retries: 1, maxVarbinds: 60 } as const;

/** True when this Node.js can do DES (OpenSSL 3 moved it to the legacy provider). */
export function desAvailable(): boolean {
  try {
    crypto.createCipheriv('des-cbc', Buffer.alloc(8), Buffer.alloc(8));
    return true;
  } catch {
    return false;
  }
}

/** True when this Node.js can do MD5 HMACs (FIPS builds refuse). */
export function md5Available(): boolean {
  try {
    crypto.createHmac('md5', 'k').update('x').digest();
    return true;
  } catch {
    return false;
  }
}

/** Refuses, with a reason the user can act on, a target this Node.js cannot serve; never lets net-snmp crash later. */
export function checkTarget(target: SnmpTarget): void {
  if (!target.host) throw new RackpowerError('CONFIG', 'SNMP host is empty');
  if (!Number.isInteger(target.port) || target.port < 1 || target.port > 65535) {
    throw new RackpowerError('CONFIG', `SNMP port ${target.port} is not 1-65535`);
  }
  if (target.version !== 3) return;
  const user = target.user;
  if (!user?.name) throw new RackpowerError('CONFIG', 'SNMPv3 needs a user name');
  if (user.privProtocol && !user.authProtocol) {
    throw new RackpowerError('CONFIG', 'SNMPv3 privacy needs an authentication protocol too (authPriv)');
  }
  if (user.authProtocol && !user.authKey) throw new RackpowerError('CONFIG', 'SNMPv3 authentication key is empty');
  if (user.privProtocol && !user.privKey) throw new RackpowerError('CONFIG', 'SNMPv3 privacy key is empty');
  if (user.privProtocol === 'des' && !desAvailable()) {
    throw new RackpowerError(
      'UNSUPPORTED',
      'SNMPv3 DES privacy is disabled in this Node.js (OpenSSL 3): start Node-RED with NODE_OPTIONS=--openssl-legacy-provider, or switch the device to AES',
    );
  }
  if (user.authProtocol === 'md5' && !md5Available()) {
    throw new RackpowerError(
      'UNSUPPORTED',
      'SNMPv3 MD5 authentication is disabled in this Node.js: start it with --openssl-legacy-provider, or switch the device to SHA',
    );
  }
}
