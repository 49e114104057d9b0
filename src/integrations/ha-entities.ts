// Which Home Assistant entity each NUT variable becomes, mirroring Home Assistant's own NUT integration
// (homeassistant/components/nut): its entity names, `<device unique id>_<NUT key>` unique ids, and per variable
// the platform, device class, unit and state class. Variables HA's NUT integration does not know get the same
// treatment by their quantity (normalize/quantities.ts). Plain data: the MQTT side is home-assistant.ts.
import { isTextVariable } from '../normalize/nut';
import type { DeviceKind, Values } from '../types';
import { splitName } from './names';
import { NUT_UNITS, measureOf, redundantVariable, type Quantity } from '../normalize/quantities';
import { eventTypes } from './devices';

export type Platform = 'sensor' | 'binary_sensor' | 'switch' | 'button' | 'event';

/** One entry of the discovery payload's `cmps`, before ids and topics are added. */
export interface EntitySpec {
  /** The NUT key the unique id is built from, as HA's NUT integration does (`battery.charge`, `outlet.1.load.poweronoff`). */
  key: string;
  platform: Platform;
  name: string;
  /** Absent for buttons, which have no state. */
  value_template?: string;
  device_class?: string;
  unit_of_measurement?: string;
  state_class?: 'measurement' | 'total_increasing';
  entity_category?: 'diagnostic';
  /** false: registered disabled, for the user to enable (HA's entity_registry_enabled_default). */
  enabled_by_default?: false;
  [option: string]: unknown;
}

// English entity names of HA's NUT integration (its strings.json), by NUT name with instances as in names.ts
// patterns (`Lx` a phase, `N` a number). `{phase}` and `{name}` are filled in.
const NAMES: Record<string, string> = {
  'ups.status.display': 'Status',
  'ups.status': 'Status data',
  'ups.alarm': 'Alarms',
  'ups.temperature': 'UPS temperature',
  'ups.load': 'Load',
  'ups.load.high': 'Overload setting',
  'ups.delay.start': 'Load restart delay',
  'ups.delay.reboot': 'UPS reboot delay',
  'ups.delay.shutdown': 'UPS shutdown delay',
  'ups.timer.start': 'Load start timer',
  'ups.timer.reboot': 'Load reboot timer',
  'ups.timer.shutdown': 'Load shutdown timer',
  'ups.test.interval': 'Self-test interval',
  'ups.test.result': 'Self-test result',
  'ups.efficiency': 'Efficiency',
  'ups.power': 'Apparent power',
  'ups.power.nominal': 'Nominal power',
  'ups.realpower': 'Real power',
  'ups.realpower.nominal': 'Nominal real power',
  'ups.beeper.status': 'Beeper status',
  'battery.charge': 'Battery charge',
  'battery.charge.low': 'Low battery setpoint',
  'battery.charge.restart': 'Minimum battery to start',
  'battery.charge.warning': 'Warning battery setpoint',
  'battery.charger.status': 'Charging status',
  'battery.voltage': 'Battery voltage',
  'battery.voltage.nominal': 'Nominal battery voltage',
  'battery.voltage.low': 'Low battery voltage',
  'battery.voltage.high': 'High battery voltage',
  'battery.current': 'Battery current',
  'battery.current.total': 'Total battery current',
  'battery.temperature': 'Battery temperature',
  'battery.runtime': 'Battery runtime',
  'battery.runtime.low': 'Low battery runtime',
  'battery.runtime.restart': 'Minimum battery runtime to start',
  'battery.packs': 'Number of batteries',
  'battery.packs.bad': 'Number of bad batteries',
  'input.transfer.low': 'Low voltage transfer',
  'input.transfer.high': 'High voltage transfer',
  'input.transfer.reason': 'Voltage transfer reason',
  'input.voltage': 'Input voltage',
  'input.voltage.nominal': 'Nominal input voltage',
  'input.Lx.voltage': 'Input {phase} voltage',
  'input.frequency': 'Input frequency',
  'input.frequency.nominal': 'Input nominal frequency',
  'input.Lx.frequency': 'Input {phase} line frequency',
  'input.bypass.voltage': 'Input bypass voltage',
  'input.bypass.Lx.voltage': 'Input bypass {phase} voltage',
  'input.bypass.current': 'Input bypass current',
  'input.bypass.frequency': 'Input bypass frequency',
  'input.bypass.phases': 'Input bypass phases',
  'input.bypass.realpower': 'Input bypass real power',
  'input.current': 'Input current',
  'input.current.status': 'Input current status',
  'input.Lx.current': 'Input {phase} current',
  'input.load': 'Input load',
  'input.phases': 'Input phases',
  'input.power': 'Input power',
  'input.realpower': 'Input real power',
  'input.Lx.realpower': 'Input {phase} real power',
  'outlet.voltage': 'Outlet voltage',
  'outlet.N.current': 'Outlet {name} current',
  'outlet.N.power': 'Outlet {name} power',
  'outlet.N.realpower': 'Outlet {name} real power',
  'output.current': 'Output current',
  'output.current.nominal': 'Nominal output current',
  'output.Lx.current': 'Output {phase} current',
  'output.voltage': 'Output voltage',
  'output.voltage.nominal': 'Nominal output voltage',
  'output.Lx.voltage': 'Output {phase} voltage',
  'output.frequency': 'Output frequency',
  'output.frequency.nominal': 'Nominal output frequency',
  'output.phases': 'Output phases',
  'output.power': 'Output apparent power',
  'output.power.nominal': 'Nominal output power',
  'output.Lx.power.percent': 'Output {phase} power usage',
  'output.realpower': 'Output real power',
  'output.realpower.nominal': 'Nominal output real power',
  'output.Lx.realpower': 'Output {phase} real power',
  // rackpower's own measurements (docs/messages.md), which HA's NUT integration has no names for.
  'battery.runtime.measured': 'Measured battery runtime',
  'battery.capacity.measured': 'Measured battery capacity',
  'battery.health': 'Battery health',
  'battery.runtime.error': 'Battery runtime estimate error',
  'battery.measured.confidence': 'Battery measurement confidence',
  'ups.energy': 'Energy',
  'output.energy': 'Output energy',
  'input.energy': 'Input energy',
  'outlet.N.energy': 'Outlet {name} energy',
  'ambient.humidity': 'Ambient humidity',
  'ambient.temperature': 'Ambient temperature',
};

// Words of NUT names spelled for people, for names HA's integration has no entry for.
const WORDS: Record<string, string> = {
  realpower: 'real power',
  reactivepower: 'reactive power',
  powerfactor: 'power factor',
  mfr: 'manufacturer',
};

/**
 * Device class and whether it accumulates, per quantity (HA's SensorDeviceClass); the unit is NUT's (NUT_UNITS),
 * which HA takes as it is. NUT's power factor is a ratio 0-1: HA's power_factor class takes it without a unit.
 */
const SENSOR: Record<Quantity, { device_class?: string; total?: true }> = {
  voltage: { device_class: 'voltage' },
  current: { device_class: 'current' },
  realpower: { device_class: 'power' },
  power: { device_class: 'apparent_power' },
  reactivepower: { device_class: 'reactive_power' },
  powerfactor: { device_class: 'power_factor' },
  frequency: { device_class: 'frequency' },
  energy: { device_class: 'energy', total: true },
  stored: { device_class: 'energy_storage' },
  temperature: { device_class: 'temperature' },
  humidity: { device_class: 'humidity' },
  charge: { device_class: 'battery' },
  percent: {},
  duration: { device_class: 'duration' },
};

/** Text variables that are states worth an entity; identity text (model, serial, names) goes to the device card. */
const TEXT_STATES = new Set(['status', 'alarm', 'reason', 'result']);

/**
 * Entities HA's NUT integration registers disabled, as diagnostics (its sensor.py), by names.ts pattern: nominals,
 * thresholds, delays, per-phase and bypass details, battery internals. rackpower sends them the same way.
 */
const SECONDARY = new Set([
  'ups.temperature', 'ups.load.high', 'ups.id', 'ups.test.interval', 'ups.test.result', 'ups.test.date', 'ups.efficiency',
  'ups.power', 'ups.power.nominal', 'ups.realpower', 'ups.realpower.nominal', 'ups.beeper.status', 'ups.type',
  'battery.charge.low', 'battery.charge.restart', 'battery.charge.warning', 'battery.voltage', 'battery.voltage.nominal',
  'battery.voltage.low', 'battery.voltage.high', 'battery.capacity', 'battery.current', 'battery.current.total',
  'battery.temperature', 'battery.runtime.low', 'battery.runtime.restart', 'battery.packs', 'battery.packs.bad',
  'input.sensitivity', 'input.transfer.low', 'input.transfer.high', 'input.transfer.reason', 'input.voltage.nominal',
  'input.frequency', 'input.frequency.nominal', 'input.phases', 'input.power', 'output.power.nominal', 'output.current',
  'output.current.nominal', 'output.voltage.nominal', 'output.frequency', 'output.frequency.nominal', 'output.phases',
  'output.power', 'output.realpower', 'output.realpower.nominal',
]);
/** Prefixes HA's NUT integration hides whole: delays, timers, start settings, bypass. */
const SECONDARY_PREFIXES = ['ups.delay.', 'ups.timer.', 'ups.start.', 'input.bypass.'];
/** Details rackpower hides the same way although HA's NUT integration has no entry for them. */
const SECONDARY_QUANTITIES = new Set<Quantity>(['reactivepower', 'powerfactor']);
/**
 * What rackpower users act on although HA's NUT integration hides it: the runtime left (shutdown plans), what the
 * rack draws (PDUs and meters: current, real power, energy). Enabled.
 */
const CORE = new Set(['battery.runtime', 'input.current', 'input.realpower', 'input.energy']);

/** Whether an entity is a secondary one: sent disabled and as a diagnostic. */
function secondary(pattern: string, phase: string | undefined, quantity: Quantity | undefined, setting: boolean): boolean {
  if (CORE.has(pattern)) return false;
  // Probe readings stay enabled (a rack sensor's whole point; on a UPS or PDU HA shows them as enabled diagnostics);
  // their thresholds are settings like any other.
  if (pattern.startsWith('ambient.')) return setting;
  return (
    setting ||
    phase !== undefined ||
    quantity === undefined ||
    SECONDARY.has(pattern) ||
    SECONDARY_PREFIXES.some((p) => pattern.startsWith(p)) ||
    SECONDARY_QUANTITIES.has(quantity)
  );
}

/** Ambient probes on a UPS or PDU are diagnostics, as in HA's NUT integration; a sensor device's are its readings. */
const ambientDiagnostic = (kind: DeviceKind, pattern: string): boolean => kind !== 'sensor' && pattern.startsWith('ambient.');

/** Human text of ups.status tokens, as HA's NUT integration shows them in its "Status" entity (const.py). */
const STATUS_WORDS: Record<string, string> = {
  OL: 'Online',
  OB: 'On Battery',
  LB: 'Low Battery',
  HB: 'High Battery',
  RB: 'Battery Needs Replaced',
  CHRG: 'Battery Charging',
  DISCHRG: 'Battery Discharging',
  BYPASS: 'Bypass Active',
  CAL: 'Runtime Calibration',
  OFF: 'Offline',
  OVER: 'Overloaded',
  TRIM: 'Trimming Voltage',
  BOOST: 'Boosting Voltage',
  FSD: 'Forced Shutdown',
  ALARM: 'Alarm',
};

/** The binary sensors derived from ups.status tokens. */
const STATUS_BINARIES: { key: string; token: string; name: string; device_class?: string }[] = [
  { key: 'ups.status.online', token: 'OL', name: 'Online', device_class: 'power' },
  { key: 'ups.status.on_battery', token: 'OB', name: 'On battery' },
  { key: 'ups.status.low_battery', token: 'LB', name: 'Low battery', device_class: 'battery' },
  { key: 'ups.status.replace_battery', token: 'RB', name: 'Replace battery', device_class: 'problem' },
  { key: 'ups.status.charging', token: 'CHRG', name: 'Charging', device_class: 'battery_charging' },
  { key: 'ups.status.overload', token: 'OVER', name: 'Overload', device_class: 'problem' },
];


/** `value_json['battery.charge']`: NUT names contain dots, so attribute access (value_json.battery.charge) breaks. */
const field = (name: string): string => `value_json['${name}']`;
/** A missing variable renders "None", which HA shows as unknown rather than keeping a stale value. */
const valueTemplate = (name: string): string => `{{ ${field(name)} | default(None) }}`;
const statusTemplate = (body: string): string =>
  `{% if ${field('ups.status')} is defined %}${body}{% else %}None{% endif %}`;

function humanName(pattern: string, phase: string | undefined, instance: string | undefined): string {
  const known = NAMES[pattern];
  if (known) return known.replace('{phase}', phase ?? '').replace('{name}', instance ?? '');
  // A probe with a label of its own is named by it: "Rack inlet humidity", not "Ambient Rack inlet humidity".
  if (pattern.startsWith('ambient.N.') && instance && !/^\d+$/u.test(instance)) pattern = pattern.slice('ambient.'.length);
  const words = pattern.split('.').map((p) => (p === 'Lx' ? phase ?? '' : p === 'N' ? instance ?? '' : WORDS[p] ?? p));
  const text = words.filter(Boolean).join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The outlet's or probe's own label where the device has one (HA's NUT integration: name, then desc, then number). */
function instanceLabel(values: Values, prefix: string, n: string): string {
  const label = values[`${prefix}.${n}.name`] ?? values[`${prefix}.${n}.desc`];
  return typeof label === 'string' && label.trim() ? label.trim() : n;
}

function variableEntity(kind: DeviceKind, name: string, values: Values, sample: unknown): EntitySpec | undefined {
  const { base, pattern, labels } = splitName(name);
  const instance = labels.outlet
    ? instanceLabel(values, 'outlet', labels.outlet)
    : labels.sensor
      ? instanceLabel(values, 'ambient', labels.sensor)
      : labels.group
        ? instanceLabel(values, 'outlet.group', labels.group)
        : labels.input;
  const entityName = humanName(pattern, labels.phase, instance);
  if (isTextVariable(name) || typeof sample === 'string') {
    const last = name.slice(name.lastIndexOf('.') + 1);
    if (!TEXT_STATES.has(last)) return undefined;
    return visibility({ key: name, platform: 'sensor', name: entityName, value_template: valueTemplate(name) }, SECONDARY.has(pattern));
  }
  const measure = measureOf(base);
  const spec: EntitySpec = { key: name, platform: 'sensor', name: entityName, value_template: valueTemplate(name) };
  // Counts and the like (outlet.count, input.phases): plain numbers about the device, not readings.
  if (!measure) return visibility(spec, true);
  const sensor = SENSOR[measure.quantity];
  if (sensor.device_class) spec.device_class = sensor.device_class;
  const unit = NUT_UNITS[measure.quantity];
  if (unit) spec.unit_of_measurement = unit;
  if (measure.setting) spec.entity_category = 'diagnostic';
  else spec.state_class = sensor.total ? 'total_increasing' : 'measurement';
  if (ambientDiagnostic(kind, pattern)) spec.entity_category = 'diagnostic';
  return visibility(spec, secondary(pattern, labels.phase, measure.quantity, measure.setting));
}

/** A secondary entity is a diagnostic, registered disabled. */
function visibility(spec: EntitySpec, isSecondary: boolean): EntitySpec {
  return isSecondary ? { ...spec, entity_category: 'diagnostic', enabled_by_default: false } : spec;
}

/** Switches for outlets that report on/off; their commands go to the command topic, where an outlet node listens. */
function outletSwitch(name: string, values: Values, commandTopic: string): EntitySpec | undefined {
  const m = /^outlet\.(\d+)\.status$/u.exec(name);
  if (!m) return undefined;
  const n = m[1];
  return {
    key: `outlet.${n}.load.poweronoff`,
    platform: 'switch',
    name: `Power outlet ${instanceLabel(values, 'outlet', n)}`,
    device_class: 'outlet',
    value_template: valueTemplate(name),
    state_on: 'on',
    state_off: 'off',
    // NUT instant command names, which the outlet node accepts as they are (behind its guards).
    command_topic: commandTopic,
    payload_on: `outlet.${n}.load.on`,
    payload_off: `outlet.${n}.load.off`,
  };
}

/**
 * UPS commands offered as buttons: harmless ones only. A shutdown from a dashboard tap is what the shutdown node's
 * staged, guarded plan is for; the ups command node still applies its own allowlist to these.
 */
const UPS_BUTTONS: { key: string; name: string; entity_category?: 'diagnostic' }[] = [
  { key: 'test.battery.start', name: 'Start battery test', entity_category: 'diagnostic' },
  { key: 'beeper.mute', name: 'Mute beeper' },
];

/** A power-cycle button beside each switchable outlet (HA's NUT integration offers outlet.N.load.cycle too). */
function outletCycleButton(name: string, values: Values, commandTopic: string): EntitySpec | undefined {
  const m = /^outlet\.(\d+)\.status$/u.exec(name);
  if (!m) return undefined;
  const n = m[1];
  return {
    key: `outlet.${n}.load.cycle`,
    platform: 'button',
    name: `Power cycle outlet ${instanceLabel(values, 'outlet', n)}`,
    device_class: 'restart',
    command_topic: commandTopic,
    payload_press: `outlet.${n}.load.cycle`,
  };
}

export interface EntityTopics {
  /** Where the device's NUT events are published (the device node's `<prefix>/<device>/event`). */
  event: string;
  /** Where the device's switches and buttons publish NUT instant command names (an outlet or ups command node listens). */
  command: string;
}

/** A read-only on/off for an outlet nothing can switch from Home Assistant (see OutletControl). */
function outletPower(name: string, values: Values): EntitySpec | undefined {
  const m = /^outlet\.(\d+)\.status$/u.exec(name);
  if (!m) return undefined;
  return {
    key: name,
    platform: 'binary_sensor',
    name: `Outlet ${instanceLabel(values, 'outlet', m[1])} power`,
    device_class: 'power',
    value_template: `{% if ${field(name)} is defined %}{{ 'ON' if ${field(name)} == 'on' else 'OFF' }}{% else %}None{% endif %}`,
  };
}

/**
 * Whether an outlet node would act on a switch of this outlet now: control allowed on its SNMP agent, the outlet
 * allowlisted and not protected, no dry run. Switches that would do nothing are not announced: the outlet's state
 * is a read-only binary sensor instead.
 */
export type OutletControl = (outlet: string, name: string | undefined) => boolean;

/** Every entity for the variables `seen`, with `values` the latest reading (for outlet and probe labels). */
export function entitySpecs(kind: DeviceKind, seen: Iterable<string>, values: Values, topics: EntityTopics, canSwitch: OutletControl = () => false): EntitySpec[] {
  const known = new Set(seen);
  const names = [...known].filter((n) => !redundantVariable(n, known)).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const specs: EntitySpec[] = [];
  for (const name of names) {
    const outlet = /^outlet\.(\d+)\.status$/u.exec(name)?.[1];
    const label = outlet && values[`outlet.${outlet}.name`];
    const switchable = outlet !== undefined && canSwitch(outlet, typeof label === 'string' ? label : undefined);
    const spec = (switchable ? outletSwitch(name, values, topics.command) : outletPower(name, values)) ?? variableEntity(kind, name, values, values[name]);
    if (spec) specs.push(spec);
    const cycle = switchable && outletCycleButton(name, values, topics.command);
    if (cycle) specs.push(cycle);
  }
  if (kind === 'ups') specs.push(...UPS_BUTTONS.map((b) => ({ ...b, platform: 'button' as const, command_topic: topics.command, payload_press: b.key })));
  if (names.includes('ups.status')) {
    const words = JSON.stringify(STATUS_WORDS).replace(/"/gu, "'");
    specs.push({
      key: 'ups.status.display',
      platform: 'sensor',
      name: NAMES['ups.status.display'],
      // "Online Battery Charging", like HA's NUT integration; a token it has no words for is shown as is.
      value_template: statusTemplate(
        `{% set words = ${words} %}{% for t in ${field('ups.status')}.split() %}{{ words[t] | default(t) }}{{ ' ' if not loop.last }}{% endfor %}`,
      ),
    });
    for (const b of STATUS_BINARIES) {
      specs.push({
        key: b.key,
        platform: 'binary_sensor',
        name: b.name,
        ...(b.device_class && { device_class: b.device_class }),
        value_template: statusTemplate(`{{ 'ON' if '${b.token}' in ${field('ups.status')}.split() else 'OFF' }}`),
      });
    }
  }
  specs.push({
    key: 'event',
    platform: 'event',
    name: 'Event',
    state_topic: topics.event,
    event_types: eventTypes(kind),
    // The topic carries the device node's event payload ({event, message, ...}); HA wants {event_type, ...}.
    value_template: "{{ {'event_type': value_json['event'], 'message': value_json['message']} | tojson }}",
  });
  return specs;
}
