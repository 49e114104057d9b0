// Node-RED waits for done() before it redeploys; a close that throws or never calls done() stalls every redeploy.
import type { Node } from 'node-red';

/** Runs `cleanup` on close, logs what it throws, and always calls done(). */
export function closeWith(node: Node, cleanup: () => Promise<void>): void {
  node.on('close', (_removed: boolean, done: () => void) => {
    cleanup()
      .catch((err: unknown) => node.warn(`close: ${err instanceof Error ? err.message : String(err)}`))
      .finally(done);
  });
}
