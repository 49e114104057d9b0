// Which PDU outlets an outlet node in this runtime would switch now, by the device's address (its SNMP agent): what
// the Home Assistant discovery node asks before it announces an outlet as a switch. A switch that does nothing (no
// outlet node, control not allowed, not on the allowlist, protected, dry run) is not offered as one.
import type { Guard } from '../../src/control/guards';

interface OutletNode {
  /** The SNMP agent's address as msg.device.address has it (SnmpClient.describe()). */
  address: string;
  guard: Guard;
  allowed: boolean;
}

export class OutletSwitches {
  private readonly nodes = new Map<string, OutletNode>();

  register(nodeId: string, entry: OutletNode): () => void {
    this.nodes.set(nodeId, entry);
    return () => {
      if (this.nodes.get(nodeId) === entry) this.nodes.delete(nodeId);
    };
  }

  /** True when some outlet node on this address would act on the outlet (number, and its name if it has one). */
  canSwitch(address: string, outlet: string, name: string | undefined): boolean {
    return [...this.nodes.values()].some((n) => {
      if (n.address !== address || !n.allowed || n.guard.dryRun) return false;
      try {
        // The guards of a dry run: allowlist and protection, not the rate limit (a switch stays a switch while it waits).
        n.guard.check({ key: Number(outlet), name }, Date.now(), true);
        return true;
      } catch {
        return false;
      }
    });
  }
}

/** One per Node-RED runtime. */
export const outletSwitches = new OutletSwitches();
