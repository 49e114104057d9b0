// What a reader left out of its readings and why, and what went wrong on its connection: counted per device so a
// flow author (and `rackpower read --verbose`) can see that a value is absent on purpose and how often a device
// sends something unusable. Counters only grow; `lastAbsent` is the last poll's list.
import type { AbsentReason } from '../normalize/value-class';

export interface DeviceDiagnostics {
  /** Polls that got an answer (a reading, possibly with values left out). */
  polls: number;
  /** Values left out since the reader started, by reason. */
  absent: Partial<Record<AbsentReason, number>>;
  /** The variables left out of the last reading, with the reason. */
  lastAbsent: Record<string, AbsentReason>;
  /**
   * Faults of the connection the device is read over (shared with other devices on it): malformed replies, tooBig
   * answers, the batch size now in use, Modbus resynchronizations, late frames discarded ...
   */
  connection: Record<string, number>;
}

export class AbsentCounter {
  private polls = 0;
  private readonly absent: Partial<Record<AbsentReason, number>> = {};
  /** The last answered poll's own list; the reading's list adds the statics (made when asked, not every poll). */
  private last: Record<string, AbsentReason> = {};
  private lastStatics: Record<string, AbsentReason> = {};
  /** Static values left out at the last rediscovery: part of every reading until the next one. */
  private statics: Record<string, AbsentReason> = {};
  private current: Record<string, AbsentReason> = {};

  /** A new poll (or rediscovery) starts. */
  begin(): void {
    this.current = {};
  }

  /** `name` was left out for `reason`. */
  add(name: string, reason: AbsentReason): void {
    this.current[name] = reason;
  }

  /** A rediscovery read the static values: what it left out is counted once and listed with every later reading. */
  learned(): void {
    this.count(this.current);
    this.statics = this.current;
    this.current = {};
  }

  /** The poll answered: its list becomes the last one. */
  end(): void {
    this.polls++;
    this.count(this.current);
    this.last = this.current;
    this.lastStatics = this.statics;
  }

  private count(list: Record<string, AbsentReason>): void {
    for (const reason of Object.values(list)) this.absent[reason] = (this.absent[reason] ?? 0) + 1;
  }

  snapshot(connection: Record<string, number>): DeviceDiagnostics {
    return { polls: this.polls, absent: { ...this.absent }, lastAbsent: { ...this.lastStatics, ...this.last }, connection };
  }
}
