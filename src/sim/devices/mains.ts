// The utility feed of a rack: nominal 230 V / 50 Hz with slight noise, or nothing during a power cut.
import { drift, type Random } from '../random';

export const NOMINAL_VOLTAGE = 230;
export const NOMINAL_FREQUENCY = 50;

export class Mains {
  on = true;
  private v = NOMINAL_VOLTAGE;
  private f = NOMINAL_FREQUENCY;

  constructor(private readonly rng: Random) {}

  step(dt: number, on: boolean): void {
    this.on = on;
    this.v = drift(this.rng, this.v, NOMINAL_VOLTAGE, 1.5, 120, dt);
    this.f = drift(this.rng, this.f, NOMINAL_FREQUENCY, 0.03, 60, dt);
  }

  get voltage(): number {
    return this.on ? this.v : 0;
  }

  get frequency(): number {
    return this.on ? this.f : 0;
  }
}
