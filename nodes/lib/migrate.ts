// Device node settings as saved in flow JSON → the current shape with every field present and typed. Older shapes
// are brought up to date by the node type's migration chain (./migrations.ts, shared with the editor); the editor
// saves numbers as strings and older flows lack fields added later, which the defaults below cover.
import type { DeviceKind } from '../../src/types';
import type { OutputMode } from '../../src/normalize/messages';
import { currentVersion, editorNumber, migrateConfig } from './migrations';

export const CONFIG_VERSION = currentVersion('rackpower-ups');

/** What a device node speaks; `nut` covers NUT and apcupsd servers (the server config node says which). */
export type DeviceProtocol = 'snmp' | 'modbus' | 'nut';

export interface DeviceConfig {
  name: string;
  protocol: DeviceProtocol;
  /** Id of the SNMP agent config node (type rackpower-snmp-endpoint), protocol snmp. */
  agent: string;
  /** Id of the Modbus link config node (type rackpower-modbus-connection), protocol modbus. */
  link: string;
  /** Id of the server config node (type rackpower-nut-server: a NUT or apcupsd server), protocol nut. */
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
function defaultProtocol(kind: DeviceKind): DeviceProtocol {
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

const num = editorNumber;

/** Migrates, fills defaults and coerces types; `saved.type` (`rackpower-ups` ...) picks the kind's defaults. */
export function migrate(saved: Record<string, unknown>): DeviceConfig {
  const kind = kindOfType(saved.type);
  const config = migrateConfig(saved);
  const protocol = config.protocol === 'snmp' || config.protocol === 'modbus' || config.protocol === 'nut' ? config.protocol : defaultProtocol(kind);
  const mode = MODES.includes(config.outputMode as OutputMode) ? (config.outputMode as OutputMode) : 'always';
  return {
    name: text(config.name),
    protocol,
    agent: text(config.agent),
    link: text(config.link),
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
