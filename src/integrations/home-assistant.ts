// rackpower readings and events → the MQTT messages Home Assistant's MQTT discovery expects: one retained
// device-based discovery config per device (`<prefix>/device/<id>/config`), a retained state, retained availability
// (COMMBAD/COMMOK), the NUT events, and empty retained configs to remove a device without leaving ghosts.
// No MQTT client here: the caller publishes the messages (Node-RED's mqtt out node, or the CLI's client).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { topicName } from '../normalize/messages';
import { PACKAGE_ROOT } from '../profiles/load';
import type { DeviceEvent, DeviceIdentity } from '../types';
import { DeviceTable, stableId, type KnownDevice } from './devices';
import { entitySpecs, type EntitySpec } from './ha-entities';
import type { Input } from './input';

export interface MqttMessage {
  topic: string;
  /** Text; an empty string with retain deletes a retained message. */
  payload: string;
  retain: boolean;
  qos: 0 | 1;
}

export interface HomeAssistantOptions {
  /** Home Assistant's discovery prefix (default `homeassistant`); its birth topic is `<prefix>/status`. */
  discoveryPrefix?: string;
  /** Prefix of state, availability and event topics, like the device nodes' topic prefix (default `rackpower`). */
  base?: string;
  /**
   * Topic saying whether this publisher (the Node-RED instance) is online: every entity needs it `online` as well
   * as its device's own availability. Give the MQTT broker node the same topic as birth (`online`), close and will
   * (`offline`) messages so a stopped or crashed Node-RED turns its devices unavailable. '' = not used.
   */
  statusTopic?: string;
  /**
   * Whether an outlet node acts on this device's outlet switches now (nodes/lib/outlet-switches.ts). Without it
   * (the CLI: nothing listens on the command topic) outlets are announced as read-only binary sensors.
   */
  outletControl?: (device: DeviceIdentity, outlet: string, name: string | undefined) => boolean;
}

export const HA_DEFAULTS = { discoveryPrefix: 'homeassistant', base: 'rackpower', statusTopic: 'rackpower/bridge/status' };

const ONLINE = 'online';
const OFFLINE = 'offline';

const VERSION: string = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')).version;
const ORIGIN = { name: 'rackpower', sw: VERSION, url: 'https://www.npmjs.com/package/node-red-contrib-rackpower' };

/** MQTT topic levels and HA ids allow [a-zA-Z0-9_-] only. */
const idPart = (text: string): string => text.replace(/[^a-zA-Z0-9_-]+/gu, '_').replace(/^_+|_+$/gu, '');
/** Entity ids are lower-case words joined by underscores. */
const slug = (text: string): string => text.toLowerCase().replace(/[^a-z0-9]+/gu, '_').replace(/^_+|_+$/gu, '');

/** The device's stable id (devices.ts), prefixed so no other MQTT integration's ids collide. */
export function deviceId(device: DeviceIdentity): string {
  return `rackpower_${stableId(device)}`;
}

/**
 * `rack_ups` + `ups_load` → `rack_ups_load`: the words the device name ends with are not repeated where the key
 * starts with them (HA would show sensor.rack_ups_ups_load).
 */
export function entityObjectId(deviceName: string, key: string): string {
  const head = slug(deviceName).split('_').filter(Boolean);
  const tail = slug(key).split('_').filter(Boolean);
  let overlap = Math.min(head.length, tail.length);
  while (overlap > 0 && head.slice(-overlap).join('_') !== tail.slice(0, overlap).join('_')) overlap--;
  // Never the whole key: `ups` + `ups` stays ups_ups rather than colliding with the device's other ids.
  if (overlap === tail.length) overlap = 0;
  return [...head, ...tail.slice(overlap)].join('_');
}

/** HA strips a device-name prefix from entity names (with a warning): never send one. */
function withoutDeviceName(name: string, deviceName: string): string {
  const prefix = `${deviceName.toLowerCase()} `;
  if (!name.toLowerCase().startsWith(prefix) || name.length === prefix.length) return name;
  const rest = name.slice(prefix.length);
  return rest.charAt(0).toUpperCase() + rest.slice(1);
}

interface Announced {
  id: string;
  config: string;
}

export class HomeAssistantPublisher {
  readonly discoveryPrefix: string;
  private readonly base: string;
  private readonly statusTopic: string;
  private readonly table = new DeviceTable();
  private readonly announced = new Map<string, Announced>();
  /** Devices removed from Home Assistant (msg.remove): not announced again until added back (or a new publisher). */
  private readonly removed = new Set<string>();
  private readonly outletControl: NonNullable<HomeAssistantOptions['outletControl']>;
  private bridgeOnline = false;

  constructor(options: HomeAssistantOptions = {}) {
    this.discoveryPrefix = options.discoveryPrefix?.replace(/\/+$/u, '') || HA_DEFAULTS.discoveryPrefix;
    this.base = options.base?.replace(/\/+$/u, '') || HA_DEFAULTS.base;
    this.statusTopic = options.statusTopic ?? HA_DEFAULTS.statusTopic;
    this.outletControl = options.outletControl ?? (() => false);
  }

  /** How many devices it knows of. */
  get size(): number {
    return this.table.all().length;
  }

  /** Home Assistant's birth topic: `online` there means "announce everything again". */
  get birthTopic(): string {
    return `${this.discoveryPrefix}/status`;
  }

  deviceTopic(device: DeviceIdentity, ...rest: string[]): string {
    return [this.base, topicName(device.name), ...rest].join('/');
  }

  configTopic(id: string): string {
    return `${this.discoveryPrefix}/device/${id}/config`;
  }

  /** The discovery payload for a device as known now. */
  discoveryConfig(known: KnownDevice): Record<string, unknown> {
    const { device } = known;
    const id = deviceId(device);
    const specs = entitySpecs(
      device.kind,
      known.seen,
      known.values,
      { event: this.deviceTopic(device, 'event'), command: this.deviceTopic(device, 'command') },
      (outlet, name) => this.outletControl(device, outlet, name),
    );
    const cmps: Record<string, Record<string, unknown>> = {};
    for (const spec of specs) cmps[idPart(spec.key)] = this.component(device, id, spec);
    const availability = [...(this.statusTopic ? [{ topic: this.statusTopic }] : []), { topic: this.deviceTopic(device, 'availability') }];
    return {
      dev: {
        identifiers: [id],
        name: device.name,
        ...(device.manufacturer && { manufacturer: device.manufacturer }),
        ...(device.model && { model: device.model }),
        ...(device.serial && { serial_number: device.serial }),
        ...(device.firmware && { sw_version: device.firmware }),
      },
      o: ORIGIN,
      cmps,
      state_topic: this.deviceTopic(device),
      availability,
      availability_mode: 'all',
      qos: 1,
    };
  }

  private component(device: DeviceIdentity, id: string, spec: EntitySpec): Record<string, unknown> {
    const { key, platform, name, ...options } = spec;
    return {
      p: platform,
      name: withoutDeviceName(name, device.name),
      unique_id: `${id}_${idPart(key)}`,
      // The entity id HA gives it on first discovery; `object_id` is deprecated since HA 2025.10.
      default_entity_id: `${platform}.${entityObjectId(device.name, key)}`,
      ...options,
    };
  }

  /**
   * The messages for rackpower readings and events, in order. Readings of one device in the same batch (a
   * per-variable burst) give one config and one state, not one per variable.
   */
  handle(inputs: Input[], now = Date.now()): MqttMessage[] {
    const out: MqttMessage[] = [...this.bridge()];
    const read = new Map<string, { known: KnownDevice; wasDown: boolean }>();
    for (const input of inputs) {
      const name = input.type === 'event' ? input.event.device.name : input.device.name;
      if (this.removed.has(name)) continue;
      const wasDown = this.table.get(name)?.up === false;
      const known = this.table.apply(input, now);
      if (input.type !== 'event') {
        if (!read.has(name)) read.set(name, { known, wasDown });
        continue;
      }
      const { event } = input;
      // Not announced yet (it failed before its first reading): the event alone, there is no HA device to flip.
      const announced = this.announced.has(name);
      // Availability first when a device comes back, after the event when it goes: HA sees the event either way.
      if (announced && event.event === 'COMMOK') out.push(this.availability(known));
      out.push(this.event(event));
      if (announced && (event.event === 'COMMBAD' || event.event === 'NOCOMM')) out.push(this.availability(known));
    }
    for (const { known, wasDown } of read.values()) {
      const announcement = this.announce(known, false);
      out.push(...announcement);
      // A reading means it answers, even if its COMMOK went elsewhere.
      if (!announcement.length && wasDown) out.push(this.availability(known));
      out.push(this.state(known));
    }
    return out;
  }

  /** After Home Assistant's birth message: every config, availability and state again. */
  birth(): MqttMessage[] {
    this.bridgeOnline = false;
    const out = [...this.bridge()];
    for (const known of this.table.all()) {
      if (known.readAt === undefined) continue;
      out.push(...this.announce(known, true), this.state(known));
    }
    return out;
  }

  /**
   * Removes one device (by its name) or all: empty retained config, state and availability. It stays removed,
   * whatever it sends, until add() brings it back.
   */
  remove(name?: string): MqttMessage[] {
    for (const n of name === undefined ? this.table.all().map((k) => k.device.name) : [name]) this.removed.add(n);
    return this.table.remove(name).flatMap((known) => this.unpublish(known));
  }

  /**
   * Forgets one device (by its name) or all without a word to the broker: another publisher (the owner a standby
   * handed back to) announces them now, and this one must never expire or remove what that one published.
   */
  forget(name?: string): void {
    for (const known of this.table.remove(name)) this.announced.delete(known.device.name);
  }

  /** Lets a removed device (by its name) or all of them be announced again with their next reading. */
  add(name?: string): void {
    if (name === undefined) this.removed.clear();
    else this.removed.delete(name);
  }

  /** Removes devices nothing was heard of for `afterMs`. */
  expire(now: number, afterMs: number): MqttMessage[] {
    return this.table.expire(now, afterMs).flatMap((known) => this.unpublish(known));
  }

  /** When the flow stops: every device offline, or removed entirely when the node itself was deleted. */
  close(removed: boolean): MqttMessage[] {
    return removed ? this.remove() : this.table.all().filter((k) => this.announced.has(k.device.name)).map((k) => this.availability(k, OFFLINE));
  }

  /** `offline` on the status topic: for the last publisher using it, when it stops. */
  offline(): MqttMessage[] {
    if (!this.statusTopic || !this.bridgeOnline) return [];
    this.bridgeOnline = false;
    return [this.message(this.statusTopic, OFFLINE, true)];
  }

  /** The publisher's own status, once, before its first device message (the broker's birth message may be unset). */
  private bridge(): MqttMessage[] {
    if (!this.statusTopic || this.bridgeOnline) return [];
    this.bridgeOnline = true;
    return [this.message(this.statusTopic, ONLINE, true)];
  }

  private announce(known: KnownDevice, force: boolean): MqttMessage[] {
    const name = known.device.name;
    const id = deviceId(known.device);
    const config = JSON.stringify(this.discoveryConfig(known));
    const previous = this.announced.get(name);
    if (!force && previous?.config === config) return [];
    const out: MqttMessage[] = [];
    // Another id for the same device (its card was swapped: new serial): the old HA device would linger.
    if (previous && previous.id !== id) out.push(this.message(this.configTopic(previous.id), '', true));
    this.announced.set(name, { id, config });
    out.push(this.message(this.configTopic(id), config, true), this.availability(known));
    return out;
  }

  private unpublish(known: KnownDevice): MqttMessage[] {
    const announced = this.announced.get(known.device.name);
    if (!announced) return [];
    this.announced.delete(known.device.name);
    // Config first: HA removes the entities before their retained state and availability disappear.
    return [
      this.message(this.configTopic(announced.id), '', true),
      this.message(this.deviceTopic(known.device), '', true),
      this.message(this.deviceTopic(known.device, 'availability'), '', true),
    ];
  }

  private availability(known: KnownDevice, forced?: string): MqttMessage {
    return this.message(this.deviceTopic(known.device, 'availability'), forced ?? (known.up ? ONLINE : OFFLINE), true);
  }

  /** Retained, so HA has it the moment it subscribes after a discovery or a restart. */
  private state(known: KnownDevice): MqttMessage {
    return this.message(this.deviceTopic(known.device), JSON.stringify(known.values), true);
  }

  /** The device node's event payload as is: an mqtt out node wired to the device node sends the same. */
  private event(event: DeviceEvent): MqttMessage {
    return this.message(this.deviceTopic(event.device, 'event'), JSON.stringify(event), false);
  }

  private message(topic: string, payload: string, retain: boolean): MqttMessage {
    return { topic, payload, retain, qos: 1 };
  }
}
