// An online UPS: it carries the PDUs' load, charges its battery from the mains and discharges it during a cut.
import { drift, type Random } from '../random';
import { NOMINAL_FREQUENCY, NOMINAL_VOLTAGE, type Mains } from './mains';
import { round } from '../../normalize/transform';
import type { Values } from '../../types';

const REALPOWER_NOMINAL = 3000; // W
const POWER_NOMINAL = 3300; // VA
const CAPACITY_WH = 650; // usable battery energy: ~25 min at 1.4 kW, like a 3 kVA tower
const INVERTER_EFFICIENCY = 0.92;
const IDLE_W = 40; // the UPS's own electronics
const CHARGER_W = 400; // enough to refill a 90 s cut in a few minutes, so demos show CHRG ending
const CHARGE_EFFICIENCY = 0.85;
const BATTERY_NOMINAL_V = 48;
const RUNTIME_LOW_S = 300;
const CHARGE_LOW = 20;
const OUTPUT_PF = 0.95;

export class Ups {
  /** Battery state of charge, %. */
  charge = 100;
  /** 'line' | 'battery' | 'off': decided at the start of a step, before the load is known. */
  private source: 'line' | 'battery' | 'off' = 'line';
  private load = 0;
  private outV = NOMINAL_VOLTAGE;
  private batteryTemperature = 25;
  private charging = false;
  /** RFC 1628 upsShutdownAfterDelay: seconds until the output goes off, -1 when no shutdown is pending. */
  shutdownCountdown = -1;
  /** RFC 1628 upsAutoRestart: come back on when mains return after a commanded shutdown. */
  autoRestart = false;
  /** RFC 1628 upsConfigAudibleStatus: 1 disabled, 2 enabled, 3 muted. */
  audible = 2;
  /** The output is off after a commanded shutdown. */
  private shutDown = false;

  constructor(
    private readonly rng: Random,
    private readonly identity: { name: string; serial: string },
  ) {}

  /** Picks the power source for this step and returns the output voltage the PDUs see. */
  prepare(dt: number, mains: Mains): number {
    if (this.shutdownCountdown >= 0 && (this.shutdownCountdown -= dt) <= 0) {
      this.shutdownCountdown = -1;
      this.shutDown = true;
    } else if (this.shutDown && this.autoRestart && mains.on) {
      this.shutDown = false;
    }
    this.source = this.shutDown ? 'off' : mains.on ? 'line' : this.charge > 0 ? 'battery' : 'off';
    this.outV = drift(this.rng, this.outV, NOMINAL_VOLTAGE, 0.3, 30, dt);
    return this.outputVoltage;
  }

  private get outputVoltage(): number {
    return this.source === 'off' ? 0 : this.outV;
  }

  /** Applies `loadW` (what the PDUs drew) for dt seconds. */
  step(dt: number, loadW: number): void {
    this.load = this.source === 'off' ? 0 : loadW;
    this.charging = this.source === 'line' && this.charge < 100;
    if (this.source === 'battery') {
      const drawn = ((this.load + IDLE_W) / INVERTER_EFFICIENCY) * (dt / 3600);
      this.charge = Math.max(0, this.charge - (drawn / CAPACITY_WH) * 100);
    } else if (this.charging) {
      const stored = CHARGER_W * CHARGE_EFFICIENCY * (dt / 3600);
      this.charge = Math.min(100, this.charge + (stored / CAPACITY_WH) * 100);
    }
    this.batteryTemperature = drift(this.rng, this.batteryTemperature, this.charging ? 27 : 25, 0.2, 300, dt);
  }

  /** Power drawn from the mains (load through the double conversion, plus the charger). */
  get inputPower(): number {
    if (this.source !== 'line') return 0;
    return (this.load + IDLE_W) / INVERTER_EFFICIENCY + (this.charging ? CHARGER_W : 0);
  }

  private get runtime(): number {
    const energyWh = (this.charge / 100) * CAPACITY_WH * INVERTER_EFFICIENCY;
    return Math.round((energyWh * 3600) / (this.load + IDLE_W));
  }

  private get status(): string {
    if (this.source === 'off') return 'OFF';
    if (this.source === 'line') return this.charging ? 'OL CHRG' : 'OL';
    const low = this.runtime < RUNTIME_LOW_S || this.charge < CHARGE_LOW;
    return low ? 'OB LB DISCHRG' : 'OB DISCHRG';
  }

  values(mains: Mains, uptime: number): Values {
    const outV = this.outputVoltage;
    const batteryV = BATTERY_NOMINAL_V + (6 * this.charge) / 100 + (this.charging ? 1 : 0);
    const batteryW = this.source === 'battery' ? -(this.load + IDLE_W) / INVERTER_EFFICIENCY : this.charging ? CHARGER_W : 0;
    return {
      'device.mfr': 'Rackpower',
      'device.model': 'SIM-UPS 3000',
      'device.serial': this.identity.serial,
      'ups.id': this.identity.name,
      'ups.firmware': '2.1.0',
      'device.uptime': uptime,
      'ups.status': this.status,
      'battery.charge': Math.floor(this.charge),
      'battery.charger.status': this.source === 'battery' ? 'discharging' : this.charging ? 'charging' : this.source === 'off' ? 'resting' : 'floating',
      'battery.charge.low': CHARGE_LOW,
      'battery.runtime': this.runtime,
      'battery.runtime.low': RUNTIME_LOW_S,
      'battery.voltage': round(batteryV, 1),
      'battery.current': round(batteryW / batteryV, 1),
      'battery.temperature': round(this.batteryTemperature, 0),
      'input.phases': 1,
      'output.phases': 1,
      'input.voltage': round(mains.voltage, 1),
      'input.frequency': round(mains.frequency, 1),
      'input.current': mains.on ? round(this.inputPower / mains.voltage, 1) : 0,
      'input.realpower': Math.round(this.inputPower),
      'input.bypass.voltage': round(mains.voltage, 1),
      'output.voltage': round(outV, 1),
      'output.frequency': this.source === 'off' ? 0 : NOMINAL_FREQUENCY,
      'output.current': outV > 0 ? round(this.load / OUTPUT_PF / outV, 1) : 0,
      'ups.realpower': Math.round(this.load),
      'output.realpower': Math.round(this.load),
      'ups.power': Math.round(this.load / OUTPUT_PF),
      'ups.load': Math.round((this.load / REALPOWER_NOMINAL) * 100),
      'input.voltage.nominal': NOMINAL_VOLTAGE,
      'input.frequency.nominal': NOMINAL_FREQUENCY,
      'output.voltage.nominal': NOMINAL_VOLTAGE,
      'output.frequency.nominal': NOMINAL_FREQUENCY,
      'output.power.nominal': POWER_NOMINAL,
      'output.realpower.nominal': REALPOWER_NOMINAL,
    };
  }
}
