// A standby instance's role for one shard, from its owner's status topic (the owner's MQTT birth `online` and will
// `offline`, docs/scaling.md): standby while the owner is online, active once it has been offline (or silent since
// start) for a grace period, standby again the moment the owner says online. Plain TypeScript: the node feeds it
// status payloads and acts on role changes.

export type Role = 'standby' | 'active';

export interface StandbyOptions {
  graceMs: number;
  /** Called on every change of role, with why. */
  onRole(role: Role, reason: 'owner-offline' | 'owner-silent' | 'owner-online'): void;
}

export class StandbyGate {
  private role: Role = 'standby';
  private timer: NodeJS.Timeout | undefined;
  private ownerOnline = false;
  private closed = false;

  constructor(private readonly options: StandbyOptions) {}

  get active(): boolean {
    return this.role === 'active';
  }

  /** Starts in standby; without word from the owner within the grace period it takes over. */
  start(): void {
    this.arm('owner-silent');
  }

  /** The owner's status topic said this (`online`, `offline`; an empty retained message counts as offline). */
  ownerStatus(payload: string): void {
    if (this.closed) return;
    const online = payload.trim().toLowerCase() === 'online';
    this.ownerOnline = online;
    if (online) {
      // Hand back at once: the owner polls from its first interval on.
      this.disarm();
      this.become('standby', 'owner-online');
    } else if (!this.active && !this.timer) {
      this.arm('owner-offline');
    }
  }

  close(): void {
    this.closed = true;
    this.disarm();
  }

  private arm(reason: 'owner-offline' | 'owner-silent'): void {
    this.disarm();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // Still offline after the grace period: a restart of the owner within it never causes a takeover.
      if (!this.ownerOnline && !this.closed) this.become('active', reason);
    }, this.options.graceMs);
  }

  private disarm(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private become(role: Role, reason: 'owner-offline' | 'owner-silent' | 'owner-online'): void {
    if (role === this.role) return;
    this.role = role;
    this.options.onRole(role, reason);
  }
}
