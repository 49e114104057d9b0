// What every rackpower node but the config nodes shares (the device nodes, alarm, budget, shutdown, standby, the
// integrations, outlet and ups-command, the trap receiver): settings migrated to the current version (migrations.ts).
// A refused setting is shown under the node and sent as a catchable CONFIG error once flows have started: status and
// catch nodes are wired up only then.
// Every cleanup the node registered runs on close, each on its own, and done() always follows, so a refused or
// failing node never stalls a redeploy or leaves a timer behind.
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { asRackpowerError } from '../../src/errors';
import { migrated } from './migrations';
import { reportError } from './report-error';

/** Longest error text shown under a node; the whole message goes with the error. */
const MAX_STATUS = 60;

/** Per runtime: whether the nodes of the current deploy are all built and wired (flows:started came). */
const flows = new WeakMap<NodeAPI['events'], { started: boolean }>();

function flowState(RED: NodeAPI): { started: boolean } {
  let state = flows.get(RED.events);
  if (!state) {
    const s = { started: false };
    RED.events.on('flows:starting', () => (s.started = false));
    RED.events.on('flows:started', () => (s.started = true));
    flows.set(RED.events, (state = s));
  }
  return state;
}

export interface NodeSetup {
  /**
   * Refuses a setting: `status` (default: the error's message) under the node and the error, code CONFIG unless it
   * has its own, to catch nodes, once flows have started (at once if they have). Throwing from the node's start
   * function does the same.
   */
  refuse(error: unknown, status?: string): void;
  /** Runs on close (the latest registered first); what it throws is logged as a warning. */
  onClose(cleanup: (removed: boolean) => void | Promise<void>): void;
}

export type NodeStart<D extends NodeDef, C extends object> = (this: Node<C>, def: D, setup: NodeSetup) => void;

export function registerNode<D extends NodeDef, C extends object = object>(
  RED: NodeAPI,
  type: string,
  start: NodeStart<D, C>,
  options: { credentials?: Record<keyof C, { type: 'text' | 'password' }> } = {},
): void {
  const state = flowState(RED);
  RED.nodes.registerType<Node<C>, D, object, C>(
    type,
    function (this: Node<C>, def: D) {
      RED.nodes.createNode(this, def);
      const cleanups: ((removed: boolean) => void | Promise<void>)[] = [];
      const setup: NodeSetup = {
        refuse: (err, status) => {
          const error = asRackpowerError(err, 'CONFIG');
          const report = (): void => {
            this.status({ fill: 'red', shape: 'ring', text: status ?? error.message.slice(0, MAX_STATUS) });
            reportError(this, error);
          };
          // A refusal found later (a port taken while binding) is reported at once when the flows are running.
          if (state.started) return report();
          RED.events.once('flows:started', report);
          cleanups.push(() => void RED.events.off('flows:started', report));
        },
        onClose: (cleanup) => void cleanups.push(cleanup),
      };
      this.on('close', (removed: boolean, done: () => void) => {
        void (async () => {
          for (const cleanup of cleanups.splice(0).reverse()) {
            try {
              await cleanup(removed);
            } catch (err) {
              this.warn(`close: ${err instanceof Error ? err.message : String(err)}`);
            }
          }
        })().finally(done);
      });
      try {
        // Saved flows of any version: the node reads the current shape (migrations.ts).
        start.call(this, migrated(def), setup);
      } catch (err) {
        setup.refuse(err);
      }
    },
    options as never,
  );
}
