// The message contract shared by the engine, the CLI and the Node-RED nodes (docs/messages.md explains it).

/** A reading value in NUT units: numbers as numbers, text as strings. */
export type Value = number | string;

/** Flat map keyed by NUT variable names (`ups.status`, `outlet.3.current`, ...). */
export type Values = Record<string, Value>;

export type DeviceKind = 'ups' | 'pdu' | 'sensor' | 'meter';

export interface DeviceIdentity {
  /** The name the user gave the device (node name, CLI host). */
  name: string;
  kind: DeviceKind;
  /** Id of the profile that reads it. */
  profile: string;
  manufacturer?: string;
  model?: string;
  serial?: string;
  firmware?: string;
  /** Where it is reached, without secrets: `snmp://10.0.0.5:161`, `modbus-tcp://10.0.0.9:502?unit=1`. */
  address: string;
}

/** Booleans derived from `ups.status`, so a core switch node can branch without a function node. */
export interface StatusFlags {
  online: boolean;
  onBattery: boolean;
  lowBattery: boolean;
  replaceBattery: boolean;
  charging: boolean;
  discharging: boolean;
  bypass: boolean;
  overload: boolean;
  off: boolean;
  calibrating: boolean;
  trim: boolean;
  boost: boolean;
  forcedShutdown: boolean;
}

export interface Change {
  from: Value | undefined;
  to: Value | undefined;
}

/** One poll's result after normalization. */
export interface Reading {
  device: DeviceIdentity;
  values: Values;
  /** Epoch milliseconds when the poll completed. */
  timestamp: number;
}

/** NUT upsmon notification names, plus rackpower's paired NOT* names for the remaining status tokens. */
export type EventName =
  | 'ONLINE' | 'ONBATT' | 'LOWBATT' | 'FSD' | 'COMMOK' | 'COMMBAD' | 'SHUTDOWN' | 'REPLBATT' | 'NOCOMM'
  | 'NOPARENT' | 'CAL' | 'NOTCAL' | 'OFF' | 'NOTOFF' | 'BYPASS' | 'NOTBYPASS' | 'OVER' | 'NOTOVER'
  | 'TRIM' | 'NOTTRIM' | 'BOOST' | 'NOTBOOST';

export interface DeviceEvent {
  event: EventName;
  device: DeviceIdentity;
  /** `ups.status` (or reachability: `reachable` / `unreachable`) before and after. */
  previous: string | undefined;
  current: string | undefined;
  timestamp: number;
  /** One human sentence, for notifications. */
  message: string;
  /** For COMMBAD/NOCOMM: why the device did not answer. */
  error?: { code: ErrorCode; message: string };
  /** For a REPLBATT that rackpower raised from the measured battery health (not the UPS's RB flag): the figures. */
  battery?: { health: number; threshold: number };
}

/** Why a poll failed; precise so a flow can tell a dead device from a misconfigured one. */
export type ErrorCode =
  | 'TIMEOUT' // no answer in time
  | 'AUTH' // wrong community, v3 user, keys or protocols
  | 'UNKNOWN_DEVICE' // answers, but no profile matches
  | 'PROTOCOL' // malformed reply, Modbus exception, SNMP error status
  | 'UNREACHABLE' // connection refused, no route, port missing
  | 'UNSUPPORTED' // a feature this Node.js cannot do (e.g. MD5/DES without the legacy OpenSSL provider)
  | 'CONFIG'; // invalid address, options or profile
