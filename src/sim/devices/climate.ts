// Room air and the probes that measure it: each probe sits somewhere slightly warmer or cooler, and a
// temperature-spike heats its surroundings gradually (a hot spot builds up and cools down, it does not jump).
import { drift, type Random } from '../random';
import { round } from '../../normalize/transform';
import type { Values } from '../../types';

const ROOM_TEMPERATURE = 23;
const ROOM_HUMIDITY = 40;
/** Seconds for a spike to build up or fade (first-order lag). */
const SPIKE_TAU = 15;
/** Relative humidity falls about 6 % per °C when air warms at constant moisture. */
const HUMIDITY_PER_DEGREE = 0.06;

export class Room {
  temperature = ROOM_TEMPERATURE;
  humidity = ROOM_HUMIDITY;

  constructor(private readonly rng: Random) {}

  step(dt: number): void {
    this.temperature = drift(this.rng, this.temperature, ROOM_TEMPERATURE, 0.4, 600, dt);
    this.humidity = drift(this.rng, this.humidity, ROOM_HUMIDITY, 2, 900, dt);
  }
}

export class Probe {
  temperature = ROOM_TEMPERATURE;
  humidity = ROOM_HUMIDITY;
  private heat = 0;
  private readonly offset: number;

  constructor(private readonly rng: Random) {
    this.offset = rng.between(-0.6, 0.6);
  }

  step(dt: number, room: Room, spike: number): void {
    this.heat = spike + (this.heat - spike) * Math.exp(-dt / SPIKE_TAU);
    this.temperature = room.temperature + this.offset + this.heat + this.rng.gauss(0.05);
    this.humidity = Math.min(100, room.humidity * Math.exp(-HUMIDITY_PER_DEGREE * this.heat) + this.rng.gauss(0.2));
  }

  /** NUT ambient.<n>.* values. */
  values(n: number): Values {
    return {
      [`ambient.${n}.temperature`]: round(this.temperature, 1),
      [`ambient.${n}.humidity`]: round(this.humidity, 1),
    };
  }
}
