// Battery history and energy counters kept in the node's context, so they survive redeploys and, with a persistent
// context store configured in settings.js (contextStorage: localfilesystem), restarts of Node-RED.
//
// Without a configured store Node-RED deletes a node's context whenever the node closes, redeploys included, and a
// store may answer only by callback: so every value is also kept in this process, by node id, and read from there
// when the context has nothing. A redeploy then never sends an energy counter backwards.
import type { Node } from 'node-red';
import type { StateStore } from '../../src/battery/tracker';

const kept = new Map<string, Map<string, unknown>>();

/** `warn` is told once, with the store's error message, when the context store cannot be used synchronously. */
export function contextStore(node: Node, warn: (error: string) => void): StateStore {
  let memory = kept.get(node.id);
  if (!memory) kept.set(node.id, (memory = new Map()));
  const local = memory;
  let synchronous = true;
  const fallback = (err: unknown): void => {
    if (!synchronous) return;
    synchronous = false;
    warn((err as Error).message);
  };
  return {
    get: (key) => {
      if (synchronous) {
        try {
          const value: unknown = node.context().get(key);
          if (value !== undefined) return value;
        } catch (err) {
          fallback(err);
        }
      }
      return local.get(key);
    },
    set: (key, value) => {
      local.set(key, value);
      if (!synchronous) return;
      try {
        node.context().set(key, value);
      } catch (err) {
        fallback(err);
      }
    },
  };
}

/** A node deleted from the flows: its state goes with it. */
export function forgetContext(id: string): void {
  kept.delete(id);
}
