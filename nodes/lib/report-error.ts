// A catchable error with its code, as every rackpower node reports one (device nodes: controller.ts; the others:
// register.ts).
import type { NodeMessage } from 'node-red';
import type { ErrorCode } from '../../src/types';

/**
 * node.error(err, msg) hands `err.code` to a Catch node as msg.error.code (Node-RED copies an own `code`), and the
 * msg carries {code, message} for flows that inspect it directly. A fresh Error: the engine's cause is no one's API.
 */
export function reportError(out: { error(err: Error, msg: NodeMessage): void }, error: { code: ErrorCode; message: string }, extra: NodeMessage = {}): void {
  out.error(Object.assign(new Error(error.message), { code: error.code }), { ...extra, error: { code: error.code, message: error.message } });
}
