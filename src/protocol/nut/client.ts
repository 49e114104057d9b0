// A client of NUT's network protocol (RFC 9271), as upsc/upscmd/upsmon speak it to upsd on TCP 3493. One persistent
// connection per server, shared by every UPS read through it: requests go one at a time (upsd answers in order, and a
// lost or garbled reply then costs only that request), any fault drops the connection so the next request starts
// clean, and reconnecting backs off while the server stays down. Optional STARTTLS (verified, pinned or unchecked),
// USERNAME/PASSWORD, SET TRACKING ON for commands, and LOGIN as a secondary so upsd counts this host.
import { createHash } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { RackpowerError } from '../../errors';
import { NutReplyError, replyError } from './errors';
import { isPlainWord, quote, splitLine } from './line';
import { LineReader, type LineTaker, listRows } from './line-reader';

export type NutTls = 'off' | 'verify' | 'pin' | 'skip';

export interface NutEndpoint {
  host: string;
  /** Default 3493. */
  port: number;
  /** STARTTLS: off; verify the certificate against the system CAs (or `ca`); pin its SHA-256 fingerprint; skip checks. */
  tls: NutTls;
  /** For `pin`: the certificate's SHA-256 fingerprint, hex with or without colons. */
  fingerprint?: string;
  /** For `verify`: extra trusted CA certificates (PEM), e.g. a home CA. */
  ca?: string;
  username?: string;
  password?: string;
  /** Per request (a LIST counts as one). */
  timeoutMs: number;
}

export const NUT_DEFAULT_PORT = 3493;
export const NUT_DEFAULTS = { port: NUT_DEFAULT_PORT, tls: 'off' as NutTls, timeoutMs: 5000 };

const BACKOFF_FIRST_MS = 1000;
const BACKOFF_MAX_MS = 30_000;
/** How often GET TRACKING asks while a command is PENDING. */
const TRACKING_POLL_MS = 200;

export interface TrackedResult {
  /** upsd's tracking id, absent when upsd does not track (older upsd, or not logged in). */
  id?: string;
  /** SUCCESS; PENDING when the wait ran out; the driver's verdict otherwise arrives as a NutReplyError. */
  status: 'SUCCESS' | 'PENDING' | 'UNTRACKED';
}

interface Connection {
  socket: net.Socket;
  reader: LineReader;
}

export class NutClient {
  private connection: Connection | undefined;
  private connecting: Promise<Connection> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private failures = 0;
  private retryAt = 0;
  private lastError: RackpowerError | undefined;
  /** The UPS this connection is logged in to as a secondary (at most one: see login()). */
  private readonly logins = new Set<string>();
  private closed = false;
  private requests = 0;

  constructor(
    readonly endpoint: NutEndpoint,
    private readonly now: () => number = Date.now,
  ) {}

  /** Where, without secrets: `nut://monuser@10.0.0.5:3493`. */
  describe(): string {
    const user = this.endpoint.username ? `${encodeURIComponent(this.endpoint.username)}@` : '';
    const host = this.endpoint.host.includes(':') ? `[${this.endpoint.host}]` : this.endpoint.host;
    return `nut://${user}${host}:${this.endpoint.port}`;
  }

  /** Requests sent so far (each LIST is one). */
  get requestCount(): number {
    return this.requests;
  }

  /** `LIST UPS`: name → description. */
  async listUps(): Promise<Map<string, string>> {
    return this.listPairs(['UPS']);
  }

  /** `LIST VAR <ups>`: every variable with its value, as text. */
  async listVar(ups: string): Promise<Map<string, string>> {
    return this.listPairs(['VAR', ups]);
  }

  /**
   * `LIST VAR <ups>`, each variable handed to `variable` as its row is read, for a caller that builds its own record
   * (no Map in between). When the list then fails, what it was handed is no reply: the promise rejects.
   */
  eachVar(ups: string, variable: (name: string, value: string) => void): Promise<void> {
    return this.list(['VAR', ups], (w) => variable(w[0], w[1] ?? ''));
  }

  /** `LIST RW <ups>`: the variables that may be set, with their values. */
  async listRw(ups: string): Promise<Map<string, string>> {
    return this.listPairs(['RW', ups]);
  }

  /** `LIST CMD <ups>`: the instant commands the driver offers. */
  async listCmd(ups: string): Promise<string[]> {
    const commands: string[] = [];
    await this.list(['CMD', ups], (w) => commands.push(w[0]));
    return commands;
  }

  /** `GET VAR <ups> <name>`. */
  async getVar(ups: string, name: string): Promise<string> {
    const words = await this.single(['GET', 'VAR', ups, name], ['VAR', ups, name]);
    return words[3] ?? '';
  }

  /** `INSTCMD <ups> <cmd> [param]`, then its outcome from GET TRACKING when upsd tracks it (up to `waitMs`). */
  async instcmd(ups: string, command: string, param?: string, waitMs = 10_000): Promise<TrackedResult> {
    const args = ['INSTCMD', word(ups), word(command)];
    if (param !== undefined) args.push(quote(value(param)));
    return this.tracked(args.join(' '), `INSTCMD ${ups} ${command}`, waitMs);
  }

  /** `SET VAR <ups> <name> "<value>"`, then its outcome like instcmd(). */
  async setVar(ups: string, name: string, text: string, waitMs = 10_000): Promise<TrackedResult> {
    return this.tracked(`SET VAR ${word(ups)} ${word(name)} ${quote(value(text))}`, `SET VAR ${ups} ${name}`, waitMs);
  }

  /**
   * `LOGIN <ups>` as a secondary (upsd counts it in NUMLOGINS and a primary waits for it before powering off);
   * repeated after every reconnect. Needs a user with the `upsmon secondary` role. upsd keeps one LOGIN per
   * connection, so a client logs in to one UPS at most (upsmon, too, opens one connection per UPS it watches).
   */
  async login(ups: string): Promise<void> {
    const other = [...this.logins].find((u) => u !== ups);
    if (other) throw new RackpowerError('CONFIG', `this connection is logged in to ${other}: upsd counts one LOGIN per connection`);
    this.logins.add(word(ups));
    await this.enqueue(async (c) => {
      try {
        await this.loginOn(c, ups);
      } catch (err) {
        // Refused (no upsmon role): every request on a new connection will be, as the LOGIN comes first there. So
        // this one goes too, and reads fail with the reason rather than run without the secondary that was asked for.
        this.fault(c, err as Error);
        throw err;
      }
    });
  }

  /** Stops counting as a secondary of `ups`: NUT's LOGOUT ends the connection; the next request opens a new one. */
  async logout(ups: string): Promise<void> {
    if (!this.logins.delete(ups)) return;
    await this.enqueue(async (c) => {
      c.socket.end('LOGOUT\n');
      this.drop(c);
    });
  }

  /** `GET NUMLOGINS <ups>`. */
  async numLogins(ups: string): Promise<number> {
    const words = await this.single(['GET', 'NUMLOGINS', ups], ['NUMLOGINS', ups]);
    return Number(words[2]);
  }

  /** Ends the connection (LOGOUT first, politely) and refuses further requests. */
  async close(): Promise<void> {
    this.closed = true;
    const c = this.connection;
    await this.queue.catch(() => undefined);
    if (!c || c.socket.destroyed) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => c.socket.destroy(), 1000);
      c.socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      c.socket.end('LOGOUT\n');
    });
    this.drop(c);
  }

  // ---- requests ----

  /** A LIST whose rows are name and value. */
  private async listPairs(args: string[]): Promise<Map<string, string>> {
    const pairs = new Map<string, string>();
    await this.list(args, (w) => pairs.set(w[0], w[1] ?? ''));
    return pairs;
  }

  /** `LIST <args>`: each row's words after the list's own (`VAR ups1 battery.charge "93"` → name, value) to `row`. */
  private async list(args: string[], row: (words: string[]) => void): Promise<void> {
    const what = `LIST ${args.map(word).join(' ')}`;
    const rows = (c: Connection): LineTaker<true> => listRows(args, row, (line) => this.garbled(c, what, line));
    await this.enqueue((c) => this.send(c, what).then(() => c.reader.read(rows(c))));
  }

  /** A one-line request whose reply starts with `expect`. */
  private async single(args: string[], expect: string[]): Promise<string[]> {
    const text = args.map(word).join(' ');
    return this.enqueue(async (c) => {
      await this.send(c, text);
      const line = await c.reader.next();
      const err = replyError(line, text);
      if (err) throw err;
      const words = splitLine(line);
      if (!words || words.slice(0, expect.length).join(' ') !== expect.join(' ')) throw this.garbled(c, text, line);
      return words;
    });
  }

  private async tracked(line: string, what: string, waitMs: number): Promise<TrackedResult> {
    const id = await this.enqueue(async (c) => {
      await this.send(c, line);
      const reply = await c.reader.next();
      const err = replyError(reply, what);
      if (err) throw err;
      const m = /^OK(?: TRACKING (\S+))?$/u.exec(reply);
      if (!m) throw this.garbled(c, what, reply);
      return m[1];
    });
    if (!id) return { status: 'UNTRACKED' };
    const until = this.now() + waitMs;
    for (;;) {
      const words = await this.enqueue(async (c) => {
        await this.send(c, `GET TRACKING ${id}`);
        return c.reader.next();
      });
      if (words === 'SUCCESS') return { id, status: 'SUCCESS' };
      const err = replyError(words, what);
      if (err) throw err; // the driver's verdict: ERR INSTCMD-FAILED, ERR UNKNOWN ...
      if (words !== 'PENDING') throw new RackpowerError('PROTOCOL', `${what}: GET TRACKING answered "${words.slice(0, 80)}"`);
      if (this.now() >= until) return { id, status: 'PENDING' };
      await new Promise((r) => setTimeout(r, TRACKING_POLL_MS));
    }
  }

  /** Runs `work` on the connection when the requests before it are done; a fault drops the connection. */
  private enqueue<T>(work: (c: Connection) => Promise<T>): Promise<T> {
    const go = (): Promise<T> => this.run(work);
    // After the request before it, whatever that one's outcome.
    const run = this.queue.then(go, go);
    this.queue = run;
    return run;
  }

  private async run<T>(work: (c: Connection) => Promise<T>): Promise<T> {
    // An open connection (the usual case) is taken without a turn through connect()'s promise.
    const open = this.connection;
    const c = open && !open.socket.destroyed && !this.closed ? open : await this.connect();
    const timer = setTimeout(
      () => this.fault(c, new RackpowerError('TIMEOUT', `no answer from upsd at ${this.describe()} within ${this.endpoint.timeoutMs} ms`)),
      this.endpoint.timeoutMs,
    );
    try {
      const result = await work(c);
      // Lines nobody asked for mean we and upsd disagree about where a reply ends: start over.
      if (c.reader.pending) this.fault(c, new RackpowerError('PROTOCOL', 'upsd sent more than the reply'));
      return result;
    } catch (err) {
      // upsd's ERR replies leave the connection in step; anything else may not have.
      if (!(err instanceof NutReplyError)) this.fault(c, err as Error);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  private send(c: Connection, line: string): Promise<void> {
    this.requests++;
    return new Promise((resolve, reject) => c.socket.write(`${line}\n`, (err) => (err ? reject(asNetError(err, this.describe())) : resolve())));
  }

  private garbled(c: Connection, what: string, line: string): RackpowerError {
    const err = new RackpowerError('PROTOCOL', `${what}: unexpected reply "${line.slice(0, 80)}" from ${this.describe()}`);
    this.fault(c, err);
    return err;
  }

  private fault(c: Connection, err: Error): void {
    c.reader.fail(err);
    c.socket.destroy();
    this.drop(c);
  }

  private drop(c: Connection): void {
    if (this.connection === c) this.connection = undefined;
  }

  // ---- connecting ----

  private async connect(): Promise<Connection> {
    if (this.closed) throw new RackpowerError('CONFIG', `the connection to ${this.describe()} is closed`);
    if (this.connection && !this.connection.socket.destroyed) return this.connection;
    if (this.now() < this.retryAt && this.lastError) {
      const wait = Math.ceil((this.retryAt - this.now()) / 1000);
      throw new RackpowerError(this.lastError.code, `${this.lastError.message} (next try in ${wait} s)`);
    }
    this.connecting ??= this.open().then(
      (c) => {
        this.failures = 0;
        this.lastError = undefined;
        this.connection = c;
        return c;
      },
      (err: unknown) => {
        this.failures++;
        this.lastError = err instanceof RackpowerError ? err : asNetError(err as Error, this.describe());
        this.retryAt = this.now() + Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** (this.failures - 1));
        throw this.lastError;
      },
    );
    try {
      return await this.connecting;
    } finally {
      this.connecting = undefined;
    }
  }

  /** TCP, then STARTTLS, USERNAME/PASSWORD, SET TRACKING ON and LOGINs, under one deadline. */
  private async open(): Promise<Connection> {
    const { host, port, timeoutMs } = this.endpoint;
    const raw = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect({ host, port });
      const timer = setTimeout(() => {
        s.destroy();
        reject(new RackpowerError('TIMEOUT', `no connection to upsd at ${this.describe()} within ${timeoutMs} ms`));
      }, timeoutMs);
      s.once('connect', () => {
        clearTimeout(timer);
        resolve(s);
      });
      s.once('error', (err) => {
        clearTimeout(timer);
        reject(asNetError(err, this.describe()));
      });
    });
    let c = this.wire(raw);
    const deadline = setTimeout(() => this.fault(c, new RackpowerError('TIMEOUT', `upsd at ${this.describe()} did not finish the handshake within ${timeoutMs} ms`)), timeoutMs);
    try {
      if (this.endpoint.tls !== 'off') c = await this.startTls(c);
      if (this.endpoint.username) {
        await this.expectOk(c, `USERNAME ${word(this.endpoint.username)}`, 'USERNAME');
        // The password is the one argument that may hold spaces or quotes: upsd takes it quoted.
        await this.expectOk(c, `PASSWORD ${quote(value(this.endpoint.password ?? ''))}`, 'PASSWORD');
        // Commands then answer `OK TRACKING <id>`; an upsd without tracking says ERR and they answer a plain OK.
        await this.send(c, 'SET TRACKING ON');
        await c.reader.next();
      }
      for (const ups of this.logins) await this.loginOn(c, ups);
      return c;
    } catch (err) {
      c.socket.destroy();
      throw err;
    } finally {
      clearTimeout(deadline);
    }
  }

  private wire(socket: net.Socket): Connection {
    const reader = new LineReader(socket);
    const c: Connection = { socket, reader };
    socket.on('error', (err) => this.fault(c, asNetError(err, this.describe())));
    socket.on('close', () => {
      reader.fail(new RackpowerError('UNREACHABLE', `upsd at ${this.describe()} closed the connection`));
      this.drop(c);
    });
    return c;
  }

  private async expectOk(c: Connection, line: string, what: string): Promise<string> {
    await this.send(c, line);
    const reply = await c.reader.next();
    const err = replyError(reply, what);
    if (err) throw err;
    if (!reply.startsWith('OK')) throw new RackpowerError('PROTOCOL', `${what}: unexpected reply "${reply.slice(0, 80)}" from ${this.describe()}`);
    return reply;
  }

  private async loginOn(c: Connection, ups: string): Promise<void> {
    await this.expectOk(c, `LOGIN ${word(ups)}`, `LOGIN ${ups}`).catch((err: unknown) => {
      // Logged in already on this connection (login() twice for one UPS): nothing to do.
      if (err instanceof NutReplyError && err.reply === 'ALREADY-LOGGED-IN') return '';
      throw err;
    });
  }

  private async startTls(c: Connection): Promise<Connection> {
    await this.expectOk(c, 'STARTTLS', 'STARTTLS');
    c.reader.detach();
    c.socket.removeAllListeners('error');
    c.socket.removeAllListeners('close');
    const { host, tls: mode, ca } = this.endpoint;
    const secure = await new Promise<tls.TLSSocket>((resolve, reject) => {
      const s = tls.connect({
        socket: c.socket,
        servername: net.isIP(host) ? undefined : host,
        rejectUnauthorized: mode === 'verify',
        ca: mode === 'verify' && ca ? ca : undefined,
      });
      s.once('secureConnect', () => resolve(s));
      s.once('error', (err) => reject(new RackpowerError('AUTH', `TLS with upsd at ${this.describe()} failed: ${err.message}`, { cause: err })));
    });
    if (mode === 'pin') {
      const want = normalizeFingerprint(this.endpoint.fingerprint ?? '');
      const cert = secure.getPeerCertificate();
      const got = cert?.raw ? createHash('sha256').update(cert.raw).digest('hex') : '';
      if (!want || got !== want) {
        secure.destroy();
        throw new RackpowerError('AUTH', `upsd at ${this.describe()} shows a certificate with SHA-256 ${colons(got)}, not the pinned one`);
      }
    }
    return this.wire(secure);
  }
}

/** "AB:CD:…" or "abcd…" → lowercase hex without separators. */
export function normalizeFingerprint(text: string): string {
  return text.replace(/[\s:]/gu, '').toLowerCase();
}

function colons(hex: string): string {
  return (hex.match(/../gu) ?? []).join(':').toUpperCase();
}

/** A UPS, variable or command name goes on the wire as a bare word: one with spaces or quotes is refused here. */
function word(w: string): string {
  if (!isPlainWord(w)) throw new RackpowerError('CONFIG', `"${w.slice(0, 40)}" is not a NUT name (letters, digits, . _ - only)`);
  return w;
}

/** A quoted value is one line: a line break or other control character would end the request early. */
function value(v: string): string {
  if ([...v].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) throw new RackpowerError('CONFIG', 'a NUT value or password may not contain line breaks or control characters');
  return v;
}

function asNetError(err: Error, where: string): RackpowerError {
  if (err instanceof RackpowerError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ETIMEDOUT') return new RackpowerError('TIMEOUT', `${where}: ${err.message}`, { cause: err });
  return new RackpowerError('UNREACHABLE', `${where}: ${err.message}`, { cause: err });
}
