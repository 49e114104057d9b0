// Reply lines from upsd's socket to the request waiting for them, and the rows of a LIST reply taken from those lines.
// This runs for every line of every poll: lines are cut from the received text by index, handed over in the 'data'
// event that brought them (a LIST reply of a few dozen rows in one go, not one promise per line), and a row that
// starts with its list's own words, as upsd's always do, is split after them.
import type { Readable } from 'node:stream';
import { RackpowerError } from '../../errors';
import { replyError } from './errors';
import { MAX_LINE, splitLine } from './line';

/** Takes reply lines as they arrive, until it returns a result (anything but undefined) or throws. */
export type LineTaker<T> = (line: string) => T | undefined;

/** A LIST reply longer than this is not a UPS (upsd's biggest real dumps have a few hundred variables). */
export const MAX_LIST_ITEMS = 10_000;

const CR = 0x0d;

/** Reads lines from a socket for one request at a time; a fault fails the waiting read and every later one. */
export class LineReader {
  private buffer = '';
  /** Lines received while no request was waiting for them. */
  private lines: string[] = [];
  private waiter: { take: LineTaker<unknown>; resolve(result: unknown): void; reject(err: Error): void } | undefined;
  private failure: Error | undefined;

  constructor(private readonly socket: Readable) {
    socket.setEncoding('utf8');
    socket.on('data', this.onData);
  }

  detach(): void {
    this.socket.off('data', this.onData);
  }

  private readonly onData = (chunk: string): void => {
    // After a fault nothing more is read: the connection is being dropped.
    if (this.failure) return;
    const text = this.buffer ? this.buffer + chunk : chunk;
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0 && !this.failure; nl = text.indexOf('\n', start)) {
      const end = nl > start && text.charCodeAt(nl - 1) === CR ? nl - 1 : nl;
      if (end - start > MAX_LINE) return this.tooLong();
      this.take(text.slice(start, end));
      start = nl + 1;
    }
    this.buffer = start ? text.slice(start) : text;
    if (this.buffer.length > MAX_LINE) this.tooLong();
  };

  private tooLong(): void {
    this.fail(new RackpowerError('PROTOCOL', `a reply line longer than ${MAX_LINE} bytes: not upsd`));
  }

  private take(line: string): void {
    const w = this.waiter;
    if (!w) {
      // Unasked for (the next request finds them and starts over), and held no further than a whole LIST reply, so a
      // peer that talks between polls cannot fill the memory.
      if (this.lines.length > MAX_LIST_ITEMS + 2) return this.fail(new RackpowerError('PROTOCOL', 'upsd keeps sending lines nobody asked for'));
      this.lines.push(line);
      return;
    }
    let result: unknown;
    try {
      result = w.take(line);
    } catch (err) {
      if (this.waiter === w) this.waiter = undefined;
      w.reject(err as Error);
      return;
    }
    if (result === undefined) return;
    this.waiter = undefined;
    w.resolve(result);
  }

  /** Lines already received, unasked for: after a request completes there must be none. */
  get pending(): number {
    return this.lines.length + (this.buffer.length ? 1 : 0);
  }

  fail(err: Error): void {
    this.failure ??= err;
    const w = this.waiter;
    this.waiter = undefined;
    w?.reject(err);
  }

  /** Feeds `take` the lines received so far, then the ones to come, until it returns a result. */
  read<T>(take: LineTaker<T>): Promise<T> {
    try {
      while (this.lines.length) {
        const result = take(this.lines.shift()!);
        if (result !== undefined) return Promise.resolve(result);
      }
    } catch (err) {
      return Promise.reject(err as Error);
    }
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => (this.waiter = { take, resolve: resolve as (result: unknown) => void, reject }));
  }

  /** The next line. */
  next(): Promise<string> {
    return this.read(wholeLine);
  }
}

function wholeLine(text: string): string {
  return text;
}

/**
 * Takes the reply to `LIST <args>` (plain words, as the request sent them): `BEGIN LIST …`, rows, `END LIST …`. Each
 * row's words after the list's own go to `row`; an ERR reply throws upsd's error, anything else unexpected throws
 * `garbled(line)`.
 */
export function listRows(args: string[], row: (words: string[]) => void, garbled: (line: string) => Error): LineTaker<true> {
  const what = `LIST ${args.join(' ')}`;
  const begin = `BEGIN ${what}`;
  const end = `END ${what}`;
  const prefix = `${args.join(' ')} `;
  let begun = false;
  let rows = 0;
  return (line) => {
    if (!begun) {
      const err = replyError(line, what);
      if (err) throw err;
      if (line !== begin) throw garbled(line);
      begun = true;
      return undefined;
    }
    if (line === end) return true;
    // Every row repeats the list's type and arguments (`VAR ups1 battery.charge "93"`) and carries at least a name.
    const words = line.startsWith(prefix) ? splitLine(line, prefix.length) : rowWords(line, args);
    if (!words?.length) throw garbled(line);
    if (rows++ >= MAX_LIST_ITEMS) throw garbled(`more than ${MAX_LIST_ITEMS} rows`);
    row(words);
    return undefined;
  };
}

/** The words after a row's list type and arguments when it repeats them in any other spacing (or even quoted). */
function rowWords(line: string, args: string[]): string[] | undefined {
  const words = splitLine(line);
  if (!words || words.length <= args.length || words.slice(0, args.length).join(' ') !== args.join(' ')) return undefined;
  return words.slice(args.length);
}
