// Which scenario events are active at a given simulated time. Pure: the model asks it after every step.
import type { Fault, ScenarioEvent } from './types';

export class Timeline {
  constructor(
    private readonly events: readonly ScenarioEvent[],
    /** Period after which the timeline starts over; undefined = play once. */
    private readonly repeat?: number,
  ) {}

  private active(t: number): ScenarioEvent[] {
    const local = this.repeat ? t % this.repeat : t;
    return this.events.filter((e) => local >= e.at && (e.duration === undefined || local < e.at + e.duration));
  }

  mainsOn(t: number): boolean {
    return !this.active(t).some((e) => e.action === 'power-cut');
  }

  /** The fault of a scenario device (by its scenario name); comms-lost wins over garbage since nothing is sent. */
  fault(t: number, device: string): Fault | undefined {
    const mine = this.active(t).filter((e) => e.device === device);
    if (mine.some((e) => e.action === 'comms-lost')) return 'comms-lost';
    if (mine.some((e) => e.action === 'garbage')) return 'garbage';
    return undefined;
  }

  /** °C of active temperature spikes for a device: its own plus the room-wide ones (no device named). */
  spike(t: number, device: string): number {
    return this.active(t)
      .filter((e) => e.action === 'temperature-spike' && (e.device === undefined || e.device === device))
      .reduce((sum, e) => sum + (e.delta ?? 0), 0);
  }
}
