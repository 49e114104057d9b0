// What an output node knows of each device from the messages it was given: identity, the latest values, whether
// it answers, and when it was last heard of, so a device whose node was deleted can be forgotten after a while.
import type { DeviceIdentity, DeviceKind, EventName, Values } from '../types';
import type { Input } from './input';

// Serials agents report when they have none (HA's NUT integration ignores the same ones).
const FAKE_SERIAL = /^(0*|unknown|none|n\/?a|not set|default)$/iu;

/**
 * The device's stable id, like HA's NUT integration: manufacturer_model_serial when there is a real serial (it stays
 * when the device is renamed or moved), else its name. Characters outside [a-zA-Z0-9_-] become `_`.
 */
export function stableId(device: DeviceIdentity): string {
  const serial = device.serial?.trim();
  const parts = serial && !FAKE_SERIAL.test(serial) ? [device.manufacturer, device.model, serial] : [device.name];
  return parts.filter(Boolean).join('_').replace(/[^a-zA-Z0-9_-]+/gu, '_').replace(/^_+|_+$/gu, '') || 'device';
}

const COMM_EVENTS: EventName[] = ['COMMOK', 'COMMBAD', 'NOCOMM'];
const UPS_EVENTS: EventName[] = ['ONLINE', 'ONBATT', 'LOWBATT', 'FSD', 'REPLBATT', 'CAL', 'NOTCAL', 'OFF', 'NOTOFF', 'BYPASS', 'NOTBYPASS', 'OVER', 'NOTOVER', 'TRIM', 'NOTTRIM', 'BOOST', 'NOTBOOST'];

/** The NUT events a device of this kind can raise. */
export function eventTypes(kind: DeviceKind): EventName[] {
  return kind === 'ups' ? [...UPS_EVENTS, ...COMM_EVENTS] : [...COMM_EVENTS];
}

export interface KnownDevice {
  device: DeviceIdentity;
  /** The latest reading, with per-variable messages merged in. */
  values: Values;
  /** Every variable seen since the device was first heard of: what was announced stays announced. */
  seen: Set<string>;
  /** False between COMMBAD (or NOCOMM) and COMMOK. */
  up: boolean;
  /** Epoch ms of the latest reading, undefined before the first. */
  readAt?: number;
  /** Epoch ms (the node's clock) of the latest message about the device, of any type. */
  heardAt: number;
}

export class DeviceTable {
  private readonly devices = new Map<string, KnownDevice>();

  get(name: string): KnownDevice | undefined {
    return this.devices.get(name);
  }

  all(): KnownDevice[] {
    return [...this.devices.values()];
  }

  /** Records a message and returns the device it is about. */
  apply(input: Input, now: number): KnownDevice {
    const device = input.type === 'event' ? input.event.device : input.device;
    let known = this.devices.get(device.name);
    if (!known) {
      known = { device, values: {}, seen: new Set(), up: true, heardAt: now };
      this.devices.set(device.name, known);
    }
    known.heardAt = now;
    switch (input.type) {
      case 'reading':
        known.device = device;
        known.values = { ...input.values };
        known.up = true;
        known.readAt = input.timestamp;
        break;
      case 'variable':
        known.device = device;
        known.values = { ...known.values, [input.variable]: input.value };
        known.up = true;
        known.readAt = input.timestamp;
        break;
      case 'event':
        // The poller's identity is only complete once the device answered: keep the richer one.
        if (known.readAt === undefined) known.device = device;
        if (input.event.event === 'COMMBAD' || input.event.event === 'NOCOMM') known.up = false;
        if (input.event.event === 'COMMOK') known.up = true;
        break;
    }
    for (const name of Object.keys(known.values)) known.seen.add(name);
    return known;
  }

  /** Forgets one device (by name) or, without a name, all of them; returns what was forgotten. */
  remove(name?: string): KnownDevice[] {
    const gone = name === undefined ? this.all() : [this.devices.get(name)].filter((d): d is KnownDevice => d !== undefined);
    for (const d of gone) this.devices.delete(d.device.name);
    return gone;
  }

  /** Forgets devices not heard of for `afterMs`; returns them. */
  expire(now: number, afterMs: number): KnownDevice[] {
    const gone = this.all().filter((d) => now - d.heardAt >= afterMs);
    for (const d of gone) this.devices.delete(d.device.name);
    return gone;
  }
}
