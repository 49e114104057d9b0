// A small seeded PRNG so a scenario replays identically (Math.random cannot be seeded).

/** mulberry32: 32-bit state, good enough statistics for noise, tiny and fast. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform in [min, max). */
  between(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Approximately normal (sum of uniforms), mean 0, standard deviation `sigma`; cheaper than Box-Muller and bounded. */
  gauss(sigma: number): number {
    return (this.next() + this.next() + this.next() + this.next() - 2) * sigma * Math.sqrt(3);
  }

}

/** A generator per device, keyed by name, so adding a device to a scenario does not reshuffle the others. */
export function randomFor(seed: number, name: string): Random {
  let hash = 0x811c9dc5; // FNV-1a
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193);
  return new Random(hash ^ Math.imul(seed, 0x9e3779b1));
}

/** One step of an Ornstein-Uhlenbeck process: noise that drifts but always returns towards `mean`. */
export function drift(rng: Random, value: number, mean: number, sigma: number, tau: number, dt: number): number {
  const keep = Math.exp(-dt / tau);
  return mean + (value - mean) * keep + rng.gauss(sigma * Math.sqrt(1 - keep * keep));
}
