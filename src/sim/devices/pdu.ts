// A switched, metered-by-outlet rack PDU: every outlet feeds one server whose draw wanders around its own
// typical load; the input current is the sum of the outlet currents, as on a real single-phase PDU.
import { drift, type Random } from '../random';
import { Probe } from './climate';
import { round } from '../../normalize/transform';
import { kWh } from './units';
import type { Values } from '../../types';

const SERVER_NAMES = ['web-01', 'web-02', 'app-01', 'app-02', 'db-01', 'db-02', 'cache-01', 'backup-01'];
const RATED_CURRENT = 16; // A, a C20-fed PDU
const LOW_CURRENT = 0.5;
/** An outlet's reboot duration (s): how long "immediateReboot" keeps it off, like an rPDU2's default. */
export const REBOOT_DURATION_S = 5;

interface Outlet {
  name: string;
  on: boolean;
  typicalW: number;
  w: number;
  pf: number;
  kWh: number;
  /** Seconds until a rebooting outlet comes back on. */
  rebootLeft?: number;
}

export class Pdu {
  private readonly outlets: Outlet[];
  private voltage = 0;
  private energy: number;
  readonly probe: Probe;

  constructor(
    private readonly rng: Random,
    count: number,
    private readonly identity: { serial: string },
  ) {
    this.outlets = Array.from({ length: count }, (_, i) => {
      const typicalW = rng.between(60, 320);
      return {
        name: SERVER_NAMES[i] ?? `srv-${String(i + 1).padStart(2, '0')}`,
        on: true,
        typicalW,
        w: typicalW,
        pf: rng.between(0.9, 0.99),
        kWh: rng.between(50, 900),
      };
    });
    this.energy = this.outlets.reduce((sum, o) => sum + o.kWh, 0);
    this.probe = new Probe(rng);
  }

  get outletCount(): number {
    return this.outlets.length;
  }

  /** Switches outlet n (1-based); an off outlet draws nothing from the next step on. */
  setOutlet(n: number, on: boolean): void {
    const outlet = this.outlets[n - 1];
    if (!outlet) throw new RangeError(`outlet ${n} does not exist (1..${this.outlets.length})`);
    outlet.on = on;
    outlet.rebootLeft = undefined;
  }

  /** Outlet n off now and back on after the reboot duration (the PDU's own delay), as a power-cycle command does. */
  reboot(n: number): void {
    this.setOutlet(n, false);
    this.outlets[n - 1].rebootLeft = REBOOT_DURATION_S;
  }

  /** Advances dt seconds at the supply voltage; returns the real power drawn (W). */
  step(dt: number, supplyVoltage: number): number {
    this.voltage = supplyVoltage;
    let total = 0;
    for (const o of this.outlets) {
      if (o.rebootLeft !== undefined && (o.rebootLeft -= dt) <= 0) {
        o.on = true;
        o.rebootLeft = undefined;
      }
      const powered = o.on && supplyVoltage > 0;
      o.w = powered ? Math.max(0, drift(this.rng, o.w, o.typicalW, o.typicalW * 0.06, 30, dt)) : 0;
      o.kWh += kWh(o.w, dt);
      total += o.w;
    }
    this.energy += kWh(total, dt);
    return total;
  }

  values(uptime: number): Values {
    const values: Values = {
      'device.description': 'Rack PDU',
      'device.location': 'Rack A1',
      'device.model': `SIM-PDU ${this.outlets.length}`,
      'device.serial': this.identity.serial,
      'ups.firmware': 'v6.9.6',
      'device.uptime': uptime,
      'outlet.count': this.outlets.length,
      'ambient.count': 1,
      'ambient.1.name': 'Rack inlet',
      ...this.probe.values(1),
    };
    const currents = this.outlets.map((o, i) => {
      const n = i + 1;
      const current = this.voltage > 0 ? round(o.w / o.pf / this.voltage, 2) : 0;
      values[`outlet.${n}.name`] = o.name;
      values[`outlet.${n}.status`] = o.on ? 'on' : 'off';
      values[`outlet.${n}.current`] = current;
      values[`outlet.${n}.realpower`] = Math.round(o.w);
      values[`outlet.${n}.energy`] = round(o.kWh, 3);
      return current;
    });
    // The input is the sum of the published outlet values, so the two always agree to the last digit.
    const current = round(currents.reduce((a, b) => a + b, 0), 2);
    const realpower = this.outlets.reduce((sum, o) => sum + Math.round(o.w), 0);
    const apparent = Math.round(this.outlets.reduce((sum, o) => sum + o.w / o.pf, 0));
    const pf = apparent > 0 ? round(realpower / apparent, 2) : 1;
    Object.assign(values, {
      'input.phases': 1,
      'input.voltage': round(this.voltage, 1),
      'input.current': current,
      'input.realpower': realpower,
      'input.power': apparent,
      'input.powerfactor': pf,
      'input.energy': round(this.energy, 3),
      'input.load.status': loadStatus(current),
      // One phase: the per-line names the phase table uses for columns without a single-phase name.
      'input.L1.realpower': realpower,
      'input.L1.power': apparent,
      'input.L1.powerfactor': pf,
    });
    const banks = this.outlets.length > 1 ? 2 : 1;
    const perBank = Math.ceil(currents.length / banks);
    values['outlet.group.count'] = banks;
    for (let b = 0; b < banks; b++) {
      const bank = currents.slice(b * perBank, (b + 1) * perBank);
      values[`outlet.group.${b + 1}.current`] = round(bank.reduce((a, c) => a + c, 0), 2);
    }
    return values;
  }
}

function loadStatus(current: number): string {
  if (current < LOW_CURRENT) return 'low';
  if (current > RATED_CURRENT) return 'critical-high';
  if (current > RATED_CURRENT * 0.8) return 'warning-high';
  return 'good';
}
