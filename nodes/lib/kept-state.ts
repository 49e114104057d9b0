// State a node keeps across restarts and redeploys in Node-RED's context: in its flow's context under the node's id,
// because Node-RED deletes a node's own context whenever the node closes (a redeploy included) unless a context
// store is configured. The default memory store survives a redeploy, not a restart; a persistent store
// (localfilesystem) survives both. The asynchronous API works with every store, cached or not.
import type { Node } from 'node-red';

export class KeptState {
  private readonly key: string;
  private readonly context: ReturnType<Node['context']>['flow'];
  private readonly store: string | undefined;

  /** `store`: a context store named in settings.js; blank: the default store. */
  constructor(
    private readonly node: Node,
    prefix: string,
    store?: string,
  ) {
    this.store = store?.trim() || undefined;
    this.key = prefix + node.id;
    this.context = node.context().flow;
  }

  /** What was kept, or undefined (nothing kept, or the store failed: said in the log). */
  load(): Promise<unknown> {
    return new Promise((resolve) => {
      this.context.get(this.key, this.store, (err: Error | undefined, value: unknown) => {
        if (err) this.node.warn(`context store: ${err.message}`);
        resolve(err ? undefined : value);
      });
    });
  }

  /** Kept at once in memory; a persistent store writes it out on its own schedule (localfilesystem: flushInterval). */
  save(value: unknown): void {
    this.context.set(this.key, value, this.store, (err?: Error) => {
      if (err) this.node.error(`context store: ${err.message}`);
    });
  }

  /** The node was deleted: its state goes with it. */
  drop(): void {
    this.save(undefined);
  }
}
