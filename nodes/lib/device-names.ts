// The names of the running device nodes' devices. Two devices with one name publish to one topic, one Home
// Assistant device and one series, overwriting each other: each node holding a shared name is told, so it can say
// so under itself, and told again when the other one goes.
import { nameKey } from '../../src/device-name';

type Listener = (others: number) => void;

export class DeviceNames {
  private readonly holders = new Map<string, Map<string, Listener>>();

  /** Claims a name for a node; `listener` hears how many other nodes hold it, now and on every change. */
  claim(name: string, nodeId: string, listener: Listener): () => void {
    const key = nameKey(name);
    const holders = this.holders.get(key) ?? new Map<string, Listener>();
    this.holders.set(key, holders);
    holders.set(nodeId, listener);
    this.notify(holders);
    return () => {
      if (holders.get(nodeId) !== listener) return;
      holders.delete(nodeId);
      if (holders.size) this.notify(holders);
      else this.holders.delete(key);
    };
  }

  private notify(holders: Map<string, Listener>): void {
    for (const listener of [...holders.values()]) listener(holders.size - 1);
  }
}

/** One per Node-RED runtime: device nodes of every flow share the topics. */
export const deviceNames = new DeviceNames();
