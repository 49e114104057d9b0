// Reply lines and LIST rows as the NUT client takes them from its socket: the same reply in one chunk, in two split
// at every byte (inside a UTF-8 character, between CR and LF, inside a quote or an escape) and one byte at a time
// gives the same rows; ERR replies, garbled rows, endless lines and endless lists give errors, never rows. The
// socket here is a PassThrough stream: the same utf8 decoding of byte chunks as a net.Socket's, with chunk edges
// under the test's control (a real TCP connection may merge them).
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { NutReplyError } from '../../../src/protocol/nut/errors';
import { MAX_LINE } from '../../../src/protocol/nut/line';
import { LineReader, MAX_LIST_ITEMS, listRows } from '../../../src/protocol/nut/line-reader';

const REPLY = [
  'BEGIN LIST VAR ups1',
  'VAR ups1 battery.charge "93"',
  'VAR ups1 ups.mfr "American Power Conversion"',
  'VAR ups1 device.description "rack 3, \\"left\\" side \\\\ backup"',
  'VAR ups1 ambient.1.name "°C sensor ✓"',
  'VAR ups1 ups.status "OL CHRG"\r',
  'VAR  ups1\tinput.voltage "230.4"',
  'VAR ups1 ups.test.result ""',
  'END LIST VAR ups1',
  '',
].join('\n');
const ROWS = [
  ['battery.charge', '93'],
  ['ups.mfr', 'American Power Conversion'],
  ['device.description', 'rack 3, "left" side \\ backup'],
  ['ambient.1.name', '°C sensor ✓'],
  ['ups.status', 'OL CHRG'],
  ['input.voltage', '230.4'],
  ['ups.test.result', ''],
];

class Garbled extends Error {}

/** A reader on a fresh stream, and the rows of one `LIST VAR ups1` taken through it. */
function listVar(): { socket: PassThrough; reader: LineReader; rows: string[][]; done: Promise<true> } {
  const socket = new PassThrough();
  const reader = new LineReader(socket);
  const rows: string[][] = [];
  const done = reader.read(listRows(['VAR', 'ups1'], (w) => rows.push(w), (line) => new Garbled(line)));
  done.catch(() => undefined); // rejects while the test is still feeding; the test's expect reads it after
  return { socket, reader, rows, done };
}

/** Writes `chunks` one by one, each in its own 'data' event. */
async function feed(socket: PassThrough, chunks: Buffer[]): Promise<void> {
  for (const chunk of chunks) {
    socket.write(chunk);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('LineReader and listRows', () => {
  it('take the same rows from a reply in one chunk, in two split at every byte, and one byte at a time', async () => {
    const bytes = Buffer.from(REPLY, 'utf8');
    const splits: Buffer[][] = [[bytes], [...bytes].map((b) => Buffer.from([b]))];
    for (let at = 1; at < bytes.length; at++) splits.push([bytes.subarray(0, at), bytes.subarray(at)]);
    for (const chunks of splits) {
      const { socket, reader, rows, done } = listVar();
      await feed(socket, chunks);
      await expect(done).resolves.toBe(true);
      expect(rows, `chunks of ${chunks.map((c) => c.length).join('+')} bytes`).toEqual(ROWS);
      expect(reader.pending).toBe(0);
    }
  });

  it('take lines that arrived before the request asked for them', async () => {
    const socket = new PassThrough();
    const reader = new LineReader(socket);
    await feed(socket, [Buffer.from(REPLY)]);
    const rows: string[][] = [];
    await expect(reader.read(listRows(['VAR', 'ups1'], (w) => rows.push(w), (line) => new Garbled(line)))).resolves.toBe(true);
    expect(rows).toEqual(ROWS);
  });

  it('an ERR reply is upsd error, and the next reply on the connection is read in step', async () => {
    const { socket, reader, rows, done } = listVar();
    await feed(socket, [Buffer.from('ERR UNKNOWN-UPS\nOK\n')]);
    await expect(done).rejects.toMatchObject({ reply: 'UNKNOWN-UPS', code: 'UNKNOWN_DEVICE' });
    await expect(done).rejects.toBeInstanceOf(NutReplyError);
    expect(rows).toEqual([]);
    await expect(reader.next()).resolves.toBe('OK');
  });

  it('a row of another list, an unclosed quote, a row without a name or a missing BEGIN is garbled', async () => {
    for (const bad of ['VAR ups2 ups.status "OB"', 'VAR ups1 ups.status "OL', 'VAR ups1', 'VAR ups1 ', 'RW ups1 x "1"', 'VARups1 x "1"']) {
      const { socket, rows, done } = listVar();
      await feed(socket, [Buffer.from(`BEGIN LIST VAR ups1\nVAR ups1 battery.charge "93"\n${bad}\nEND LIST VAR ups1\n`)]);
      await expect(done, bad).rejects.toEqual(new Garbled(bad));
      expect(rows).toEqual([['battery.charge', '93']]);
    }
    const { socket, done } = listVar();
    await feed(socket, [Buffer.from('VAR ups1 battery.charge "93"\nEND LIST VAR ups1\n')]);
    await expect(done).rejects.toEqual(new Garbled('VAR ups1 battery.charge "93"'));
  });

  it('a row that repeats the list words in other spacing, or quoted, is still a row (as a whole-line split reads it)', async () => {
    const { socket, rows, done } = listVar();
    await feed(socket, [Buffer.from('BEGIN LIST VAR ups1\n\tVAR "ups1"  x "1" extra\nEND LIST VAR ups1\n')]);
    await expect(done).resolves.toBe(true);
    expect(rows).toEqual([['x', '1', 'extra']]);
  });

  it(`a line over ${MAX_LINE} characters is PROTOCOL, whole in one chunk or still unended`, async () => {
    const long = `VAR ups1 x "${'A'.repeat(MAX_LINE)}"`;
    for (const text of [`BEGIN LIST VAR ups1\n${long}\nEND LIST VAR ups1\n`, `BEGIN LIST VAR ups1\n${long}`]) {
      const { socket, reader, rows, done } = listVar();
      await feed(socket, [Buffer.from(text)]);
      await expect(done).rejects.toMatchObject({ code: 'PROTOCOL', message: expect.stringMatching(/longer than/u) });
      expect(rows).toEqual([]);
      // A failed reader stays failed: later data is not read.
      await feed(socket, [Buffer.from('OK\n')]);
      await expect(reader.next()).rejects.toMatchObject({ code: 'PROTOCOL' });
    }
    // The longest line accepted, split anywhere.
    const longest = `VAR ups1 x "${'A'.repeat(MAX_LINE - 13)}"`;
    expect(longest.length).toBe(MAX_LINE);
    const { socket, rows, done } = listVar();
    await feed(socket, [Buffer.from(`BEGIN LIST VAR ups1\n${longest.slice(0, 3000)}`), Buffer.from(`${longest.slice(3000)}\r\nEND LIST VAR ups1\n`)]);
    await expect(done).resolves.toBe(true);
    expect(rows[0][1]).toHaveLength(MAX_LINE - 13);
  });

  it(`more than ${MAX_LIST_ITEMS} rows is garbled`, async () => {
    const { socket, rows, done } = listVar();
    const body = Array.from({ length: MAX_LIST_ITEMS + 1 }, (_, i) => `VAR ups1 v.${i} "${i}"\n`).join('');
    await feed(socket, [Buffer.from(`BEGIN LIST VAR ups1\n${body}END LIST VAR ups1\n`)]);
    await expect(done).rejects.toEqual(new Garbled(`more than ${MAX_LIST_ITEMS} rows`));
    expect(rows).toHaveLength(MAX_LIST_ITEMS);
  });

  it('lines nobody asked for are held up to the length of a whole LIST reply, then the reader fails and takes no more', async () => {
    const socket = new PassThrough();
    const reader = new LineReader(socket);
    await feed(socket, [Buffer.from('x\n'.repeat(MAX_LIST_ITEMS + 3))]);
    expect(reader.pending).toBe(MAX_LIST_ITEMS + 3);
    // One more line fails the reader (the rest of that chunk stays unsplit), and later chunks add no line.
    await feed(socket, [Buffer.from('x\n'.repeat(1000))]);
    expect(reader.pending).toBe(MAX_LIST_ITEMS + 4);
    await feed(socket, [Buffer.from('x\n'.repeat(100_000))]);
    expect(reader.pending).toBe(MAX_LIST_ITEMS + 4);
    // What was held is still read in order, then the failure.
    for (let i = 0; i < MAX_LIST_ITEMS + 3; i++) await reader.next();
    await expect(reader.next()).rejects.toMatchObject({ code: 'PROTOCOL', message: expect.stringMatching(/nobody asked/u) });
  });

  it('a fault fails the waiting read and every later one', async () => {
    const { reader, done } = listVar();
    reader.fail(new Error('closed'));
    await expect(done).rejects.toThrow('closed');
    await expect(reader.next()).rejects.toThrow('closed');
  });
});
