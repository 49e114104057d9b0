// The device dialog's Discover button, without Node-RED: check what the dialog sent (parseDiscoverRequest), then
// identify the device and read it once with a connection of the probe's own, under one deadline, and always close
// that connection (discover). admin.ts wires both to POST /rackpower/discover.
import { RackpowerError, asRackpowerError } from '../../src/errors';
import { assembleReader } from '../../src/device';
import type { SharedResource } from '../../src/polling/shared';
import type { DeviceReader, Identification } from '../../src/polling/types';
import { findProfile, loadedProfiles } from '../../src/profiles/load';
import type { ModbusProfile, Profile, SnmpProfile } from '../../src/profiles/types';
import { ModbusTransport, type ModbusTransportConfig } from '../../src/protocol/modbus/transport';
import { SnmpClient } from '../../src/protocol/snmp/client';
import { SNMP_DEFAULTS, checkTarget, type SnmpTarget } from '../../src/protocol/snmp/target';
import { unitOf } from '../../src/normalize/quantities';
import type { DeviceKind, ErrorCode, Value, Values } from '../../src/types';
import { modbusConfig, snmpTarget, type ModbusLinkDef, type SnmpCredentials, type SnmpAgentDef } from './connections';
import { bareHost, isHost, isIntIn, isPort, isSerialPath, isUnitId } from './validate';
import { NutClient } from '../../src/protocol/nut/client';
import { nisEndpoint, nutEndpoint, type NutServerCredentials, type NutServerDef } from './nut-server';
import type { NisEndpoint } from '../../src/protocol/apcupsd/nis';
import type { NutEndpoint } from '../../src/protocol/nut/client';

/** What the dialog sent is not a probe request: answered 400 with this reason, nothing is contacted. */
export class BadRequest extends Error {}

/** The whole probe (identify + one read), however slow each request is allowed to be. */
export const DEFAULT_DEADLINE_MS = 20_000;

const KINDS: readonly DeviceKind[] = ['ups', 'pdu', 'sensor', 'meter'];
const CREDENTIALS = ['community', 'authKey', 'privKey'] as const;
/** What the editor shows in a password field whose stored value it does not have. */
const STORED = '__PWRD__';

/** A deployed config node as the endpoint sees it (RED.nodes.getNode + RED.nodes.getCredentials). */
export interface DeployedSnmp {
  settings: SnmpAgentDef;
  credentials: SnmpCredentials;
}
export interface DeployedModbus {
  settings: ModbusLinkDef;
  connection: SharedResource<ModbusTransport>;
}
export interface DeployedNut {
  settings: NutServerDef;
  credentials: NutServerCredentials;
}
export interface Deployed {
  snmp(id: string): DeployedSnmp | undefined;
  modbus(id: string): DeployedModbus | undefined;
  nut?(id: string): DeployedNut | undefined;
}

export type DiscoverPlan =
  | { protocol: 'snmp'; kind: DeviceKind; profile: string; target: SnmpTarget }
  | { protocol: 'modbus'; kind: DeviceKind; profile: string; unit: number; config: ModbusTransportConfig; shared?: SharedResource<ModbusTransport> }
  // A NUT server (ups: the one to read, '' for the first it lists) or an apcupsd NIS server.
  | { protocol: 'nut'; kind: DeviceKind; profile: string; nut?: NutEndpoint; nis?: NisEndpoint; ups: string };

export interface PreviewValue {
  name: string;
  value: Value;
  /** NUT unit for display, '' for text and plain numbers. */
  unit: string;
}

export interface DiscoverResult {
  device: Identification & { vendor: string; address: string; ups?: string };
  /** A NUT server's UPS units (LIST UPS), for the dialog's UPS field. */
  units?: Array<{ name: string; description: string }>;
  /** A few key readings, in the order the kind's status summary uses. */
  preview: PreviewValue[];
  /** Every NUT name the device answered, for the Variables field's completion. */
  variables: string[];
}

export interface DiscoverFailure {
  code: ErrorCode;
  message: string;
}

type Body = Record<string, unknown>;

function object(v: unknown, what: string): Body {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new BadRequest(`${what} must be an object`);
  return v as Body;
}

function oneOf<T extends string>(v: unknown, allowed: readonly T[], what: string): T {
  if (typeof v !== 'string' || !allowed.includes(v as T)) throw new BadRequest(`${what} must be one of ${allowed.join(', ')}`);
  return v as T;
}

/** Blank means the default (as in the dialog); anything else must be a whole number in range. */
function optionalInt(v: unknown, min: number, max: number, what: string): void {
  if (v === undefined || v === null || v === '') return;
  if (!isIntIn(v, min, max)) throw new BadRequest(`${what} must be a whole number ${min}-${max}`);
}

function text(v: unknown, what: string, max = 256): string {
  if (v === undefined || v === null) return '';
  // Control characters have no place in a user name or a key, and would end up in logs.
  const control = typeof v === 'string' && [...v].some((c) => c.charCodeAt(0) < 0x20);
  if (typeof v !== 'string' || v.length > max || control) throw new BadRequest(`${what} must be text of at most ${max} characters`);
  return v;
}

/** Node-RED ids are 16 hex digits; older flows and imports have others, but never anything unusual. */
function configId(v: unknown, what: string): string | undefined {
  if (v === undefined || v === null || v === '' || v === '_ADD_') return undefined;
  if (typeof v !== 'string' || !/^[\w.-]{1,64}$/u.test(v)) throw new BadRequest(`${what}.id is not a node id`);
  return v;
}

function host(v: unknown, what: string): string {
  if (!isHost(v)) throw new BadRequest(`${what}.host must be an IP address or host name`);
  return v as string;
}

/** The profile id, checked against the known profiles (shipped and RACKPOWER_PROFILES), the protocol and the node's kind. */
function profileOf(v: unknown, protocol: 'snmp' | 'modbus', kind: DeviceKind): string {
  if (v === 'auto' || v === undefined || v === '') {
    if (protocol === 'modbus') throw new BadRequest('profile: Modbus has no detection, choose the device profile');
    return 'auto';
  }
  const id = typeof v === 'string' ? v : '';
  const profile = loadedProfiles().find((p) => p.id === id);
  if (!profile) throw new BadRequest(`profile must be "auto" or a known profile id`);
  if (profile.protocol !== protocol) throw new BadRequest(`profile ${id} is for ${profile.protocol}, not ${protocol}`);
  if (profile.kind !== kind) throw new BadRequest(`profile ${id} is for a ${profile.kind}, not a ${kind}`);
  return id;
}

/** The config node's CONFIG refusals (snmpTarget, modbusConfig, checkTarget) are bad requests too. */
function asBadRequest<T>(build: () => T): T {
  try {
    return build();
  } catch (err) {
    if (err instanceof RackpowerError && err.code === 'CONFIG') throw new BadRequest(err.message);
    throw err;
  }
}

/** host:port of an SNMP agent as settings give it (blank port: SNMP's 161), for comparing where a secret may go. */
function agentAddress(settings: { host?: string; port?: unknown }): string {
  const host = bareHost(settings.host ?? '').toLowerCase();
  const port = settings.port === '' || settings.port === undefined || settings.port === null ? SNMP_DEFAULTS.port : Number(settings.port);
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function snmpPlan(body: Body, deployed: Deployed): SnmpTarget {
  const ep = object(body.agent, 'agent');
  const id = configId(ep.id, 'agent');
  const settings = {
    host: host(ep.host, 'agent'),
    port: ep.port,
    version: oneOf(ep.version, ['1', '2c', '3'] as const, 'agent.version'),
    timeout: ep.timeout,
    retries: ep.retries,
    user: text(ep.user, 'agent.user', 64),
    authProtocol: oneOf(ep.authProtocol ?? 'none', ['none', 'md5', 'sha', 'sha224', 'sha256', 'sha384', 'sha512'] as const, 'agent.authProtocol'),
    privProtocol: oneOf(ep.privProtocol ?? 'none', ['none', 'des', 'aes', 'aes256b', 'aes256r'] as const, 'agent.privProtocol'),
  } as SnmpAgentDef;
  if (ep.port !== '' && ep.port !== undefined && !isPort(ep.port)) throw new BadRequest('agent.port must be a whole number 1-65535');
  optionalInt(ep.timeout, 10, 60_000, 'agent.timeout');
  optionalInt(ep.retries, 0, 10, 'agent.retries');

  // A secret the editor typed wins; one it only knows exists ("__PWRD__" or absent) comes from the deployed node,
  // and only for the host it was stored for: a probe must not carry a stored community to another address.
  const sent = ep.credentials === undefined ? {} : object(ep.credentials, 'agent.credentials');
  const stored = id ? deployed.snmp(id) : undefined;
  const credentials: SnmpCredentials = {};
  for (const key of CREDENTIALS) {
    const value = sent[key];
    if (typeof value === 'string' && value !== STORED) {
      credentials[key] = text(value, `agent.credentials.${key}`);
      continue;
    }
    if (value !== undefined && value !== STORED) throw new BadRequest(`agent.credentials.${key} must be text`);
    const keep = stored?.credentials[key];
    if (!keep) continue;
    const storedFor = agentAddress(stored.settings);
    if (storedFor !== agentAddress(settings)) {
      throw new BadRequest(`the stored ${key} of this SNMP agent is only sent to ${storedFor}: type it again to probe ${agentAddress(settings)}`);
    }
    credentials[key] = keep;
  }
  return asBadRequest(() => {
    const target = snmpTarget(settings, credentials);
    checkTarget(target);
    return target;
  });
}

function modbusPlan(body: Body, deployed: Deployed): { config: ModbusTransportConfig; shared?: SharedResource<ModbusTransport> } {
  const c = object(body.link, 'link');
  const id = configId(c.id, 'link');
  const mode = oneOf(c.mode ?? 'tcp', ['tcp', 'rtu'] as const, 'link.mode');
  if (mode === 'tcp') {
    host(c.host, 'link');
    if (c.port !== '' && c.port !== undefined && !isPort(c.port)) throw new BadRequest('link.port must be a whole number 1-65535');
  } else {
    if (!isSerialPath(c.serialPath)) throw new BadRequest('link.serialPath must be a serial port such as /dev/ttyUSB0 or COM3');
    optionalInt(c.baudRate, 300, 921_600, 'link.baudRate');
    oneOf(c.parity ?? 'none', ['none', 'even', 'odd'] as const, 'link.parity');
    optionalInt(c.stopBits, 1, 2, 'link.stopBits');
    optionalInt(c.dataBits, 7, 8, 'link.dataBits');
  }
  optionalInt(c.timeout, 10, 60_000, 'link.timeout');
  optionalInt(c.delay, 0, 10_000, 'link.delay');
  const settings = { ...c, mode } as unknown as ModbusLinkDef;
  const config = asBadRequest(() => modbusConfig(settings));
  // The deployed connection with the very same settings is borrowed rather than opened twice: a serial port opens
  // only once, and many TCP gateways accept a single client.
  const live = id ? deployed.modbus(id) : undefined;
  let same = false;
  try {
    same = !!live && JSON.stringify(modbusConfig(live.settings)) === JSON.stringify(config);
  } catch {
    // the deployed node's own settings are refused: nothing to borrow
  }
  return { config, shared: same ? live!.connection : undefined };
}

/** A NUT or apcupsd server; the password as for SNMP: typed, or the deployed node's for the same host only. */
function nutPlan(body: Body, deployed: Deployed): { nut?: NutEndpoint; nis?: NisEndpoint; ups: string } {
  const sv = object(body.server, 'server');
  const id = configId(sv.id, 'server');
  const settings = {
    protocol: oneOf(sv.protocol ?? 'nut', ['nut', 'apcupsd'] as const, 'server.protocol'),
    host: host(sv.host, 'server'),
    port: sv.port,
    tls: oneOf(sv.tls ?? 'off', ['off', 'verify', 'pin', 'skip'] as const, 'server.tls'),
    fingerprint: text(sv.fingerprint, 'server.fingerprint', 100),
    user: text(sv.user, 'server.user', 64),
    timeout: sv.timeout,
  } as NutServerDef;
  if (sv.port !== '' && sv.port !== undefined && !isPort(sv.port)) throw new BadRequest('server.port must be a whole number 1-65535');
  optionalInt(sv.timeout, 50, 60_000, 'server.timeout');
  const ups = text(body.ups, 'ups', 64).trim();
  if (ups && !/^[\w.:@-]+$/u.test(ups)) throw new BadRequest('ups must be a NUT UPS name');
  if (settings.protocol === 'apcupsd') return { nis: asBadRequest(() => nisEndpoint(settings)), ups: '' };
  const sent = sv.credentials === undefined ? {} : object(sv.credentials, 'server.credentials');
  let password: string | undefined;
  if (typeof sent.password === 'string' && sent.password !== STORED) password = text(sent.password, 'server.credentials.password');
  else {
    const stored = id && deployed.nut ? deployed.nut(id) : undefined;
    if (stored?.credentials.password) {
      if (bareHost(stored.settings.host ?? '').toLowerCase() !== bareHost(settings.host).toLowerCase()) {
        throw new BadRequest(`the stored password of this server is only sent to ${stored.settings.host}: type it again to probe ${settings.host}`);
      }
      password = stored.credentials.password;
    }
  }
  return { nut: asBadRequest(() => nutEndpoint(settings, { password })), ups };
}

/** Checks the body of POST /rackpower/discover; throws BadRequest with the first reason it finds. */
export function parseDiscoverRequest(input: unknown, deployed: Deployed): DiscoverPlan {
  const body = object(input, 'the request body');
  const kind = oneOf(body.kind, KINDS, 'kind');
  const protocol = oneOf(body.protocol, ['snmp', 'modbus', 'nut'] as const, 'protocol');
  if (protocol === 'nut') {
    if (kind !== 'ups') throw new BadRequest('NUT and apcupsd servers watch UPS units: use a UPS node');
    return { protocol, kind, profile: 'nut', ...nutPlan(body, deployed) };
  }
  const profile = profileOf(body.profile, protocol, kind);
  if (protocol === 'snmp') return { protocol, kind, profile, target: snmpPlan(body, deployed) };
  if (!isUnitId(body.unit)) throw new BadRequest('unit must be a whole number 0-247');
  return { protocol, kind, profile, unit: Number(body.unit), ...modbusPlan(body, deployed) };
}

interface Probe {
  reader: DeviceReader;
  address: string;
  /** A second reader on the same connection, over every SNMP profile, to name what an unmatched device is. */
  anyKind?: () => DeviceReader;
  close(): Promise<void>;
}

function open(plan: DiscoverPlan): Probe {
  if (plan.protocol === 'nut') throw new Error('open() is for SNMP and Modbus probes');
  if (plan.protocol === 'snmp') {
    const client = new SnmpClient(plan.target);
    const all = loadedProfiles().filter((p): p is SnmpProfile => p.protocol === 'snmp');
    const options = plan.profile === 'auto' ? { candidates: all.filter((p) => p.kind === plan.kind) } : { profile: findProfile(plan.profile, loadedProfiles()) as SnmpProfile };
    return {
      ...assembleReader({ protocol: 'snmp', client, ...options }),
      anyKind: plan.profile === 'auto' ? () => assembleReader({ protocol: 'snmp', client, candidates: all }).reader : undefined,
      close: async () => client.close(),
    };
  }
  const transport = plan.shared ? plan.shared.acquire() : new ModbusTransport(plan.config);
  const profile = findProfile(plan.profile, loadedProfiles()) as ModbusProfile;
  return {
    ...assembleReader({ protocol: 'modbus', transport, profile, unit: plan.unit }),
    close: () => (plan.shared ? plan.shared.release() : transport.close()),
  };
}

/** Readings worth a glance per kind: the status summary's values first. */
const PREVIEW: Record<DeviceKind, string[]> = {
  ups: ['ups.status', 'battery.charge', 'battery.runtime', 'input.voltage', 'output.voltage', 'ups.load'],
  pdu: ['outlet.count', 'input.voltage', 'input.current', 'input.realpower', 'input.energy', 'ambient.1.temperature'],
  sensor: ['ambient.temperature', 'ambient.1.temperature', 'ambient.humidity', 'ambient.1.humidity', 'ambient.2.temperature', 'ambient.2.humidity'],
  meter: ['input.voltage', 'input.current', 'input.realpower', 'input.energy', 'input.frequency', 'input.powerfactor'],
};
const PREVIEW_SIZE = 6;

export function preview(kind: DeviceKind, values: Values): PreviewValue[] {
  const names = PREVIEW[kind].filter((n) => values[n] !== undefined);
  // A device without the usual names still shows something: its first numeric values.
  for (const n of Object.keys(values).sort()) {
    if (names.length >= PREVIEW_SIZE) break;
    if (!names.includes(n) && typeof values[n] === 'number') names.push(n);
  }
  return names.slice(0, PREVIEW_SIZE).map((name) => ({ name, value: values[name], unit: unitOf(name, values[name]) }));
}

async function probe(p: Probe, plan: DiscoverPlan): Promise<DiscoverResult> {
  let id: Identification;
  try {
    id = await p.reader.identify();
  } catch (err) {
    throw await explainUnknown(asRackpowerError(err), p, plan.kind);
  }
  const values = await p.reader.read();
  const profile = findProfile(id.profile, loadedProfiles());
  return {
    device: { ...id, vendor: profile.vendor, address: p.address },
    preview: preview(plan.kind, values),
    variables: Object.keys(values).sort(),
  };
}

/** "No UPS profile matches" is more useful as "this is a PDU (apc-rpdu2): use a PDU node". */
async function explainUnknown(err: RackpowerError, p: Probe, kind: DeviceKind): Promise<RackpowerError> {
  if (err.code !== 'UNKNOWN_DEVICE' || !p.anyKind) return err;
  let other: Identification;
  try {
    other = await p.anyKind().identify();
  } catch {
    return err;
  }
  if (other.kind === kind) return err;
  const what: Profile = findProfile(other.profile, loadedProfiles());
  return new RackpowerError('UNKNOWN_DEVICE', `this is a ${other.kind}, not a ${kind} (${what.vendor}, profile ${what.id}): use a rackpower ${other.kind} node`);
}

/**
 * Identifies and reads the device once. Rejects with a RackpowerError (TIMEOUT also when the deadline passes
 * first); the probe's connection is closed (or given back) either way before this settles.
 */
/** A NUT server: its UPS units, and the chosen one (or the first) read once; apcupsd: its one UPS. */
async function probeServer(plan: Extract<DiscoverPlan, { protocol: 'nut' }>, deadlineMs: number): Promise<DiscoverResult> {
  const client = plan.nut ? new NutClient({ ...plan.nut, timeoutMs: Math.min(plan.nut.timeoutMs, deadlineMs) }) : undefined;
  try {
    let reader: DeviceReader;
    let address: string;
    let units: DiscoverResult['units'];
    let ups: string | undefined;
    if (client) {
      units = [...(await client.listUps())].map(([name, description]) => ({ name, description }));
      ups = plan.ups || units[0]?.name;
      if (!ups) throw new RackpowerError('UNKNOWN_DEVICE', `${client.describe()} has no UPS`);
      ({ reader, address } = assembleReader({ protocol: 'nut', client, ups }));
    } else {
      ({ reader, address } = assembleReader({ protocol: 'apcupsd', nis: plan.nis! }));
    }
    const id = await reader.identify();
    const values = await reader.read();
    return {
      device: { ...id, vendor: id.manufacturer ?? (client ? 'NUT' : 'apcupsd'), address, ...(ups && { ups }) },
      ...(units && { units }),
      preview: preview(plan.kind, values),
      variables: Object.keys(values).sort(),
    };
  } finally {
    await client?.close();
  }
}

export async function discover(plan: DiscoverPlan, deadlineMs = DEFAULT_DEADLINE_MS): Promise<DiscoverResult> {
  if (plan.protocol === 'nut') return probeServer(plan, deadlineMs).catch((err: unknown) => Promise.reject(asRackpowerError(err)));
  const p = open(plan);
  let timer: NodeJS.Timeout | undefined;
  const work = probe(p, plan);
  // Settles after the deadline when the deadline wins; its outcome no longer matters then.
  work.catch(() => undefined);
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new RackpowerError('TIMEOUT', `no complete answer from ${p.address} within ${deadlineMs / 1000} s`)), deadlineMs);
  });
  try {
    return await Promise.race([work, deadline]);
  } catch (err) {
    throw asRackpowerError(err);
  } finally {
    clearTimeout(timer);
    await p.close();
  }
}

/** A failure as the endpoint answers it. */
export function failure(err: unknown): DiscoverFailure {
  const e = asRackpowerError(err);
  return { code: e.code, message: e.message };
}
