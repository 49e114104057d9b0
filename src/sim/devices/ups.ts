// An online UPS: it carries the PDUs' load, charges its battery from the mains and discharges it during a cut.
// The battery is physics (battery.ts); the runtime it reports is its firmware's estimate, which may be wrong.
import { drift, type Random } from '../random';
import { Battery, DEFAULT_BATTERY, type BatterySpec } from './battery';
import { NOMINAL_FREQUENCY, NOMINAL_VOLTAGE, type Mains } from './mains';
import { round } from '../../normalize/transform';
import type { Values } from '../../types';

const REALPOWER_NOMINAL = 3000; // W
const POWER_NOMINAL = 3300; // VA
const INVERTER_EFFICIENCY = 0.92;
const IDLE_W = 40; // the UPS's own electronics
const BATTERY_NOMINAL_V = 48;
const RUNTIME_LOW_S = 300;
const CHARGE_LOW = 20;
const OUTPUT_PF = 0.95;
/** RFC 1628 quick battery test: seconds on battery. */
const QUICK_TEST_S = 10;
/** A calibration discharge stops here (state of charge) if nobody stops it first, like a UPS's own deep test. */
const CALIBRATION_FLOOR = 0.25;

/** What the battery really does now, beside what the UPS reports (tests, the battery-truth plot). */
export interface BatteryTruth {
  /** Seconds the battery lasts at the present draw. */
  runtime: number;
  /** True state of charge, %. */
  charge: number;
  /** Health, % of the new battery's capacity. */
  health: number;
  /** What the firmware reports, s. */
  reported: number;
}

export class Ups {
  readonly battery: Battery;
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
  /** A battery test in progress: seconds left of a quick test, or a calibration discharge down to the floor. */
  private test: { kind: 'quick'; left: number } | { kind: 'calibration' } | undefined;

  constructor(
    private readonly rng: Random,
    private readonly identity: { name: string; serial: string },
    battery: BatterySpec = DEFAULT_BATTERY,
  ) {
    this.battery = new Battery(battery);
    this.batteryTemperature = battery.temperature;
  }

  /** Battery state of charge, %. */
  get charge(): number {
    return this.battery.soc * 100;
  }

  /** Starts a quick battery test or a calibration discharge (on battery while mains are fine), or aborts one. */
  startTest(kind: 'quick' | 'calibration' | 'abort'): void {
    this.test = kind === 'abort' ? undefined : kind === 'quick' ? { kind, left: QUICK_TEST_S } : { kind };
  }

  get testing(): boolean {
    return this.test !== undefined;
  }

  /** Picks the power source for this step and returns the output voltage the PDUs see. */
  prepare(dt: number, mains: Mains): number {
    if (this.shutdownCountdown >= 0 && (this.shutdownCountdown -= dt) <= 0) {
      this.shutdownCountdown = -1;
      this.shutDown = true;
    } else if (this.shutDown && this.autoRestart && mains.on) {
      this.shutDown = false;
    }
    if (this.test?.kind === 'quick' && (this.test.left -= dt) <= 0) this.test = undefined;
    if (this.test?.kind === 'calibration' && this.battery.soc <= CALIBRATION_FLOOR) this.test = undefined;
    const battery = this.battery.soc > 0 ? 'battery' : 'off';
    this.source = this.shutDown ? 'off' : mains.on && !this.test ? 'line' : mains.on ? 'battery' : battery;
    if (this.source !== 'battery') this.test = undefined;
    this.outV = drift(this.rng, this.outV, NOMINAL_VOLTAGE, 0.3, 30, dt);
    return this.outputVoltage;
  }

  private get outputVoltage(): number {
    return this.source === 'off' ? 0 : this.outV;
  }

  /** Applies `loadW` (what the PDUs drew) for dt seconds. */
  step(dt: number, loadW: number): void {
    this.load = this.source === 'off' ? 0 : loadW;
    this.charging = this.source === 'line' && this.battery.soc < 1;
    if (this.source === 'battery') this.battery.discharge(dt, this.batteryDraw, this.batteryTemperature);
    else if (this.charging) this.battery.charge(dt);
    this.battery.age(dt, this.batteryTemperature);
    const settle = this.battery.spec.temperature;
    this.batteryTemperature = drift(this.rng, this.batteryTemperature, this.charging ? settle + 2 : settle, 0.2, 300, dt);
  }

  /** What the battery delivers while on battery: the load and the UPS's own electronics through the inverter. */
  private get batteryDraw(): number {
    return (this.load + IDLE_W) / INVERTER_EFFICIENCY;
  }

  truth(): BatteryTruth {
    const draw = this.batteryDraw;
    return {
      runtime: this.battery.trueRuntime(draw, this.batteryTemperature),
      charge: this.charge,
      health: this.battery.health * 100,
      reported: this.runtime,
    };
  }

  /** Power drawn from the mains (load through the double conversion, plus the charger). */
  get inputPower(): number {
    if (this.source !== 'line') return 0;
    return (this.load + IDLE_W) / INVERTER_EFFICIENCY + (this.charging ? this.battery.spec.chargerW : 0);
  }

  private get runtime(): number {
    return Math.round(this.battery.firmwareRuntime(this.batteryDraw, this.batteryTemperature));
  }

  private get status(): string {
    if (this.source === 'off') return 'OFF';
    if (this.source === 'line') return this.charging ? 'OL CHRG' : 'OL';
    // A firmware that reports no runtime raises LB on the charge alone.
    const runtime = this.battery.spec.firmware === 'zero' ? Infinity : this.runtime;
    const low = runtime < RUNTIME_LOW_S || this.charge < CHARGE_LOW;
    return low ? 'OB LB DISCHRG' : 'OB DISCHRG';
  }

  values(mains: Mains, uptime: number): Values {
    const outV = this.outputVoltage;
    const batteryV = BATTERY_NOMINAL_V + (6 * this.charge) / 100 + (this.charging ? 1 : 0);
    const batteryW = this.source === 'battery' ? -this.batteryDraw : this.charging ? this.battery.spec.chargerW : 0;
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
