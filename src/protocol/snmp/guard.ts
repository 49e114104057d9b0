// net-snmp decodes and dispatches each datagram inside a socket's 'message' listener, and some datagrams make it
// throw there (a v1/v2c Report PDU in a session reads v3 security fields that do not exist): an uncaught exception
// would end the process. This wraps the listeners a net-snmp object installed so such a throw becomes a report.
import type dgram from 'node:dgram';

export function guardMessageListeners(socket: dgram.Socket | undefined, onThrow: (err: Error) => void): void {
  if (!socket) throw new Error('net-snmp object without a socket: the message guard cannot be installed');
  for (const listener of socket.listeners('message') as ((...args: unknown[]) => void)[]) {
    socket.off('message', listener);
    socket.on('message', (...args: unknown[]) => {
      try {
        listener(...args);
      } catch (err) {
        onThrow(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }
}
