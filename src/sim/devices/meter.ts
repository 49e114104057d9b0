// A single-phase energy meter on the rack's utility feed (upstream of the UPS): it sees what the rack takes
// from the mains, which drops to nothing during a power cut while the UPS carries the load.
import { drift, type Random } from '../random';
import type { Mains } from './mains';
import { round } from '../../normalize/transform';
import { kWh } from './units';
import type { Values } from '../../types';

export class Meter {
  private watts = 0;
  private pf = 0.97;
  private imported: number;

  constructor(private readonly rng: Random) {
    this.imported = rng.between(1000, 9000);
  }

  step(dt: number, feedW: number): void {
    this.watts = feedW;
    this.pf = Math.min(1, drift(this.rng, this.pf, 0.97, 0.01, 120, dt));
    this.imported += kWh(feedW, dt);
  }

  values(mains: Mains): Values {
    const apparent = this.watts / this.pf;
    const voltage = mains.voltage;
    return {
      'input.voltage': round(voltage, 1),
      'input.current': voltage > 0 ? round(apparent / voltage, 2) : 0,
      'input.realpower': round(this.watts, 1),
      'input.power': round(apparent, 1),
      'input.reactivepower': round(Math.sqrt(Math.max(0, apparent ** 2 - this.watts ** 2)), 1),
      'input.powerfactor': this.watts > 0 ? round(this.pf, 3) : 1,
      'input.frequency': round(mains.frequency, 2),
      'input.energy.import': round(this.imported, 3),
      'input.energy.export': 0,
      'input.energy': round(this.imported, 3),
    };
  }
}
