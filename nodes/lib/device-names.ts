// The names of the running device nodes' devices. Two devices with one name publish to one topic, one Home
// Assistant device and one series, overwriting each other: each node holding a shared name is told, so it can say
// so under itself, and told again when the other one goes. Nodes reading the same address under one name (a user who
// imported several examples) publish the same device's values: no collision.
import { nameKey } from '../../src/device-name';

type Listener = (others: number) => void;
interface Holder {
  address: string;
  listener: Listener;
}

export class DeviceNames {
  private readonly holders = new Map<string, Map<string, Holder>>();

  /**
   * Claims a name for a node reading `address`; `listener` hears how many nodes hold it for another address, now and
   * on every change.
   */
  claim(name: string, address: string, nodeId: string, listener: Listener): () => void {
    const key = nameKey(name);
    const holders = this.holders.get(key) ?? new Map<string, Holder>();
    this.holders.set(key, holders);
    const holder = { address, listener };
    holders.set(nodeId, holder);
    this.notify(holders);
    return () => {
      if (holders.get(nodeId) !== holder) return;
      holders.delete(nodeId);
      if (holders.size) this.notify(holders);
      else this.holders.delete(key);
    };
  }

  private notify(holders: Map<string, Holder>): void {
    const all = [...holders.values()];
    for (const { address, listener } of all) listener(all.filter((h) => h.address !== address).length);
  }
}

/** One per Node-RED runtime: device nodes of every flow share the topics. */
export const deviceNames = new DeviceNames();
