// Device node settings as saved in flow JSON → the current shape with every field present and typed. The editor
// saves numbers as strings, older flows lack fields added later; configVersion says which shape a node was saved in.
import type { DeviceKind } from '../../src/types';
import type { OutputMode } from '../../src/normalize/messages';

export const CONFIG_VERSION = 1;

export type TransportKind = 'snmp' | 'modbus' | 'nut';

export interface DeviceConfig {
  name: string;
  transport: TransportKind;
  /** Id of a rackpower-snmp-endpoint config node (transport snmp). */
  endpoint: string;
  /** Id of a rackpower-modbus-connection config node (transport modbus). */
  connection: string;
  /** Id of a rackpower-nut-server config node (transport nut: a NUT or apcupsd server). */
  server: string;
  /** The UPS name on a NUT server (`upsc <ups>@host`); unused for apcupsd. */
  ups: string;
  /** 'auto' (SNMP detection) or a profile id. */
  profile: string;
  /** Modbus unit id. */
  unit: number;
  /** Seconds between polls. */
  interval: number;
  /** Polls that must agree on a new UPS status before its events fire (1: at once). */
  confirm: number;
  outputMode: OutputMode;
  /** Comma-separated NUT names or `*` patterns; empty = all. */
  variables: string;
  prefix: string;
  /** UPS: REPLBATT when the measured battery health falls below this, %. */
  replaceBelow: number;
  configVersion: number;
}

/** UPS units and PDUs usually speak SNMP, sensors and meters Modbus. */
function defaultTransport(kind: DeviceKind): TransportKind {
  return kind === 'ups' || kind === 'pdu' ? 'snmp' : 'modbus';
}

function kindOfType(type: unknown): DeviceKind {
  const kind = String(type).replace(/^rackpower-/u, '');
  if (kind === 'ups' || kind === 'pdu' || kind === 'sensor' || kind === 'meter') return kind;
  throw new Error(`not a rackpower device node type: ${String(type)}`);
}

const MODES: readonly OutputMode[] = ['always', 'change', 'per-variable'];

function text(v: unknown): string {
  return typeof v === 'string' ? v.trim() : '';
}

/** Numbers arrive as strings from the editor; blank or garbage falls back to the default. */
function num(v: unknown, fallback: number): number {
  if (v === '' || v === null || v === undefined) return fallback;
  const n = Number(v);
  return Number.isFinite(n) ? n : fallback;
}

/** Fills defaults and coerces types; `config.type` (`rackpower-ups` ...) picks the kind's defaults. */
export function migrate(config: Record<string, unknown>): DeviceConfig {
  const kind = kindOfType(config.type);
  // Version 0 (no configVersion) is a flow saved before versioning: every field may be missing, which the defaults
  // below cover. A later version adds its conversion here, keyed on the version it upgrades from.
  const transport = config.transport === 'snmp' || config.transport === 'modbus' || config.transport === 'nut' ? config.transport : defaultTransport(kind);
  const mode = MODES.includes(config.outputMode as OutputMode) ? (config.outputMode as OutputMode) : 'always';
  return {
    name: text(config.name),
    transport,
    endpoint: text(config.endpoint),
    connection: text(config.connection),
    server: text(config.server),
    ups: text(config.ups),
    profile: text(config.profile) || 'auto',
    unit: num(config.unit, 1),
    interval: num(config.interval, 10),
    // Older flows get the new default too: one odd reply must not raise ONBATT (a confirming read follows in 1 s).
    confirm: Math.max(1, Math.round(num(config.confirm, 2))),
    outputMode: mode,
    variables: text(config.variables),
    prefix: text(config.prefix) || 'rackpower',
    replaceBelow: Math.min(100, Math.max(1, num(config.replaceBelow, 80))),
    configVersion: CONFIG_VERSION,
  };
}
