// Saved flow JSON → the current shape of each rackpower node type, one small step per version. The runtime migrates
// every node's settings before reading them, and the editor migrates a node when its dialog opens (a field Node-RED
// does not know is dropped on save, and with it the link to a config node). Both run this file: scripts/build.mjs
// serves the compiled file to the editor as resources/migrations.js (window.rackpowerMigrations), so it must stay
// free of imports and of Node.js APIs.
//
// A node without `configVersion` was saved before versioning: version 0. MIGRATIONS[type][n] turns version n into
// n + 1, so a type's current version is the length of its chain. A step renames or fills fields; it never types them
// (the editor saves every text field as a string, at any version): readers coerce with editorNumber().

/** A node's settings as flow JSON holds them. */
export type FlowConfig = Record<string, unknown>;
export type Migration = (config: FlowConfig) => FlowConfig;

/** Moves `from` to `to`, in its place, unless `to` is already set (a node half-migrated by hand keeps its new value). */
function rename(config: FlowConfig, from: string, to: string): FlowConfig {
  if (!(from in config)) return config;
  const keep = config[to] !== undefined && config[to] !== '';
  const result: FlowConfig = {};
  for (const [key, value] of Object.entries(config)) {
    if (key === from) {
      if (!keep) result[to] = value;
    } else if (key !== to || keep) {
      result[key] = value;
    }
  }
  return result;
}

/** v1 wrote down the shape flows already had: the step only records that the node was looked at. */
const firstVersion: Migration = (config) => config;

/** Before versioning a device without `transport` meant SNMP for UPS units and PDUs, Modbus for sensors and meters. */
const deviceTransportByKind: Migration = (config) => {
  if (config.transport !== undefined && config.transport !== '') return config;
  const kind = String(config.type).replace(/^rackpower-/u, '');
  return { ...config, transport: kind === 'ups' || kind === 'pdu' ? 'snmp' : 'modbus' };
};

/** Renames fields, old name → new name. */
function renames(map: Readonly<Record<string, string>>): Migration {
  return (config) => Object.entries(map).reduce((c, [from, to]) => rename(c, from, to), config);
}

/** One word per concept: a device speaks a `protocol` through an SNMP `agent`, a Modbus `link` or a `server`. */
const DEVICE_RENAMES = { transport: 'protocol', endpoint: 'agent', connection: 'link' };
/** Outlet and UPS command nodes name their SNMP agent `agent`, like the device nodes. */
const CONTROL_RENAMES = { endpoint: 'agent' };

const DEVICE: readonly Migration[] = [deviceTransportByKind, renames(DEVICE_RENAMES)];

export const MIGRATIONS: Readonly<Record<string, readonly Migration[]>> = {
  'rackpower-ups': DEVICE,
  'rackpower-pdu': DEVICE,
  'rackpower-sensor': DEVICE,
  'rackpower-meter': DEVICE,
  'rackpower-snmp-endpoint': [firstVersion],
  'rackpower-modbus-connection': [firstVersion],
  'rackpower-nut-server': [firstVersion],
  'rackpower-outlet': [renames(CONTROL_RENAMES)],
  'rackpower-ups-command': [renames(CONTROL_RENAMES)],
  'rackpower-alarm': [firstVersion],
  'rackpower-budget': [firstVersion],
  'rackpower-shutdown': [firstVersion],
  'rackpower-standby': [firstVersion],
  'rackpower-trap-receiver': [firstVersion],
  'rackpower-ha-discovery': [firstVersion],
  'rackpower-influx': [firstVersion],
  'rackpower-prometheus': [firstVersion],
};

/**
 * Every field a migration renamed, old name → new name, by node type. The editor keeps the old names declared (Node-RED
 * drops undeclared fields when it loads a flow) until the node's dialog has moved them.
 */
export const RETIRED_FIELDS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'rackpower-ups': DEVICE_RENAMES,
  'rackpower-pdu': DEVICE_RENAMES,
  'rackpower-sensor': DEVICE_RENAMES,
  'rackpower-meter': DEVICE_RENAMES,
  'rackpower-outlet': CONTROL_RENAMES,
  'rackpower-ups-command': CONTROL_RENAMES,
};

/** The version a node of this type is saved in now. */
export function currentVersion(type: string): number {
  const chain = MIGRATIONS[type];
  if (!chain) throw new Error(`no config migrations for node type ${type}`);
  return chain.length;
}

/** The version a saved node says it has: absent (saved before versioning) is 0. */
export function savedVersion(config: FlowConfig): number {
  const v = Number(config.configVersion ?? 0);
  return Number.isInteger(v) && v >= 0 ? v : 0;
}

/**
 * `config` in its type's current shape, with `configVersion` set. A node from a newer rackpower (a version past the
 * chain) is returned as it is: guessing at a future shape would be worse than reading what is there.
 */
export function migrateConfig(config: FlowConfig): FlowConfig {
  const type = String(config.type);
  const chain = MIGRATIONS[type];
  if (!chain) throw new Error(`no config migrations for node type ${type}`);
  let result = config;
  for (let v = savedVersion(config); v < chain.length; v++) result = chain[v](result);
  return savedVersion(config) > chain.length ? result : { ...result, configVersion: chain.length };
}

/**
 * The one number coercion for editor fields: the editor saves numbers as text, older flows lack fields. Blank,
 * absent or not a finite number gives `fallback`.
 */
export function editorNumber(v: unknown, fallback: number): number;
export function editorNumber(v: unknown, fallback?: number): number | undefined;
export function editorNumber(v: unknown, fallback?: number): number | undefined {
  const value = typeof v === 'string' ? v.trim() : v;
  if (value === '' || value === null || value === undefined || typeof value === 'boolean') return fallback;
  const n = Number(value);
  return Number.isFinite(n) ? n : fallback;
}

/** migrateConfig for a runtime node's settings, typed as the current shape its reader expects. */
export function migrated<T extends object>(def: T): T {
  return migrateConfig(def as unknown as FlowConfig) as unknown as T;
}
