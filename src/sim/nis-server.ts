// The simulated UPS served the way apcupsd's Network Information Server serves a USB UPS (TCP 3551, 2-byte
// big-endian length-prefixed messages, `status` and `events`), from the same model as its SNMP agent and NUT server.
import net from 'node:net';
import { APCUPSD_FIELDS } from '../normalize/apcupsd';
import { unitOf } from '../normalize/quantities';
import { unconvertUnit } from '../normalize/transform';
import type { Values } from '../types';
import type { DeviceSource } from './types';

export interface NisServerOptions {
  host: string;
  /** 0: a free port. */
  port: number;
  /** The status text lines to serve; a source's values are turned into them by apcupsdStatus(). */
  status: () => string[];
  events?: () => string[];
}

export interface RunningNisServer {
  port: number;
  close(): Promise<void>;
}

/** apcaccess's words for NUT's units (normalize/quantities.ts); runtimes are shown in minutes. */
const UNIT_WORDS: Record<string, string> = { V: 'Volts', '%': 'Percent', W: 'Watts', VA: 'VA', Hz: 'Hz', s: 'Seconds', '°C': 'C' };

function unitWord(name: string, value: number | string, kind: string): string {
  if (kind === 'minutes') return 'Minutes';
  return UNIT_WORDS[unitOf(name, value)] ?? '';
}

const STATUS_WORDS: Record<string, string> = { OL: 'ONLINE', OB: 'ONBATT', LB: 'LOWBATT', CAL: 'CAL', TRIM: 'TRIM', BOOST: 'BOOST', OVER: 'OVERLOAD', RB: 'REPLACEBATT', FSD: 'SHUTTING DOWN' };

/** NUT values → apcupsd status lines (`KEY      : value unit`), as apcaccess prints them; comms-lost gives COMMLOST. */
export function apcupsdStatus(source: DeviceSource, now = new Date()): string[] {
  const stamp = now.toISOString().replace('T', ' ').replace(/\.\d+Z$/u, ' +0000');
  const line = (key: string, value: string): string => `${key.padEnd(9)}: ${value}`;
  const lines = [line('APC', '001,036,0900'), line('DATE', stamp), line('VERSION', '3.14.14 (31 May 2016) rackpower-sim')];
  if (source.fault()) {
    lines.push(line('STATUS', 'COMMLOST'));
  } else {
    // apcupsd has one MODEL and SERIALNO: the UPS's, or the device's where the model has only those.
    const raw = source.values();
    const values: Values = { ...raw, 'ups.model': raw['ups.model'] ?? raw['device.model'], 'ups.serial': raw['ups.serial'] ?? raw['device.serial'] };
    if (values['ups.model'] === undefined) delete values['ups.model'];
    if (values['ups.serial'] === undefined) delete values['ups.serial'];
    const status = String(values['ups.status'] ?? '').split(/\s+/u).map((t) => STATUS_WORDS[t]).filter(Boolean);
    lines.push(line('STATUS', status.join(' ') || 'ONLINE'));
    for (const [field, name, kind] of APCUPSD_FIELDS) {
      const v = values[name];
      if (v === undefined) continue;
      const shown = kind === 'minutes' ? unconvertUnit(Number(v), 'minutes-to-s').toFixed(1) : typeof v === 'number' ? v.toFixed(1) : String(v);
      const unit = typeof v === 'number' ? unitWord(name, v, kind) : '';
      lines.push(line(field, unit ? `${shown} ${unit}` : shown));
    }
  }
  lines.push(line('END APC', stamp));
  return lines;
}

function frame(text: string): Buffer {
  const body = Buffer.from(text, 'latin1');
  const head = Buffer.alloc(2);
  head.writeUInt16BE(body.length);
  return Buffer.concat([head, body]);
}

export function startNisServer(options: NisServerOptions): Promise<RunningNisServer> {
  const sockets = new Set<net.Socket>();
  const serve = (socket: net.Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      while (buffer.length >= 2 && buffer.length >= 2 + buffer.readUInt16BE(0)) {
        const length = buffer.readUInt16BE(0);
        const request = buffer.subarray(2, 2 + length).toString('latin1').trim();
        buffer = buffer.subarray(2 + length);
        const lines = request === 'status' ? options.status() : request === 'events' ? (options.events?.() ?? []) : ['Invalid command'];
        socket.write(Buffer.concat([...lines.map((l) => frame(`${l}\n`)), frame('')]));
      }
      if (buffer.length > 1024) socket.destroy();
    });
  };
  return new Promise((resolve, reject) => {
    const server = net.createServer(serve);
    server.once('error', reject);
    server.listen(options.port, options.host, () =>
      resolve({
        port: (server.address() as net.AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            sockets.forEach((s) => s.destroy());
            server.close(() => done());
          }),
      }),
    );
  });
}
