// The physical model of one or more identical racks: mains → UPS → PDUs → servers, room climate, probes and an
// energy meter on the feed. Pure and deterministic: time only moves when step() is called (the rack's timer,
// or a test), and every random draw comes from PRNGs seeded by the scenario seed and the device name.
import { randomFor } from './random';
import { Timeline } from './timeline';
import { Probe, Room } from './devices/climate';
import { Mains } from './devices/mains';
import { Meter } from './devices/meter';
import { Pdu } from './devices/pdu';
import { DEFAULT_BATTERY } from './devices/battery';
import { Ups, type BatteryTruth } from './devices/ups';
import type { Fault, ScenarioEvent, SimDeviceSpec } from './types';
import type { DeviceKind, Values } from '../types';

export const DEFAULT_OUTLETS = 8;

export interface SimModelOptions {
  /** The devices of one rack. */
  devices: SimDeviceSpec[];
  events?: ScenarioEvent[];
  /** Period of the event timeline in seconds (absent: events happen once). */
  repeat?: number;
  seed?: number;
  /** Identical racks to simulate (benchmarks); each gets its own mains, room and random streams. */
  copies?: number;
}

export interface SimDevice {
  /** Unique name: the scenario name, suffixed `-<copy>` when there are several copies. */
  name: string;
  /** The name in the scenario (what events refer to). */
  scenarioName: string;
  /** 1-based rack copy. */
  copy: number;
  kind: DeviceKind;
}

/** One device's simulation and how it reads its values. */
interface Member {
  device: SimDevice;
  rack: Rack;
  uptimeOffset: number;
  read(uptime: number): Values;
}

interface Rack {
  mains: Mains;
  room: Room;
  ups?: Ups;
  pdus: Pdu[];
  probes: { probe: Probe; scenarioName: string }[];
  meters: Meter[];
}

export class SimModel {
  /** Simulated seconds since the start. */
  time = 0;
  readonly devices: readonly SimDevice[];
  private readonly members = new Map<string, Member>();
  private readonly racks: Rack[] = [];
  private readonly pdus = new Map<string, Pdu>();
  private readonly timeline: Timeline;
  private readonly cache = new Map<string, Values>();

  constructor(options: SimModelOptions) {
    const seed = options.seed ?? 1;
    const copies = options.copies ?? 1;
    this.timeline = new Timeline(options.events ?? [], options.repeat);
    if (options.devices.filter((d) => d.kind === 'ups').length > 1) {
      throw new Error('a rack has at most one UPS (every PDU is fed by it)');
    }
    for (let copy = 1; copy <= copies; copy++) {
      const rack: Rack = {
        mains: new Mains(randomFor(seed, `mains#${copy}`)),
        room: new Room(randomFor(seed, `room#${copy}`)),
        pdus: [],
        probes: [],
        meters: [],
      };
      this.racks.push(rack);
      for (const spec of options.devices) {
        const name = copies > 1 ? `${spec.name}-${copy}` : spec.name;
        if (this.members.has(name)) throw new Error(`device name "${name}" is used twice`);
        const device: SimDevice = { name, scenarioName: spec.name, copy, kind: spec.kind };
        this.members.set(name, this.createMember(device, spec, rack, seed));
      }
    }
    this.devices = [...this.members.values()].map((m) => m.device);
    // A zero-length step connects the parts (PDUs see the UPS voltage, the UPS its load) before the first read.
    this.step(0);
  }

  private createMember(device: SimDevice, spec: SimDeviceSpec, rack: Rack, seed: number): Member {
    const rng = randomFor(seed, device.name);
    const serial = `SIM${String(rng.int(1e8)).padStart(8, '0')}`;
    const base = { device, rack, uptimeOffset: Math.round(rng.between(1, 60) * 86400) };
    switch (spec.kind) {
      case 'ups': {
        const ups = new Ups(rng, { name: device.name, serial }, { ...DEFAULT_BATTERY, ...spec.battery });
        rack.ups = ups;
        return { ...base, read: (uptime) => ups.values(rack.mains, uptime) };
      }
      case 'pdu': {
        const pdu = new Pdu(rng, spec.outlets ?? DEFAULT_OUTLETS, { serial });
        rack.pdus.push(pdu);
        rack.probes.push({ probe: pdu.probe, scenarioName: spec.name });
        this.pdus.set(device.name, pdu);
        return { ...base, read: (uptime) => pdu.values(uptime) };
      }
      case 'sensor': {
        const probe = new Probe(rng);
        rack.probes.push({ probe, scenarioName: spec.name });
        // A networked probe names itself like any card: model, serial, firmware, uptime and the probe's name.
        const identity = { 'device.model': 'SIM-THD', 'device.serial': serial, 'ups.firmware': '1.4.2', 'ambient.1.name': 'Cold aisle' };
        return { ...base, read: (uptime) => ({ ...identity, 'device.uptime': uptime, 'ambient.count': 1, ...probe.values(1) }) };
      }
      case 'meter': {
        const meter = new Meter(rng);
        rack.meters.push(meter);
        return { ...base, read: () => meter.values(rack.mains) };
      }
    }
  }

  /** Advances the model by dt seconds (events are sampled at the end of the step). */
  step(dt: number): void {
    this.time += dt;
    this.cache.clear();
    const mainsOn = this.timeline.mainsOn(this.time);
    for (const rack of this.racks) {
      rack.mains.step(dt, mainsOn);
      const supply = rack.ups ? rack.ups.prepare(dt, rack.mains) : rack.mains.voltage;
      const load = rack.pdus.reduce((sum, pdu) => sum + pdu.step(dt, supply), 0);
      rack.ups?.step(dt, load);
      // Without a UPS the PDUs hang directly on the feed.
      const feed = rack.ups ? rack.ups.inputPower : load;
      for (const meter of rack.meters) meter.step(dt, feed);
      rack.room.step(dt);
      for (const { probe, scenarioName } of rack.probes) {
        probe.step(dt, rack.room, this.timeline.spike(this.time, scenarioName));
      }
    }
  }

  /** Steps one second at a time (so no event is skipped) until `seconds` have passed. */
  advance(seconds: number, dt = 1): void {
    for (let t = 0; t < seconds; t += dt) this.step(Math.min(dt, seconds - t));
  }

  /** The device's NUT values now (computed once per step). */
  values(name: string): Values {
    let values = this.cache.get(name);
    if (!values) {
      const member = this.member(name);
      values = member.read(member.uptimeOffset + Math.floor(this.time));
      this.cache.set(name, values);
    }
    return values;
  }

  /** The wire fault a scenario event currently imposes on the device. */
  fault(name: string): Fault | undefined {
    return this.timeline.fault(this.time, this.member(name).device.scenarioName);
  }

  /** What a UPS's battery really does, beside what the UPS reports. */
  batteryTruth(name: string): BatteryTruth {
    const ups = this.member(name).rack.ups;
    if (!ups || this.member(name).device.kind !== 'ups') throw new Error(`"${name}" is not a UPS`);
    return ups.truth();
  }

  /** Switches a PDU outlet (1-based), as an outlet-control write would. */
  setOutlet(pdu: string, outlet: number, on: boolean): void {
    const target = this.pdus.get(pdu);
    if (!target) throw new Error(`no PDU named "${pdu}"`);
    target.setOutlet(outlet, on);
    this.cache.delete(pdu);
  }

  /** Applies a control write (an SNMP SET) to a UPS's or PDU's simulation; its values are recomputed at the next read. */
  control<T>(name: string, act: (target: Ups | Pdu) => T): T {
    const m = this.member(name);
    const target = m.device.kind === 'ups' ? m.rack.ups : this.pdus.get(name);
    if (!target) throw new Error(`"${name}" has no controls`);
    const result = act(target);
    this.cache.delete(name);
    return result;
  }

  private member(name: string): Member {
    const member = this.members.get(name);
    if (!member) throw new Error(`no simulated device named "${name}"`);
    return member;
  }
}
