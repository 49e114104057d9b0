// The input side the output nodes (Home Assistant, Prometheus, InfluxDB) share: the commands each one handles
// (msg.remove, msg.forget, msg.add: src/normalize/input.ts), readings and events of a described device, and the
// node's own `errors.notReading` for anything else.
import type { Node, NodeAPI, NodeMessageInFlow } from 'node-red';
import { outputInput, type Input } from '../../src/integrations/input';
import { parseMessage } from '../../src/normalize/input';

type Command = (device: string | undefined) => void;

export interface OutputHandlers {
  /** Checked first: true when it handled the message itself (Home Assistant's birth message). */
  own?(msg: NodeMessageInFlow): boolean;
  remove?: Command;
  forget?: Command;
  add?: Command;
  input(input: Input, send: (msg: NodeMessageInFlow) => void, msg: NodeMessageInFlow): void;
}

export function onOutputInput(RED: NodeAPI, node: Node, handlers: OutputHandlers): void {
  node.on('input', (msg, send, done) => {
    if (handlers.own?.(msg)) return done();
    const message = parseMessage(msg);
    if (message?.type === 'remove' || message?.type === 'forget' || message?.type === 'add') {
      const command = handlers[message.type];
      if (command) {
        command(message.device);
        return done();
      }
    }
    const input = outputInput(message);
    if (!input) return done(new Error(RED._(`${node.type}.errors.notReading`)));
    handlers.input(input, send as (msg: NodeMessageInFlow) => void, msg);
    done();
  });
}
