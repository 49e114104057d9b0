// apcupsd's Network Information Server (NIS, TCP 3551), as apcaccess speaks it: every message in either direction
// is a 2-byte big-endian length and that many bytes; the client sends `status` (or `events`), the server answers one
// line per message and ends with an empty message. apcupsd offers no control over NIS, so this client only reads.
// One connection per request, like apcaccess: apcupsd serves each client briefly, and nothing is held between polls.
import net from 'node:net';
import { RackpowerError } from '../../errors';

export interface NisEndpoint {
  host: string;
  /** Default 3551. */
  port: number;
  timeoutMs: number;
}

export const NIS_DEFAULT_PORT = 3551;
/** apcupsd's status has ~60 lines and its event log keeps ~50; far more than this is not apcupsd. */
const MAX_LINES = 2000;

/** Sends one request and collects the reply's lines (without their line ends). */
export function nisRequest(endpoint: NisEndpoint, request: 'status' | 'events'): Promise<string[]> {
  const where = `apcupsd://${endpoint.host}:${endpoint.port}`;
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: endpoint.host, port: endpoint.port });
    let buffer = Buffer.alloc(0);
    const lines: string[] = [];
    let settled = false;
    const finish = (err: RackpowerError | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(lines);
    };
    const timer = setTimeout(() => finish(new RackpowerError('TIMEOUT', `no complete answer from ${where} within ${endpoint.timeoutMs} ms`)), endpoint.timeoutMs);
    socket.once('connect', () => {
      const body = Buffer.from(request, 'ascii');
      const head = Buffer.alloc(2);
      head.writeUInt16BE(body.length);
      socket.write(Buffer.concat([head, body]));
    });
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      while (buffer.length >= 2) {
        const length = buffer.readUInt16BE(0);
        if (buffer.length < 2 + length) break;
        const message = buffer.subarray(2, 2 + length).toString('latin1');
        buffer = buffer.subarray(2 + length);
        if (length === 0) {
          finish(undefined);
          return;
        }
        lines.push(message.replace(/\r?\n$/u, ''));
        if (lines.length > MAX_LINES) {
          finish(new RackpowerError('PROTOCOL', `${where} sent more than ${MAX_LINES} lines: not apcupsd`));
          return;
        }
      }
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      finish(new RackpowerError(err.code === 'ETIMEDOUT' ? 'TIMEOUT' : 'UNREACHABLE', `${where}: ${err.message}`, { cause: err }));
    });
    socket.once('close', () => finish(new RackpowerError('PROTOCOL', `${where} closed the connection before the end of its answer`)));
  });
}

/** `KEY      : value unit` lines → key → value text (keys as apcupsd spells them, `END APC` included). */
export function parseStatus(lines: string[]): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim();
    if (!/^[A-Z][A-Z0-9 ]{0,15}$/u.test(key)) continue;
    fields.set(key, line.slice(colon + 1).trim());
  }
  return fields;
}
