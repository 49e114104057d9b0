// The two config nodes' settings → the engine's connection objects, and what device nodes see of a config node.
// Each config node owns one connection (an SNMP session, a TCP socket or a serial port) shared by its device nodes.
import type { Node, NodeCredentials, NodeDef } from 'node-red';
import { RackpowerError } from '../../src/errors';
import type { SharedResource } from '../../src/polling/shared';
import type { SnmpClient } from '../../src/protocol/snmp/client';
import { SNMP_DEFAULTS, type AuthProtocol, type PrivProtocol, type SnmpTarget } from '../../src/protocol/snmp/target';
import type { ModbusTransport, ModbusTransportConfig } from '../../src/protocol/modbus/transport';
import { serialPortProblem } from '../../src/protocol/modbus/serial-port';
import { bareHost, isHost, isSerialPath } from './validate';

/** A config node device nodes acquire their connection from. */
export interface ConnectionNode<T, Credentials extends object = object> extends Node<Credentials> {
  connection: SharedResource<T>;
}

/** `settings`: what the flow says, for the discover endpoint (which host the stored credentials belong to). */
export interface SnmpAgentNode extends ConnectionNode<SnmpClient, SnmpCredentials> {
  settings: SnmpAgentDef;
}
/** `settings`: what the flow says, so a probe with the same settings can borrow the open connection. */
export interface ModbusLinkNode extends ConnectionNode<ModbusTransport> {
  settings: ModbusLinkDef;
}

export interface SnmpAgentDef extends NodeDef {
  host: string;
  port: number | string;
  version: '1' | '2c' | '3';
  timeout: number | string;
  retries: number | string;
  user: string;
  authProtocol: AuthProtocol | 'none' | '';
  privProtocol: PrivProtocol | 'none' | '';
  /** Outlet and UPS command nodes may send SETs through this agent only when this is on (off by default). */
  allowControl?: boolean;
}

/** Registered with `credentials:` so they live in flows_cred.json, never in the flow. */
export interface SnmpCredentials {
  community?: string;
  authKey?: string;
  privKey?: string;
}

export const SNMP_CREDENTIALS: NodeCredentials<SnmpCredentials> = {
  community: { type: 'password' },
  authKey: { type: 'password' },
  privKey: { type: 'password' },
};

export interface ModbusLinkDef extends NodeDef {
  mode: 'tcp' | 'rtu';
  host: string;
  port: number | string;
  serialPath: string;
  baudRate: number | string;
  parity: 'none' | 'even' | 'odd';
  stopBits: number | string;
  dataBits: number | string;
  timeout: number | string;
  delay: number | string;
}

/** A whole-number setting of a config node: blank is the default, anything else out of range is refused (CONFIG). */
export function configInt(v: unknown, fallback: number, what: string, min: number, max: number): number {
  if (v === '' || v === undefined || v === null) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new RackpowerError('CONFIG', `${what} ${String(v)} is not ${min}-${max}`);
  return n;
}

/** A host as the protocol libraries want it; CONFIG when it is neither an address nor a host name. */
function host(v: unknown, what: string): string {
  const text = typeof v === 'string' ? v.trim() : '';
  if (!text) throw new RackpowerError('CONFIG', `${what} host is empty`);
  if (!isHost(text)) throw new RackpowerError('CONFIG', `${what} host "${text}" is not an IP address or host name`);
  return bareHost(text);
}

function protocol<T extends string>(v: string | undefined): T | undefined {
  return v && v !== 'none' ? (v as T) : undefined;
}

/** Throws CONFIG for a port or number out of range; SnmpClient checks the rest (checkTarget). */
export function snmpTarget(def: SnmpAgentDef, creds: SnmpCredentials): SnmpTarget {
  const base = {
    ...SNMP_DEFAULTS,
    host: host(def.host, 'SNMP'),
    port: configInt(def.port, SNMP_DEFAULTS.port, 'SNMP port', 1, 65535),
    timeoutMs: configInt(def.timeout, SNMP_DEFAULTS.timeoutMs, 'SNMP timeout', 10, 60_000),
    retries: configInt(def.retries, SNMP_DEFAULTS.retries, 'SNMP retries', 0, 10),
  };
  if (def.version !== '3') {
    return { ...base, version: def.version === '1' ? 1 : 2, community: creds.community || 'public' };
  }
  const authProtocol = protocol<AuthProtocol>(def.authProtocol);
  const privProtocol = protocol<PrivProtocol>(def.privProtocol);
  return {
    ...base,
    version: 3,
    user: {
      name: (def.user ?? '').trim(),
      authProtocol,
      authKey: authProtocol ? creds.authKey : undefined,
      privProtocol,
      privKey: privProtocol ? creds.privKey : undefined,
    },
  };
}

export function modbusConfig(def: ModbusLinkDef): ModbusTransportConfig {
  const options = {
    timeoutMs: configInt(def.timeout, 2000, 'Modbus timeout', 10, 60_000),
    interRequestDelayMs: configInt(def.delay, def.mode === 'rtu' ? 20 : 0, 'Modbus inter-request delay', 0, 10_000),
  };
  if (def.mode === 'rtu') {
    const path = (def.serialPath ?? '').trim();
    if (!path) throw new RackpowerError('CONFIG', 'Modbus RTU needs a serial port');
    if (!isSerialPath(path)) throw new RackpowerError('CONFIG', `"${path}" is not a serial port (/dev/ttyUSB0, COM3)`);
    const problem = serialPortProblem(path);
    if (problem) throw new RackpowerError('CONFIG', problem);
    const parity = def.parity === 'even' || def.parity === 'odd' ? def.parity : 'none';
    return {
      kind: 'rtu',
      path,
      baudRate: configInt(def.baudRate, 9600, 'baud rate', 300, 921_600),
      parity,
      stopBits: configInt(def.stopBits, 1, 'stop bits', 1, 2) as 1 | 2,
      dataBits: configInt(def.dataBits, 8, 'data bits', 7, 8) as 7 | 8,
      ...options,
    };
  }
  return { kind: 'tcp', host: host(def.host, 'Modbus TCP'), port: configInt(def.port, 502, 'Modbus port', 1, 65535), ...options };
}
