// Shape of a device profile file (profiles/**/*.json). schema/profile.schema.json is the normative form;
// these types mirror it for the code that reads profiles.
import type { RegisterType, WordOrder } from '../protocol/modbus/codec';
import type { SetVarbind } from '../protocol/snmp/client';
import type { DeviceKind, EventName } from '../types';

/** How a raw number becomes a NUT value, applied in this order: sentinels, enum, scale, offset, convert, round. */
export interface Transform {
  /** raw × scale (NUT's multiplier, e.g. 0.1 for tenths). */
  scale?: number;
  offset?: number;
  /** Raw values meaning "absent / not applicable": the variable is omitted, never published. */
  invalid?: number[];
  /** Drop negative raw values (APC's -1, ServerTech's -410 ...). */
  negativeInvalid?: boolean;
  /** Drop zero raw values. */
  zeroInvalid?: boolean;
  /** Raw value → text (enum). A value missing from the map drops the variable. "" contributes nothing. */
  enum?: Record<string, string>;
  /** Unit conversion after scaling. */
  convert?: 'timeticks-to-s' | 'minutes-to-s' | 'fahrenheit-to-celsius' | 'kilo' | 'milli';
  /** Decimal places to keep (floating-point noise removal). */
  decimals?: number;
}

/**
 * Another OID whose value tells how to read this one. For a table column it names another column (same row) or a
 * scalar (an OID ending in `.0`, e.g. a device-wide setting); for a scalar variable it must be a scalar.
 */
export type HelperOid = string;

/** A temperature whose unit is a device setting: converted from °F to °C when the unit OID says Fahrenheit. */
export interface UnitFrom {
  oid: HelperOid;
  /** Raw values (as text) of the unit OID meaning Fahrenheit; any other value (or no answer) means Celsius. */
  fahrenheit: string[];
}

/** A power of ten read from another OID: value × 10^(map[raw] ?? raw). A raw value missing from `map` drops the value. */
export interface ExponentFrom {
  oid: HelperOid;
  map?: Record<string, number>;
}

/** Per-row/per-device scaling of a raw value, applied after `scale`. */
export interface Scaling {
  /** Value × 10^-digits, digits read from this OID (Raritan `*SensorDecimalDigits`, ENTITY-SENSOR precision). */
  decimalsFrom?: HelperOid;
  /** Value × 10^exponent, the exponent read from this OID (ENTITY-SENSOR entPhySensorScale). */
  exponentFrom?: ExponentFrom;
  /** °F → °C when the unit OID says so (ServerTech, Geist, APC IEM). Applied after scaling. */
  unitFrom?: UnitFrom;
}

/** A value read from a scalar OID. Several entries with one name are alternatives: the first that answers wins. */
export interface SnmpVariable extends Transform, Scaling {
  name: string;
  oid: string;
  /** Read once and refreshed rarely (identity, nominal ratings, names). */
  static?: boolean;
}

/** One type of a typed column: the NUT name template and an optional transform replacing the column's fields. */
export interface TypedName extends Transform {
  name: string;
  /** Name used when the device has exactly one row of this type (`input.voltage` rather than `input.1.voltage`). */
  single?: string;
}

/**
 * Rows whose meaning is in the row itself (ENTITY-SENSOR-MIB, Raritan sensor tables): the NUT name comes from a
 * type read from another column (`oid`) or from one arc of the row index (`part`). Rows of unlisted types are skipped.
 */
export interface TypedBy {
  oid?: string;
  part?: number;
  map: Record<string, string | TypedName>;
}

/** A table column: `{i}` in name is the row index (outlet number, phase, probe). */
export interface SnmpColumn extends Transform, Scaling {
  /** NUT name template with `{i}`; with `typedBy` the names come from its map instead. */
  name: string;
  /** Column OID without the index. */
  oid: string;
  /** Name used instead when the table has exactly one row (`input.voltage` rather than `input.L1-N.voltage`). */
  single?: string;
  static?: boolean;
  /** The NUT name (and transform) chosen per row from a type column or index arc. */
  typedBy?: TypedBy;
}

/** A row is used only when this column's raw value (as text) is in `values` and not in `not`. */
export interface PresentIf {
  oid: string;
  values?: string[];
  not?: string[];
}

/** `{i}` taken from a label column: the first capture group of `pattern` (e.g. "AA:L1-L2" → "L1-L2"). */
export interface IndexFrom {
  oid: string;
  pattern: string;
}

export interface SnmpTable {
  /** Human label for docs and the editor ("outlets", "phases"). */
  label: string;
  /** NUT count variable published with the number of rows (`outlet.count`, `ambient.count`). */
  count?: string;
  /** Which part of the row index becomes `{i}` when an index has several parts (default: the last). */
  indexPart?: number;
  /** Added to the SNMP index to get the NUT index (e.g. 1 when the table is 0-based). */
  indexOffset?: number;
  /** Rows come and go (alarm tables): walked every poll from the column start, kept even when empty. */
  volatile?: boolean;
  /** A variable (`input.phases`) limiting the rows used: cards list 3 lines on single-phase units. At 1, `single` names apply. */
  rowsLimit?: string;
  /** A scalar holding the current row count (upsAlarmsPresent): the table is read only when it is not 0. */
  rowsOid?: string;
  /** Rows that are absent (probe unplugged, sensor not ok) are skipped and not counted. */
  presentIf?: PresentIf;
  /**
   * `{i}` is the row's 1-based position among the learned rows (per name template for typed columns) instead of an
   * index arc: for string-indexed rows and multi-arc indexes (unit.cord.line) whose arcs are not NUT numbers.
   */
  ordinal?: boolean;
  /** `{i}` read from a label column instead of the index. */
  indexFrom?: IndexFrom;
  columns: SnmpColumn[];
}

export interface SnmpMatch {
  /** sysObjectID values that match exactly. */
  sysObjectID?: string[];
  /** sysObjectID prefixes that match (whole arcs). */
  sysObjectIDPrefix?: string[];
  /** OIDs that must all answer for this profile to apply; checked after sysObjectID, and alone when nothing matched. */
  probe?: string[];
  /** OIDs of which at least one must answer (a family spread over several optional MIB groups). */
  probeAny?: string[];
  /** Higher wins when several profiles match the same device (vendor MIBs over RFC 1628). */
  priority?: number;
}

interface ProfileBase {
  $schema?: string;
  id: string;
  kind: DeviceKind;
  vendor: string;
  models: string[];
  description: string;
  /** Where the mapping comes from (MIB, NUT driver, vendor manual). */
  source?: string;
  /** Seconds between re-reads of static values (default 3600). */
  staticRefresh?: number;
  /** Fixed values the device does not report itself (`device.mfr`), published as static values. */
  constants?: Record<string, string | number>;
}

export interface SnmpProfile extends ProfileBase {
  protocol: 'snmp';
  match: SnmpMatch;
  variables: SnmpVariable[];
  tables?: SnmpTable[];
  /** Outlet switching or UPS commands by SNMP SET (src/control). */
  control?: ProfileControl;
  /** The notifications the device sends (src/traps). */
  traps?: TrapSection;
}

export type { RegisterType, WordOrder };

export interface ModbusVariable extends Transform {
  name: string;
  /** 0-based protocol address. */
  register: number;
  /** 3 holding registers, 4 input registers. */
  function: 3 | 4;
  type: RegisterType;
  /** For 32-bit types; default ABCD (first register = high word). */
  wordOrder?: WordOrder;
  /** Registers for `string` (2 characters each). */
  length?: number;
  /** For bits16/bits32: bit number → `ups.status` token(s) when set. */
  bits?: Record<string, string>;
  static?: boolean;
}

export interface ModbusProfile extends ProfileBase {
  protocol: 'modbus';
  match: {
    /** Model names a user may pass (`profile=` or the node's model list). */
    model: string[];
  };
  defaults?: { unit?: number; baud?: number; parity?: 'none' | 'even' | 'odd' };
  /** Filler registers allowed between two values before a read is split (default 8). */
  maxGap?: number;
  /** Largest read this device accepts (default 125). */
  maxRegisters?: number;
  variables: ModbusVariable[];
}

export type Profile = SnmpProfile | ModbusProfile;

// ---- control: what src/control SETs and reads back ----

export type OutletAction = 'on' | 'off' | 'cycle';

/** One SET; `value` may be "{delay}", replaced by the command's delay in seconds. */
export interface ControlSet {
  oid: string;
  type: SetVarbind['type'];
  value: number | string;
}

export interface OutletControl {
  /** OID suffix for outlet n: "{n}", or with a unit/cord prefix ("1.1.{n}"). */
  index: string;
  /** `cycle` absent: the outlet node switches off, waits its cycle delay, and on. */
  commands: Partial<Record<OutletAction, ControlSet>> & { on: ControlSet; off: ControlSet };
  /** Read-back: the state column and which raw values mean on, off, or a switch still in progress. */
  state: { oid: string; on: number[]; off: number[]; pending?: number[] };
  /** The outlet name column, for allowlists and requests by name. */
  name?: string;
}

export interface UpsCommand {
  set: ControlSet[];
  /** Read-back after the SET: a value to expect, or a countdown that must be running (> 0). */
  verify?: { oid: string; equals?: number; countdown?: boolean };
}

/** The NUT instant commands a profile's `control.ups` may carry (the schema lists the same names). */
export const UPS_COMMANDS = [
  'test.battery.start',
  'beeper.mute',
  'beeper.disable',
  'beeper.enable',
  'shutdown.return',
  'shutdown.stop',
  // A deep discharge to measure the battery (rackpower calibrate plans and stops it: src/battery/calibration.ts).
  'calibrate.start',
  'calibrate.stop',
] as const;
export type UpsCommandName = (typeof UPS_COMMANDS)[number];

export interface ProfileControl {
  $comment?: string;
  outlet?: OutletControl;
  ups?: Partial<Record<UpsCommandName, UpsCommand>>;
}

// ---- traps: what src/traps makes of a notification ----

/** NUT's event names, plus outlet switching, which NUT has no notification for. */
export type TrapEventName = EventName | 'OUTLETON' | 'OUTLETOFF';

export interface TrapDefinition {
  oid: string;
  name: string;
  event?: TrapEventName;
  /** The event depends on a varbind's value (alarm-table traps): the varbind's OID prefix and value → event. */
  byVarbind?: { oid: string; events: Record<string, TrapEventName> };
}

export interface TrapSection {
  $comment?: string;
  /** The MIB family (ietf, apc ...), published as the trap's vendor. */
  vendor: string;
  notifications: TrapDefinition[];
}
