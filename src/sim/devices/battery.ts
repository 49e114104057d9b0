// A UPS battery as physics, apart from what the UPS firmware believes about it: usable energy that shrinks with age
// (faster when warm), with temperature, and at high power (Peukert), and a firmware runtime estimate that may know
// none of this. The gap between the two is what rackpower's battery learning has to find.

/** What the firmware's runtime estimate knows: the real battery, a new battery of the rated size, or nothing (0). */
export type FirmwareEstimate = 'honest' | 'new-battery' | 'zero';

export interface BatterySpec {
  /** Usable energy of the new battery at `referenceW` and 25 °C, Wh. */
  capacityWh: number;
  /** State of health: the fraction of `capacityWh` the battery still holds (1 = new, 0.7 = aged). */
  health: number;
  /** Peukert exponent on power: usable energy scales with (referenceW / P)^(n - 1); 1 = ideal. */
  peukert: number;
  /** Battery draw at which `capacityWh` holds, W. */
  referenceW: number;
  /** Battery temperature the UPS settles at, °C (a warm cabinet ages batteries and changes their capacity). */
  temperature: number;
  /** Health lost per simulated day at 25 °C; doubles for every 8 °C above (the lead-acid rule of thumb). */
  ageingPerDay: number;
  firmware: FirmwareEstimate;
  /** Power the charger puts into the battery, W (a bigger charger refills faster). */
  chargerW: number;
}

/** The demo UPS's battery: ~25 min at 1.4 kW, like a 3 kVA tower, with an honest firmware. */
export const DEFAULT_BATTERY: BatterySpec = {
  capacityWh: 650,
  health: 1,
  peukert: 1,
  referenceW: 1500,
  temperature: 25,
  ageingPerDay: 0,
  firmware: 'honest',
  chargerW: 400,
};

const CHARGE_EFFICIENCY = 0.85;
/** Capacity change per °C away from 25 °C (lead-acid gains a little when warm, loses when cold). */
const CAPACITY_PER_DEGREE = 0.006;
const AGEING_DOUBLING_DEGREES = 8;

export class Battery {
  /** True state of charge, 0..1 of what the battery holds now. */
  soc = 1;
  health: number;

  constructor(readonly spec: BatterySpec) {
    this.health = spec.health;
  }

  private temperatureFactor(temperature: number): number {
    return Math.min(1.15, Math.max(0.5, 1 + CAPACITY_PER_DEGREE * (temperature - 25)));
  }

  /** Energy a full battery delivers at a steady draw of `watts`, Wh. */
  usableWh(watts: number, temperature: number): number {
    const peukert = watts > 0 ? (this.spec.referenceW / watts) ** (this.spec.peukert - 1) : 1;
    return this.spec.capacityWh * this.health * this.temperatureFactor(temperature) * peukert;
  }

  /** Draws `watts` for dt seconds: the charge falls faster at high power (Peukert). */
  discharge(dt: number, watts: number, temperature: number): void {
    if (watts <= 0) return;
    this.soc = Math.max(0, this.soc - (watts * dt) / 3600 / this.usableWh(watts, temperature));
  }

  /** Charges for dt seconds; true while not yet full. */
  charge(dt: number): void {
    const fullWh = this.spec.capacityWh * this.health;
    this.soc = Math.min(1, this.soc + (this.spec.chargerW * CHARGE_EFFICIENCY * dt) / 3600 / fullWh);
  }

  /** Calendar ageing over dt seconds at `temperature`. */
  age(dt: number, temperature: number): void {
    if (this.spec.ageingPerDay <= 0) return;
    const rate = this.spec.ageingPerDay * 2 ** ((temperature - 25) / AGEING_DOUBLING_DEGREES);
    this.health = Math.max(0, this.health - (rate * dt) / 86_400);
  }

  /** Seconds the battery really lasts from now at a steady `watts`. */
  trueRuntime(watts: number, temperature: number): number {
    return watts > 0 ? (this.soc * this.usableWh(watts, temperature) * 3600) / watts : 0;
  }

  /** What the firmware reports: its own model of the battery, which may be a new one of the rated size. */
  firmwareRuntime(watts: number, temperature: number): number {
    switch (this.spec.firmware) {
      case 'zero':
        return 0;
      case 'new-battery':
        // A linear model of the rated battery: no age, no Peukert, no temperature.
        return watts > 0 ? (this.soc * this.spec.capacityWh * 3600) / watts : 0;
      case 'honest':
        return this.trueRuntime(watts, temperature);
    }
  }
}
