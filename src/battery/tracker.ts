// What rackpower measures itself on top of a device's readings: energy counters for every device, battery truth for
// a UPS. State is kept per device (by serial, else name) in a store the caller provides: Node-RED context in the
// nodes, a state file for the CLI. One tracker per poller; readings go through observe() before anyone sees them.
import { eventMessage } from '../normalize/events';
import type { DeviceEvent, Reading } from '../types';
import { EnergyCounters } from './energy';
import { BatteryMonitor, type BatteryOptions, type Learning } from './monitor';
import type { DischargeSource } from './history';

/** Synchronous key-value storage of plain JSON (Node-RED's memory and localfilesystem context stores are). */
export interface StateStore {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
}

export interface TrackerOptions extends BatteryOptions {
  /** Learn the battery of a UPS (default true). */
  battery?: boolean;
  /** Integrate energy counters the device lacks (default true). */
  energy?: boolean;
}

export interface Tracked {
  /** The reading with what was measured added (a new object; the input is not changed). */
  reading: Reading;
  events: DeviceEvent[];
  /** UPS only: what battery learning is doing. */
  learning?: Learning;
}

interface PerDevice {
  key: string;
  energy?: EnergyCounters;
  battery?: BatteryMonitor;
}

export class ReadingTracker {
  private current: PerDevice | undefined;
  private pending: DischargeSource | undefined;
  private replaced = false;

  constructor(
    private readonly options: TrackerOptions,
    private readonly store: StateStore,
  ) {}

  /** The next discharge is a battery test or calibration this flow started (it is recorded as such). */
  expect(source: DischargeSource): void {
    if (this.current?.battery) this.current.battery.expect(source);
    else this.pending = source;
  }

  observe(reading: Reading): Tracked {
    const device = this.open(reading);
    const t = reading.timestamp;
    const values = { ...reading.values };
    const events: DeviceEvent[] = [];
    let learning: Learning | undefined;
    if (device.energy) Object.assign(values, device.energy.observe(t, reading.values));
    if (device.battery) {
      const seen = device.battery.observe(t, reading.values);
      Object.assign(values, seen.values);
      learning = seen.learning;
      if (seen.replace) {
        const status = typeof reading.values['ups.status'] === 'string' ? reading.values['ups.status'] : undefined;
        const { health, threshold } = seen.replace;
        events.push({
          event: 'REPLBATT',
          device: reading.device,
          previous: status,
          current: status,
          timestamp: t,
          message: `${eventMessage(reading.device.name, 'REPLBATT')}: measured health ${health} % is below ${threshold} %`,
          battery: { health, threshold },
        });
      }
    }
    this.save(device);
    return { reading: { ...reading, values }, events, ...(learning && { learning }) };
  }

  /** The UPS got a new battery: its discharges and measured health start over (from the next reading if none yet). */
  batteryReplaced(): void {
    if (this.current?.battery) {
      this.current.battery.reset();
      this.save(this.current);
    } else this.replaced = true;
  }

  /** Saves what is pending (the caller's close path). */
  flush(): void {
    if (this.current) this.save(this.current);
  }

  private open(reading: Reading): PerDevice {
    // Node-RED context reads dots and brackets in a key as a property path: keep keys to plain characters.
    const id = reading.device.serial ? `serial_${reading.device.serial}` : `name_${reading.device.name}`;
    const key = id.replace(/[^A-Za-z0-9_-]/gu, '_');
    if (this.current?.key === key) return this.current;
    // A new device behind the address (or the serial read for the first time): its own state.
    if (this.current) this.save(this.current);
    const { intervalMs } = this.options;
    const device: PerDevice = { key };
    if (this.options.energy !== false) device.energy = new EnergyCounters({ intervalMs, maxGapIntervals: this.options.maxGapIntervals }, this.store.get(`energy_${key}`));
    if (reading.device.kind === 'ups' && this.options.battery !== false) {
      device.battery = new BatteryMonitor(this.options, this.store.get(`battery_${key}`));
      if (this.replaced) device.battery.reset();
      if (this.pending) device.battery.expect(this.pending);
      this.pending = undefined;
      this.replaced = false;
    }
    this.current = device;
    return device;
  }

  private save(device: PerDevice): void {
    if (device.energy) this.store.set(`energy_${device.key}`, device.energy.snapshot());
    if (device.battery) this.store.set(`battery_${device.key}`, device.battery.snapshot());
  }
}
