// The "NUT / apcupsd server" config node's settings → the engine's endpoints, and what device and UPS command nodes
// see of it. NUT: one persistent connection (NutClient) shared by every UPS read through the server; apcupsd: an
// NIS endpoint (apcupsd serves one UPS, and each poll is one short connection).
import type { Node, NodeCredentials, NodeDef } from 'node-red';
import { RackpowerError } from '../../src/errors';
import type { SharedResource } from '../../src/polling/shared';
import { NIS_DEFAULT_PORT, type NisEndpoint } from '../../src/protocol/apcupsd/nis';
import { NUT_DEFAULTS, type NutClient, type NutEndpoint, type NutTls } from '../../src/protocol/nut/client';
import { configInt } from './connections';
import { bareHost, isHost } from './validate';

export interface NutServerDef extends NodeDef {
  /** `nut`: upsd (NUT's network protocol); `apcupsd`: apcupsd's Network Information Server. */
  protocol: 'nut' | 'apcupsd';
  host: string;
  port: number | string;
  tls: NutTls;
  /** SHA-256 of upsd's certificate, for tls `pin`. */
  fingerprint: string;
  user: string;
  timeout: number | string;
  /** LOGIN to every UPS read through this server as a secondary, so upsd counts this host (upsmon secondary role). */
  login?: boolean;
  /** The UPS command node may send INSTCMDs through this server only when this is on (off by default). */
  allowControl?: boolean;
}

export interface NutServerCredentials {
  password?: string;
}

export const NUT_SERVER_CREDENTIALS: NodeCredentials<NutServerCredentials> = { password: { type: 'password' } };

export interface NutServerNode extends Node<NutServerCredentials> {
  settings: NutServerDef;
  /** The shared NUT connection (protocol nut). */
  connection: SharedResource<NutClient>;
  /**
   * With `login`: the connection for one UPS, logged in to it as a secondary. upsd counts one LOGIN per connection,
   * so each UPS read with Secondary on has its own (as upsmon has), shared by the nodes reading that UPS.
   */
  loginConnection(ups: string): SharedResource<NutClient>;
  /** The NIS endpoint (protocol apcupsd); throws CONFIG for a bad setting. */
  nis(): NisEndpoint;
}

function host(v: unknown): string {
  const text = typeof v === 'string' ? v.trim() : '';
  if (!text) throw new RackpowerError('CONFIG', 'server host is empty');
  if (!isHost(text)) throw new RackpowerError('CONFIG', `server host "${text}" is not an IP address or host name`);
  return bareHost(text);
}

export function nutEndpoint(def: NutServerDef, creds: NutServerCredentials): NutEndpoint {
  const tls: NutTls = ['verify', 'pin', 'skip'].includes(def.tls) ? def.tls : 'off';
  const fingerprint = (def.fingerprint ?? '').trim();
  if (tls === 'pin' && !/^([0-9a-f]{2}:?){32}$/iu.test(fingerprint)) throw new RackpowerError('CONFIG', 'TLS pin needs the certificate SHA-256 fingerprint (64 hex digits)');
  const user = (def.user ?? '').trim();
  return {
    host: host(def.host),
    port: configInt(def.port, NUT_DEFAULTS.port, 'NUT port', 1, 65535),
    tls,
    fingerprint: tls === 'pin' ? fingerprint : undefined,
    timeoutMs: configInt(def.timeout, NUT_DEFAULTS.timeoutMs, 'timeout', 50, 60_000),
    ...(user && { username: user, password: creds.password ?? '' }),
  };
}

export function nisEndpoint(def: NutServerDef): NisEndpoint {
  return {
    host: host(def.host),
    port: configInt(def.port, NIS_DEFAULT_PORT, 'apcupsd port', 1, 65535),
    timeoutMs: configInt(def.timeout, NUT_DEFAULTS.timeoutMs, 'timeout', 50, 60_000),
  };
}
