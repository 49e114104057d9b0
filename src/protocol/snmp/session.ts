// Opening a net-snmp session for a target and sorting net-snmp's errors into rackpower's codes: shared by the
// polling client and `rackpower record` (which walks with raw ASN.1 types the client decodes away).
import type dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import snmp from 'net-snmp';
import { RackpowerError } from '../../errors';
import { guardMessageListeners } from './guard';
import { preEncodeRequests } from './request-encoding';
import { decodeResponses } from './response-decoding';
import { sendGetsDirectly } from './direct-get';
import { type SnmpTarget, checkTarget } from './target';

const AUTH_PROTOCOLS = snmp.AuthProtocols as unknown as Record<string, number>;
const PRIV_PROTOCOLS = snmp.PrivProtocols as unknown as Record<string, number>;

/** `snmp://host:port` style address without secrets. */
export function describeTarget(t: SnmpTarget): string {
  const scheme = t.version === 3 ? 'snmpv3' : 'snmp';
  const version = t.version === 1 ? '?version=1' : '';
  const host = isIPv6(t.host) ? `[${t.host}]` : t.host;
  return `${scheme}://${host}:${t.port}${version}`;
}

/**
 * What a session reports of replies it could not use. `malformed`: a datagram net-snmp could not decode (its request
 * stays pending and may still be answered by a retry). `crashed`: net-snmp threw while handling a reply it had
 * matched to a request, which it has then forgotten: that request will never settle on its own.
 */
export interface SessionFaults {
  malformed(err: Error): void;
  crashed(err: Error): void;
}

export function openSession(t: SnmpTarget, faults?: SessionFaults): snmp.Session {
  checkTarget(t);
  // An IPv6 literal needs an IPv6 socket: net-snmp defaults to udp4, where sending to ::1 fails with EINVAL.
  const transport = isIPv6(t.host) ? 'udp6' : 'udp4';
  const options = { port: t.port, timeout: t.timeoutMs, retries: t.retries, idBitsSize: 32 as const, transport };
  let session: snmp.Session;
  if (t.version === 3) {
    const u = t.user!;
    const level = u.privProtocol ? snmp.SecurityLevel.authPriv : u.authProtocol ? snmp.SecurityLevel.authNoPriv : snmp.SecurityLevel.noAuthNoPriv;
    const user = {
      name: u.name,
      level,
      authProtocol: u.authProtocol ? AUTH_PROTOCOLS[u.authProtocol] : undefined,
      authKey: u.authKey,
      privProtocol: u.privProtocol ? PRIV_PROTOCOLS[u.privProtocol] : undefined,
      privKey: u.privKey,
    };
    session = snmp.createV3Session(t.host, user as snmp.User, { ...options, version: snmp.Version3 } as never);
  } else {
    const version = t.version === 1 ? snmp.Version1 : snmp.Version2c;
    session = snmp.createSession(t.host, t.community ?? 'public', { ...options, version } as never);
  }
  // net-snmp emits 'error' for a datagram it cannot decode (socket errors reach the pending request instead): never
  // unhandled, and handed to whoever can tell the waiting request why its answer never came.
  session.on('error', (err: Error) => faults?.malformed(err));
  // Before the guard, which then wraps the decoder's listener (and net-snmp's behind it) like net-snmp's own.
  if (t.version !== 3) decodeResponses(session);
  guardMessageListeners((session as unknown as { dgram?: dgram.Socket }).dgram, (err) => faults?.crashed(err));
  if (t.version !== 3) {
    preEncodeRequests(session);
    sendGetsDirectly(session);
  }
  return session;
}

/** net-snmp's error → TIMEOUT, AUTH, UNSUPPORTED, UNREACHABLE or PROTOCOL, with a one-line reason. */
export function classifySnmpError(err: Error & { status?: number; code?: number | string }, t: SnmpTarget): RackpowerError {
  const where = describeTarget(t);
  const name = err.name;
  if (name === 'RequestTimedOutError') {
    const hint = t.version === 3 ? 'device down or unreachable' : 'device down, or wrong community';
    return new RackpowerError('TIMEOUT', `no answer from ${where} within ${t.timeoutMs} ms (${hint})`, { cause: err });
  }
  if (name === 'ResponseInvalidError') {
    const code = Number(err.code);
    // 4 ECouldNotDecrypt, 5 EAuthFailure, 10 ECommunityNoMatch
    if (code === 4 || code === 5 || code === 10) {
      return new RackpowerError('AUTH', `authentication failed at ${where}: ${err.message}`, { cause: err });
    }
    return new RackpowerError('PROTOCOL', `malformed reply from ${where}: ${err.message}`, { cause: err });
  }
  if (name === 'RequestFailedError') {
    return new RackpowerError('PROTOCOL', `${where} refused the request: ${err.message}`, { cause: err });
  }
  if (err.code === 'ERR_OSSL_EVP_UNSUPPORTED') {
    return new RackpowerError('UNSUPPORTED', `this Node.js lacks a cipher the SNMPv3 user needs (start with --openssl-legacy-provider): ${err.message}`, { cause: err });
  }
  if (typeof err.code === 'string' && /^E(HOSTUNREACH|NETUNREACH|CONNREFUSED|NOTFOUND|AI_AGAIN)/u.test(err.code)) {
    return new RackpowerError('UNREACHABLE', `${where} unreachable: ${err.message}`, { cause: err });
  }
  return new RackpowerError('PROTOCOL', `${where}: ${err.message}`, { cause: err });
}
