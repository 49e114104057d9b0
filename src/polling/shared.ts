// A connection shared by several device readers (an SNMP session per agent, a Modbus TCP socket or serial bus):
// opened by the first user, closed when the last one leaves, like Node-RED's MQTT broker config node.
export class SharedResource<T> {
  private resource: T | undefined;
  private users = 0;

  constructor(
    private readonly open: () => T,
    private readonly dispose: (resource: T) => Promise<void> | void,
  ) {}

  get userCount(): number {
    return this.users;
  }

  acquire(): T {
    this.resource ??= this.open();
    this.users++;
    return this.resource;
  }

  async release(): Promise<void> {
    if (this.users === 0) return;
    this.users--;
    if (this.users === 0) await this.closeNow();
  }

  /** Closes whatever users remain (the owner is going away, e.g. its config node is redeployed). */
  async closeNow(): Promise<void> {
    const r = this.resource;
    this.resource = undefined;
    this.users = 0;
    if (r !== undefined) await this.dispose(r);
  }
}
