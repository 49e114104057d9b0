// The simulated UPS served the way upsd serves a USB UPS (NUT network protocol, RFC 9271), from the same model as its
// SNMP agent: upsc, upsmon, Home Assistant's NUT integration and rackpower's nut:// all read it. Instant commands
// (beeper, battery test, shutdown with return) act on the model when a user logged in; comms-lost answers DATA-STALE,
// garbage a garbled line.
import net from 'node:net';
import { randomUUID } from 'node:crypto';
import type { Ups } from './devices/ups';
import type { SimModel } from './model';
import type { DeviceSource } from './types';
import { quote, splitLine } from '../protocol/nut/line';

export interface NutServerUnit {
  name: string;
  description: string;
  source: DeviceSource;
  /** The model and device name, for instant commands; absent: the UPS offers none. */
  control?: { model: SimModel; name: string };
}

export interface NutServerOptions {
  host: string;
  /** 0: a free port. */
  port: number;
  units: NutServerUnit[];
  /** Users allowed INSTCMD (name → password); default `admin` / `admin`. */
  users?: Record<string, string>;
}

export interface RunningNutServer {
  port: number;
  /** INSTCMDs carried out so far (a dry run must leave this unchanged). */
  commands(): number;
  close(): Promise<void>;
}

/** What each instant command does to the simulated UPS; `param` is the delay for shutdown.return. */
const COMMANDS: Record<string, (ups: Ups, param: string | undefined) => boolean> = {
  'beeper.enable': (u) => ((u.audible = 2), true),
  'beeper.disable': (u) => ((u.audible = 1), true),
  'beeper.mute': (u) => ((u.audible = 3), true),
  'test.battery.start': () => true,
  'shutdown.return': (u, param) => {
    const delay = param === undefined ? 20 : Number(param);
    if (!Number.isInteger(delay) || delay < 0) return false;
    u.autoRestart = true;
    u.shutdownCountdown = delay;
    return true;
  },
  'shutdown.stop': (u) => ((u.shutdownCountdown = -1), true),
};

const text = (v: unknown): string => (typeof v === 'number' ? String(v) : String(v ?? ''));

export function startNutServer(options: NutServerOptions): Promise<RunningNutServer> {
  const users = options.users ?? { admin: 'admin' };
  const units = new Map(options.units.map((u) => [u.name, u]));
  const logins = new Map<string, number>();
  const tracking = new Map<string, string>();
  const sockets = new Set<net.Socket>();
  let commands = 0;

  const serve = (socket: net.Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.setEncoding('utf8');
    let buffer = '';
    let user: string | undefined;
    let authed = false;
    let track = false;
    const loggedIn = new Set<string>();
    socket.on('close', () => loggedIn.forEach((u) => logins.set(u, (logins.get(u) ?? 1) - 1)));
    const reply = (...lines: string[]): void => void socket.write(lines.map((l) => `${l}\n`).join(''));
    const unit = (name: string | undefined): NutServerUnit | undefined => (name ? units.get(name) : undefined);
    /** The UPS's values, or the ERR upsd would answer instead. */
    const values = (name: string | undefined): Record<string, unknown> | string => {
      const u = unit(name);
      if (!u) return 'ERR UNKNOWN-UPS';
      const fault = u.source.fault();
      // A garbled reply (an unterminated quote, then noise), as a failing link or a broken proxy would send it.
      if (fault === 'garbage') return `VAR ${name} ups.status "O\u0000\u00ff\nEND LIST`;
      if (fault) return 'ERR DATA-STALE';
      return u.source.values();
    };
    const handle = (w: string[]): void => {
      const [verb, a, b, c] = w;
      switch (verb) {
        case 'LIST': {
          if (a === 'UPS') return reply('BEGIN LIST UPS', ...[...units.values()].map((u) => `UPS ${u.name} ${quote(u.description)}`), 'END LIST UPS');
          if (a === 'VAR' || a === 'RW' || a === 'CMD') {
            const v = values(b);
            if (typeof v === 'string') return reply(v);
            const u = unit(b)!;
            const rows =
              a === 'VAR'
                ? Object.entries(v).map(([k, x]) => `VAR ${b} ${k} ${quote(text(x))}`)
                : a === 'CMD' && u.control
                  ? Object.keys(COMMANDS).map((k) => `CMD ${b} ${k}`)
                  : [];
            return reply(`BEGIN LIST ${a} ${b}`, ...rows, `END LIST ${a} ${b}`);
          }
          return reply('ERR INVALID-ARGUMENT');
        }
        case 'GET': {
          if (a === 'VAR') {
            const v = values(b);
            if (typeof v === 'string') return reply(v);
            return c !== undefined && c in v ? reply(`VAR ${b} ${c} ${quote(text(v[c]))}`) : reply('ERR VAR-NOT-SUPPORTED');
          }
          if (a === 'UPSDESC') return unit(b) ? reply(`UPSDESC ${b} ${quote(unit(b)!.description)}`) : reply('ERR UNKNOWN-UPS');
          if (a === 'NUMLOGINS') return unit(b) ? reply(`NUMLOGINS ${b} ${logins.get(b!) ?? 0}`) : reply('ERR UNKNOWN-UPS');
          if (a === 'TRACKING') return b === undefined ? reply(track ? 'ON' : 'OFF') : reply(tracking.get(b) ?? 'ERR UNKNOWN');
          return reply('ERR INVALID-ARGUMENT');
        }
        case 'USERNAME':
          if (user !== undefined) return reply('ERR USERNAME-SENT');
          user = a;
          return reply('OK');
        case 'PASSWORD':
          if (user === undefined) return reply('ERR USERNAME-REQUIRED');
          if (users[user] !== a) return reply('ERR ACCESS-DENIED');
          authed = true;
          return reply('OK');
        case 'SET':
          if (a === 'TRACKING') {
            if (!authed) return reply('ERR USERNAME-REQUIRED');
            track = b === 'ON';
            return reply('OK');
          }
          return reply(authed ? 'ERR READONLY' : 'ERR USERNAME-REQUIRED');
        case 'LOGIN':
          if (!authed) return reply('ERR USERNAME-REQUIRED');
          if (!unit(a)) return reply('ERR UNKNOWN-UPS');
          if (loggedIn.has(a)) return reply('ERR ALREADY-LOGGED-IN');
          loggedIn.add(a);
          logins.set(a, (logins.get(a) ?? 0) + 1);
          return reply('OK');
        case 'INSTCMD': {
          if (!authed) return reply('ERR USERNAME-REQUIRED');
          const u = unit(a);
          if (!u) return reply('ERR UNKNOWN-UPS');
          const act = b === undefined ? undefined : COMMANDS[b];
          if (!u.control || !act) return reply('ERR CMD-NOT-SUPPORTED');
          const { model, name } = u.control;
          const ok = model.control(name, (x) => act(x as Ups, c));
          if (ok) commands++;
          if (!track) return reply(ok ? 'OK' : 'ERR INVALID-ARGUMENT');
          const id = randomUUID().toUpperCase();
          tracking.set(id, ok ? 'SUCCESS' : 'ERR INVALID-ARGUMENT');
          return reply(`OK TRACKING ${id}`);
        }
        case 'STARTTLS':
          return reply('ERR FEATURE-NOT-CONFIGURED');
        case 'LOGOUT':
          reply('OK Goodbye');
          socket.end();
          return;
        default:
          return reply('ERR UNKNOWN-COMMAND');
      }
    };
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const words = splitLine(buffer.slice(0, nl).replace(/\r$/u, ''));
        buffer = buffer.slice(nl + 1);
        if (!words) reply('ERR INVALID-ARGUMENT');
        else if (words.length) handle(words);
      }
      if (buffer.length > 4096) socket.destroy();
    });
  };

  return new Promise((resolve, reject) => {
    const server = net.createServer(serve);
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      resolve({
        port: (server.address() as net.AddressInfo).port,
        commands: () => commands,
        close: () =>
          new Promise<void>((done) => {
            sockets.forEach((s) => s.destroy());
            server.close(() => done());
          }),
      });
    });
  });
}
