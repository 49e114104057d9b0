// The names of the running device nodes' devices. Two devices with one name publish to one topic, one Home
// Assistant device and one series, overwriting each other: each node holding a shared name is told, so it can say
// so under itself, and told again when the other one goes. Nodes reading the same device (same address) under one
// name, as imported example flows do, publish the same thing: not a collision.
import { nameKey } from '../../src/device-name';

/** Hears how many other devices (other addresses) carry the name, now and on every change. */
type Listener = (others: number) => void;
interface Holder {
  address: string;
  listener: Listener;
}

interface Holder {
  address: string;
  listener: Listener;
}

export class DeviceNames {
  private readonly holders = new Map<string, Map<string, Holder>>();

  /** Claims a name for a node's device at `address`; returns the release. */
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
    for (const h of all) h.listener(new Set(all.filter((o) => o.address !== h.address).map((o) => o.address)).size);
  }
}

/** One per Node-RED runtime: device nodes of every flow share the topics. */
export const deviceNames = new DeviceNames();
