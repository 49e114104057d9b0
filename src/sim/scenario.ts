// Scenario files (scenarios/*.json): the devices of a rack and a timeline of events. Checked field by field so a
// typo is reported with its place (`events[2].duration: must be a number > 0`) instead of misbehaving silently.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { RackpowerError } from '../errors';
import { PACKAGE_ROOT, findProfile, loadedProfiles } from '../profiles/load';
import type { Profile } from '../profiles/types';
import type { BatterySpec, FirmwareEstimate } from './devices/battery';
import type { EventAction, Scenario, ScenarioDevice, ScenarioEvent } from './types';

export const SCENARIO_DIR = path.join(PACKAGE_ROOT, 'scenarios');
export const DEFAULT_SCENARIO = 'demo';

const ACTIONS: readonly EventAction[] = ['power-cut', 'comms-lost', 'garbage', 'temperature-spike'];
const MAX_OUTLETS = 48;
const MAX_UNIT = 247;
const FIRMWARE: readonly FirmwareEstimate[] = ['honest', 'new-battery', 'zero'];
const BATTERY_FIELDS = ['capacityWh', 'health', 'peukert', 'referenceW', 'temperature', 'ageingPerDay', 'firmware', 'chargerW'] as const;

type Json = Record<string, unknown>;

class Checker {
  constructor(private readonly where: string) {}

  fail(field: string, message: string): never {
    throw new RackpowerError('CONFIG', `scenario ${this.where}: ${field}: ${message}`);
  }

  object(value: unknown, field: string, allowed: readonly string[]): Json {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(field, 'must be an object');
    const extra = Object.keys(value).find((k) => !allowed.includes(k));
    if (extra !== undefined) this.fail(field, `unknown property "${extra}" (allowed: ${allowed.join(', ')})`);
    return value as Json;
  }

  string(value: unknown, field: string): string {
    if (typeof value !== 'string' || value.trim() === '') this.fail(field, 'must be a non-empty string');
    return value;
  }

  /** A finite number, at least (or with `exclusive`, above) `min` when given. */
  number(value: unknown, field: string, min?: number, exclusive = false): number {
    if (typeof value !== 'number' || !Number.isFinite(value)) this.fail(field, 'must be a number');
    if (min !== undefined && (exclusive ? value <= min : value < min)) this.fail(field, `must be a number ${exclusive ? '>' : '>='} ${min}`);
    return value;
  }

  integer(value: unknown, field: string, min: number, max: number): number {
    if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) this.fail(field, `must be an integer from ${min} to ${max}`);
    return value as number;
  }

  array(value: unknown, field: string): unknown[] {
    if (!Array.isArray(value)) this.fail(field, 'must be an array');
    return value;
  }
}

function parseDevice(c: Checker, raw: unknown, field: string, profiles: Profile[]): ScenarioDevice & { resolved: Profile } {
  const d = c.object(raw, field, ['name', 'profile', 'outlets', 'unit', 'battery']);
  const name = c.string(d.name, `${field}.name`);
  // Names end up in URLs, log lines and the CLI's space-separated output.
  if (!/^[A-Za-z0-9_.-]+$/u.test(name)) c.fail(`${field}.name`, 'may only contain letters, digits, "_", "." and "-"');
  const id = c.string(d.profile, `${field}.profile`);
  let profile: Profile;
  try {
    profile = findProfile(id, profiles);
  } catch {
    // Any profile can be simulated: say which, by kind, so a typo is fixed without looking elsewhere.
    const byKind = (['ups', 'pdu', 'sensor', 'meter'] as const).map((k) => `${k}: ${profiles.filter((p) => p.kind === k).map((p) => p.id).join(', ')}`);
    c.fail(`${field}.profile`, `unknown profile "${id}"; the simulator speaks every profile (scenarios/README.md) — ${byKind.join('; ')}`);
  }
  const device: ScenarioDevice & { resolved: Profile } = { name, profile: profile.id, resolved: profile };
  if (d.outlets !== undefined) {
    if (profile.kind !== 'pdu') c.fail(`${field}.outlets`, `only a PDU has outlets (profile ${profile.id} is a ${profile.kind})`);
    device.outlets = c.integer(d.outlets, `${field}.outlets`, 1, MAX_OUTLETS);
  }
  if (d.unit !== undefined) {
    if (profile.protocol !== 'modbus') c.fail(`${field}.unit`, `only Modbus devices have a unit id (profile ${profile.id} is ${profile.protocol})`);
    device.unit = c.integer(d.unit, `${field}.unit`, 1, MAX_UNIT);
  }
  if (d.battery !== undefined) {
    if (profile.kind !== 'ups') c.fail(`${field}.battery`, `only a UPS has a battery (profile ${profile.id} is a ${profile.kind})`);
    device.battery = parseBattery(c, d.battery, `${field}.battery`);
  }
  return device;
}

function parseBattery(c: Checker, raw: unknown, field: string): Partial<BatterySpec> {
  const b = c.object(raw, field, BATTERY_FIELDS);
  const battery: Partial<BatterySpec> = {};
  if (b.capacityWh !== undefined) battery.capacityWh = c.number(b.capacityWh, `${field}.capacityWh`, 0, true);
  if (b.health !== undefined) {
    battery.health = c.number(b.health, `${field}.health`, 0, true);
    if (battery.health > 1) c.fail(`${field}.health`, 'is a fraction of the new capacity: above 0, at most 1');
  }
  if (b.peukert !== undefined) battery.peukert = c.number(b.peukert, `${field}.peukert`, 1);
  if (b.referenceW !== undefined) battery.referenceW = c.number(b.referenceW, `${field}.referenceW`, 0, true);
  if (b.temperature !== undefined) battery.temperature = c.number(b.temperature, `${field}.temperature`);
  if (b.ageingPerDay !== undefined) battery.ageingPerDay = c.number(b.ageingPerDay, `${field}.ageingPerDay`, 0);
  if (b.chargerW !== undefined) battery.chargerW = c.number(b.chargerW, `${field}.chargerW`, 0, true);
  if (b.firmware !== undefined) {
    if (!FIRMWARE.includes(b.firmware as FirmwareEstimate)) c.fail(`${field}.firmware`, `must be one of ${FIRMWARE.join(', ')}`);
    battery.firmware = b.firmware as FirmwareEstimate;
  }
  return battery;
}

function parseEvent(c: Checker, raw: unknown, field: string, devices: Map<string, Profile>): ScenarioEvent {
  const e = c.object(raw, field, ['at', 'action', 'duration', 'device', 'delta']);
  const action = e.action as EventAction;
  if (!ACTIONS.includes(action)) c.fail(`${field}.action`, `must be one of ${ACTIONS.join(', ')}`);
  const event: ScenarioEvent = { at: c.number(e.at, `${field}.at`, 0), action };
  if (e.duration !== undefined) event.duration = c.number(e.duration, `${field}.duration`, 0, true);
  if (e.device !== undefined) {
    if (action === 'power-cut') c.fail(`${field}.device`, 'a power cut hits the whole rack; remove "device"');
    const name = c.string(e.device, `${field}.device`);
    const profile = devices.get(name);
    if (!profile) c.fail(`${field}.device`, `no device named "${name}" in this scenario`);
    if (action === 'temperature-spike' && profile.kind !== 'sensor' && profile.kind !== 'pdu') {
      c.fail(`${field}.device`, `"${name}" measures no temperature (a sensor or a PDU with a probe does)`);
    }
    event.device = name;
  } else if (action === 'comms-lost' || action === 'garbage') {
    c.fail(`${field}.device`, `${action} needs the device it affects`);
  }
  if (action === 'temperature-spike') event.delta = c.number(e.delta, `${field}.delta`);
  else if (e.delta !== undefined) c.fail(`${field}.delta`, 'only a temperature-spike has a delta');
  return event;
}

/** Validates parsed JSON as a scenario; `where` names it in errors. Modbus devices without a unit get the next free one. */
export function parseScenario(data: unknown, where: string, profiles: Profile[] = loadedProfiles()): Scenario {
  const c = new Checker(where);
  const s = c.object(data, '(root)', ['$comment', 'name', 'description', 'seed', 'repeat', 'devices', 'events']);
  const devices = c.array(s.devices, 'devices').map((d, i) => parseDevice(c, d, `devices[${i}]`, profiles));
  if (devices.length === 0) c.fail('devices', 'must list at least one device');
  const byName = new Map<string, Profile>();
  devices.forEach((d, i) => {
    if (byName.has(d.name)) c.fail(`devices[${i}].name`, `"${d.name}" is used twice`);
    byName.set(d.name, d.resolved);
  });
  if (devices.filter((d) => d.resolved.kind === 'ups').length > 1) c.fail('devices', 'a rack has at most one UPS');
  const units = new Set<number>();
  devices.forEach((d, i) => {
    if (d.unit === undefined) return;
    if (units.has(d.unit)) c.fail(`devices[${i}].unit`, `unit ${d.unit} is used twice on the rack's Modbus server`);
    units.add(d.unit);
  });
  for (const d of devices) {
    if (d.resolved.protocol !== 'modbus' || d.unit !== undefined) continue;
    let unit = 1;
    while (units.has(unit)) unit++;
    units.add(unit);
    d.unit = unit;
  }
  const events = s.events === undefined ? [] : c.array(s.events, 'events').map((e, i) => parseEvent(c, e, `events[${i}]`, byName));
  const scenario: Scenario = {
    name: c.string(s.name, 'name'),
    seed: s.seed === undefined ? 1 : c.integer(s.seed, 'seed', 0, 2 ** 32 - 1),
    devices: devices.map(({ resolved: _resolved, ...device }) => device),
    events,
  };
  if (s.description !== undefined) scenario.description = c.string(s.description, 'description');
  if (s.repeat !== undefined) {
    scenario.repeat = c.number(s.repeat, 'repeat', 0, true);
    const late = events.findIndex((e) => e.at >= scenario.repeat!);
    if (late >= 0) c.fail(`events[${late}].at`, `must be before "repeat" (${scenario.repeat} s), or it never happens`);
  }
  return scenario;
}

export function loadScenarioFile(file: string, profiles?: Profile[]): Scenario {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new RackpowerError('CONFIG', `scenario ${file}: ${(err as Error).message}`);
  }
  return parseScenario(data, file, profiles);
}

/** Names of the shipped scenarios (`demo`, ...). */
export function shippedScenarios(): string[] {
  return readdirSync(SCENARIO_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => path.basename(f, '.json'))
    .sort();
}

/** A scenario by file path (anything with a slash or ending in .json) or by shipped name. */
export function loadScenario(fileOrName: string = DEFAULT_SCENARIO, profiles?: Profile[]): Scenario {
  if (fileOrName.endsWith('.json') || fileOrName.includes('/') || fileOrName.includes(path.sep)) {
    return loadScenarioFile(fileOrName, profiles);
  }
  const file = path.join(SCENARIO_DIR, `${fileOrName}.json`);
  if (!existsSync(file)) {
    throw new RackpowerError('CONFIG', `unknown scenario "${fileOrName}" (shipped: ${shippedScenarios().join(', ')}; or give a .json file)`);
  }
  return loadScenarioFile(file, profiles);
}
