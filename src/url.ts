// Device URLs for the CLI and the benchmark. Secrets never come from the URL's query or the command line:
// a community may be in the URL's user part (as snmpget takes it), v3 keys only from environment variables.
import { RackpowerError } from './errors';
import type { ModbusRtuEndpoint, ModbusTcpEndpoint } from './protocol/modbus/transport';
import { SNMP_DEFAULTS, type AuthProtocol, type PrivProtocol, type SnmpTarget } from './protocol/snmp/target';
import { NIS_DEFAULT_PORT, type NisEndpoint } from './protocol/apcupsd/nis';
import { NUT_DEFAULTS, type NutEndpoint, type NutTls } from './protocol/nut/client';

export type ModbusEndpoint = ModbusTcpEndpoint | ModbusRtuEndpoint;

export type DeviceTarget =
  | { protocol: 'snmp'; snmp: SnmpTarget; profile?: string }
  | { protocol: 'modbus'; modbus: ModbusEndpoint; unit: number; profile?: string; timeoutMs: number }
  // A UPS behind a NUT server (ups absent: the server itself, for `discover`) or an apcupsd NIS server.
  | { protocol: 'nut'; nut: NutEndpoint; ups?: string; profile?: string }
  | { protocol: 'apcupsd'; nis: NisEndpoint; profile?: string };

export const ENV_AUTH_KEY = 'RACKPOWER_SNMP_AUTH_KEY';
export const ENV_PRIV_KEY = 'RACKPOWER_SNMP_PRIV_KEY';
export const ENV_NUT_PASSWORD = 'RACKPOWER_NUT_PASSWORD';

function intParam(q: URLSearchParams, key: string, fallback: number, min: number, max: number): number {
  const raw = q.get(key);
  if (raw === null) return fallback;
  // Decimal digits only: Number() would also take `1e2`, `0x10` and ` 5`, none of which a user meant as a number.
  const n = /^\d{1,9}$/u.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw new RackpowerError('CONFIG', `${key}=${raw} is not an integer ${min}-${max}`);
  return n;
}

function oneOf<T extends string>(q: URLSearchParams, key: string, allowed: readonly T[], fallback?: T): T | undefined {
  const raw = q.get(key);
  if (raw === null) return fallback;
  if (!allowed.includes(raw as T)) throw new RackpowerError('CONFIG', `${key}=${raw} must be one of ${allowed.join(', ')}`);
  return raw as T;
}

/** The URL's port, or the protocol's default; port 0 is no port a device listens on. */
function portOf(url: URL, fallback: number): number {
  if (!url.port) return fallback;
  const port = Number(url.port);
  if (port < 1) throw new RackpowerError('CONFIG', `port ${url.port} is no device port (1-65535)`);
  return port;
}

export function parseTarget(text: string, env: NodeJS.ProcessEnv = process.env): DeviceTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new RackpowerError('CONFIG', `not a device URL: ${text} (snmp://, snmpv3://, modbus-tcp://, modbus-rtu:)`);
  }
  const q = url.searchParams;
  const profile = q.get('profile') ?? undefined;
  const timeoutMs = intParam(q, 'timeout', SNMP_DEFAULTS.timeoutMs, 50, 60_000);
  const host = url.hostname.replace(/^\[|\]$/gu, '');
  switch (url.protocol) {
    case 'snmp:':
    case 'snmpv3:': {
      if (!host) throw new RackpowerError('CONFIG', `no host in ${text}`);
      const v3 = url.protocol === 'snmpv3:';
      const base = {
        ...SNMP_DEFAULTS,
        host,
        port: portOf(url, SNMP_DEFAULTS.port),
        timeoutMs,
        retries: intParam(q, 'retries', SNMP_DEFAULTS.retries, 0, 10),
        maxVarbinds: intParam(q, 'maxVarbinds', SNMP_DEFAULTS.maxVarbinds, 1, 1000),
      };
      if (!v3) {
        const version = intParam(q, 'version', 2, 1, 2) as 1 | 2;
        return { protocol: 'snmp', profile, snmp: { ...base, version, community: decodeURIComponent(url.username) || 'public' } };
      }
      if (!url.username) throw new RackpowerError('CONFIG', `snmpv3 URL needs a user: snmpv3://user@host`);
      const authProtocol = oneOf<AuthProtocol>(q, 'auth', ['md5', 'sha', 'sha224', 'sha256', 'sha384', 'sha512']);
      const privProtocol = oneOf<PrivProtocol>(q, 'priv', ['des', 'aes', 'aes256b', 'aes256r']);
      const authKey = authProtocol ? env[ENV_AUTH_KEY] : undefined;
      const privKey = privProtocol ? env[ENV_PRIV_KEY] : undefined;
      if (authProtocol && !authKey) throw new RackpowerError('CONFIG', `set ${ENV_AUTH_KEY} to the SNMPv3 authentication key`);
      if (privProtocol && !privKey) throw new RackpowerError('CONFIG', `set ${ENV_PRIV_KEY} to the SNMPv3 privacy key`);
      return {
        protocol: 'snmp',
        profile,
        snmp: { ...base, version: 3, user: { name: decodeURIComponent(url.username), authProtocol, authKey, privProtocol, privKey } },
      };
    }
    case 'modbus-tcp:': {
      if (!host) throw new RackpowerError('CONFIG', `no host in ${text}`);
      const port = portOf(url, 502);
      return { protocol: 'modbus', profile, unit: intParam(q, 'unit', 1, 0, 255), timeoutMs, modbus: { kind: 'tcp', host, port } };
    }
    case 'modbus-rtu:': {
      const path = decodeURIComponent(url.pathname);
      if (!path) throw new RackpowerError('CONFIG', `no serial port in ${text} (modbus-rtu:/dev/ttyUSB0?...)`);
      return {
        protocol: 'modbus',
        profile,
        unit: intParam(q, 'unit', 1, 0, 255),
        timeoutMs,
        modbus: {
          kind: 'rtu',
          path,
          baudRate: intParam(q, 'baud', 9600, 300, 921_600),
          parity: oneOf(q, 'parity', ['none', 'even', 'odd'] as const, 'none')!,
          stopBits: intParam(q, 'stopbits', 1, 1, 2) as 1 | 2,
          dataBits: intParam(q, 'databits', 8, 7, 8) as 7 | 8,
        },
      };
    }
    case 'nut:':
      return nutTarget(url, host, text, env, profile);
    case 'apcupsd:': {
      if (!host) throw new RackpowerError('CONFIG', `no host in ${text}`);
      const timeout = intParam(q, 'timeout', NUT_DEFAULTS.timeoutMs, 50, 60_000);
      return { protocol: 'apcupsd', profile, nis: { host, port: url.port ? Number(url.port) : NIS_DEFAULT_PORT, timeoutMs: timeout } };
    }
    default:
      throw new RackpowerError('CONFIG', `unsupported scheme ${url.protocol} in ${text} (snmp, snmpv3, modbus-tcp, modbus-rtu, nut, apcupsd)`);
  }
}

/** `nut://[user@]host[:3493]/<ups>?tls=verify|pin|skip&fingerprint=…&timeout=MS`; the password only from the environment. */
function nutTarget(url: URL, host: string, text: string, env: NodeJS.ProcessEnv, profile: string | undefined): DeviceTarget {
  if (!host) throw new RackpowerError('CONFIG', `no host in ${text}`);
  if (url.password) throw new RackpowerError('CONFIG', `no password in the URL: set ${ENV_NUT_PASSWORD} instead`);
  const q = url.searchParams;
  const ups = decodeURIComponent(url.pathname.replace(/^\/+|\/+$/gu, '')) || undefined;
  const username = decodeURIComponent(url.username) || undefined;
  const password = env[ENV_NUT_PASSWORD];
  if (username && !password) throw new RackpowerError('CONFIG', `set ${ENV_NUT_PASSWORD} to the password of NUT user ${username}`);
  const tls = oneOf<NutTls>(q, 'tls', ['off', 'verify', 'pin', 'skip'], 'off')!;
  const fingerprint = q.get('fingerprint') ?? undefined;
  if (tls === 'pin' && !fingerprint) throw new RackpowerError('CONFIG', 'tls=pin needs fingerprint=<SHA-256 of the certificate>');
  const nut: NutEndpoint = {
    host,
    port: url.port ? Number(url.port) : NUT_DEFAULTS.port,
    tls,
    fingerprint,
    timeoutMs: intParam(q, 'timeout', NUT_DEFAULTS.timeoutMs, 50, 60_000),
    ...(username && { username, password }),
  };
  return { protocol: 'nut', profile, nut, ups };
}
