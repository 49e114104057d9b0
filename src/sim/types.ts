// Contracts shared by the simulator's model, scenario loader and protocol front-ends (agent, Modbus server).
import type { DeviceKind, Values } from '../types';
import type { BatterySpec } from './devices/battery';

/** How a device misbehaves on the wire while a scenario event is active. */
export type Fault = 'comms-lost' | 'garbage';

export type EventAction = 'power-cut' | 'comms-lost' | 'garbage' | 'temperature-spike';

export interface ScenarioEvent {
  /** Seconds after the start (or after each `repeat` period). */
  at: number;
  action: EventAction;
  /** Seconds; absent = until the end of the run (or of the period). */
  duration?: number;
  /** Scenario device name; required for comms-lost and garbage, optional for temperature-spike (room-wide). */
  device?: string;
  /** °C added by temperature-spike. */
  delta?: number;
}

export interface ScenarioDevice {
  /** Unique in the scenario; copies get `-1`, `-2` ... suffixes. */
  name: string;
  /** Profile id (shipped or from the profile folders); its protocol and kind decide how the device is served. */
  profile: string;
  /** PDU outlets (default 8). */
  outlets?: number;
  /** Modbus unit id on the rack's shared Modbus TCP server (default: the next free one). */
  unit?: number;
  /** UPS only: the battery's physics and what its firmware believes (defaults: the demo's honest 650 Wh battery). */
  battery?: Partial<BatterySpec>;
}

export interface Scenario {
  name: string;
  description?: string;
  /** PRNG seed; a scenario always plays the same way. */
  seed: number;
  /** Seconds after which the timeline starts over (absent: events happen once). */
  repeat?: number;
  devices: ScenarioDevice[];
  events: ScenarioEvent[];
}

/** What a protocol front-end reads from the model for one device, on every request. */
export interface DeviceSource {
  values(): Values;
  fault(): Fault | undefined;
}

/** A device of the model: what the physics needs to know, nothing about protocols. */
export interface SimDeviceSpec {
  name: string;
  kind: DeviceKind;
  outlets?: number;
  battery?: Partial<BatterySpec>;
}
