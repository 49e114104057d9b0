// Listens for SNMP notifications with net-snmp's receiver: v1 and v2c traps from known communities, v3 traps and
// informs from known users (authPriv included), informs acknowledged by net-snmp before they are reported. The
// default port is 1162: binding 162 needs privileges (see the README for setcap, an iptables redirect or authbind).
import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import * as snmp from 'net-snmp';
import { RackpowerError } from '../errors';
import { guardMessageListeners } from '../protocol/snmp/guard';
import type { SnmpV3User } from '../protocol/snmp/target';
import { TrapNormalizer, type NormalizedTrap, type RawNotification } from './normalize';

export const DEFAULT_TRAP_PORT = 1162;

export interface TrapReceiverOptions {
  /** Address to listen on (default 0.0.0.0: every IPv4 interface). */
  host?: string;
  /** UDP port (default 1162; 0 picks a free one). */
  port?: number;
  /** v1/v2c communities accepted (default ["public"]); other communities are dropped and reported. */
  communities?: string[];
  /** v3 users accepted (their traps and informs). */
  users?: SnmpV3User[];
  now?: () => number;
}

interface TrapReceiverEvents {
  trap: [NormalizedTrap];
  /** A datagram that was not accepted (unknown community or user, bad digest, malformed). */
  rejected: [RackpowerError];
}

const AUTH = snmp.AuthProtocols as unknown as Record<string, number>;
const PRIV = snmp.PrivProtocols as unknown as Record<string, number>;

function v3User(u: SnmpV3User): snmp.User {
  if (!u.name) throw new RackpowerError('CONFIG', 'an SNMPv3 trap user needs a name');
  if (u.privProtocol && !u.authProtocol) throw new RackpowerError('CONFIG', `SNMPv3 user ${u.name}: privacy needs authentication (authPriv)`);
  if ((u.authProtocol && !u.authKey) || (u.privProtocol && !u.privKey)) throw new RackpowerError('CONFIG', `SNMPv3 user ${u.name}: a key is empty`);
  const level = u.privProtocol ? snmp.SecurityLevel.authPriv : u.authProtocol ? snmp.SecurityLevel.authNoPriv : snmp.SecurityLevel.noAuthNoPriv;
  return {
    name: u.name,
    level,
    ...(u.authProtocol && { authProtocol: AUTH[u.authProtocol], authKey: u.authKey }),
    ...(u.privProtocol && { privProtocol: PRIV[u.privProtocol], privKey: u.privKey }),
  } as snmp.User;
}

function bindError(err: NodeJS.ErrnoException, host: string, port: number): RackpowerError {
  if (err.code === 'EACCES') {
    return new RackpowerError('CONFIG', `no permission to listen on UDP ${host}:${port}: ports below 1024 need privileges (use 1162, or see the README: setcap, iptables redirect, authbind)`, { cause: err });
  }
  if (err.code === 'EADDRINUSE') return new RackpowerError('CONFIG', `UDP ${host}:${port} is already in use (another trap receiver, snmptrapd?)`, { cause: err });
  return new RackpowerError('CONFIG', `cannot listen on UDP ${host}:${port}: ${err.message}`, { cause: err });
}

export class TrapReceiver extends EventEmitter<TrapReceiverEvents> {
  private receiver: { close(cb?: () => void): void } | undefined;
  private socket: dgram.Socket | undefined;

  constructor(private readonly options: TrapReceiverOptions = {}) {
    super();
  }

  /** The bound port (after start). */
  get port(): number {
    return this.socket?.address().port ?? 0;
  }

  /**
   * Binds and resolves once listening; rejects with CONFIG and the reason (permission, port in use, profiles whose
   * trap definitions cannot be loaded: the node says so in its status, as for a port in use).
   */
  async start(): Promise<{ host: string; port: number }> {
    const normalizer = new TrapNormalizer();
    const host = this.options.host ?? '0.0.0.0';
    const port = this.options.port ?? DEFAULT_TRAP_PORT;
    const now = this.options.now ?? Date.now;
    const users = (this.options.users ?? []).map(v3User);
    // net-snmp binds its socket without a callback (an error would only reach the trap callback) and turns port 0
    // into 162: it gets a socket whose bind does nothing, and this class binds it, awaiting the outcome.
    const dgramModule = {
      createSocket: (type: dgram.SocketType): dgram.Socket => {
        const socket = dgram.createSocket(type);
        this.socket = socket;
        return Object.assign(socket, { bind: () => socket });
      },
    };
    const receiver = snmp.createReceiver({ port: 1, includeAuthentication: true, dgramModule }, (error: Error | null, notification: RawNotification) => {
      if (error) {
        const code = /community|user|authenticat|digest|decrypt/iu.test(error.message) ? 'AUTH' : 'PROTOCOL';
        this.emit('rejected', new RackpowerError(code, `trap rejected: ${error.message}`, { cause: error }));
        return;
      }
      this.emit('trap', normalizer.normalize(notification, now()));
    }) as { getAuthorizer(): { addCommunity(c: string): void; addUser(u: snmp.User): void }; close(cb?: () => void): void };
    this.receiver = receiver;
    // A trap net-snmp (or the normalizer) cannot handle must not end the process: it is rejected like a malformed one.
    guardMessageListeners(this.socket, (err) => this.emit('rejected', new RackpowerError('PROTOCOL', `trap rejected: ${err.message}`, { cause: err })));
    for (const c of this.options.communities ?? ['public']) receiver.getAuthorizer().addCommunity(c);
    for (const u of users) receiver.getAuthorizer().addUser(u);
    const socket = this.socket!;
    await new Promise<void>((resolve, reject) => {
      const failed = (err: NodeJS.ErrnoException): void => {
        this.receiver = undefined;
        this.socket = undefined;
        socket.close();
        reject(bindError(err, host, port));
      };
      socket.once('error', failed);
      const bind = dgram.Socket.prototype.bind as (this: dgram.Socket, port: number, host: string, cb: () => void) => dgram.Socket;
      bind.call(socket, port, host, () => {
        socket.off('error', failed);
        resolve();
      });
    });
    return { host, port: this.port };
  }

  async close(): Promise<void> {
    const receiver = this.receiver;
    this.receiver = undefined;
    this.socket = undefined;
    if (receiver) await new Promise<void>((resolve) => receiver.close(() => resolve()));
  }
}
