// The upsd reader's typing: numbers are checked character by character (against the regular expression that states
// the rule, on every short string over the characters that matter), and a variable's text flag follows its own name
// when upsd's list changes order, loses a row or gains one between polls.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { NutDeviceReader, numberOrText } from '../../src/polling/nut-reader';
import { NutClient } from '../../src/protocol/nut/client';

/** The rule as a regular expression: an optional sign, then digits with at most one dot, at least one digit. */
function reference(text: string): number | string {
  const trimmed = text.trim();
  return /^[-+]?(\d+\.?\d*|\.\d+)$/u.test(trimmed) ? Number(trimmed) : text;
}

const ALPHABET = ['1', '0', '.', '-', '+', ' ', '\t', 'e', 'x', '\u00a0', '٣'];

function* allStrings(length: number): Generator<string> {
  if (length === 0) {
    yield '';
    return;
  }
  for (const head of allStrings(length - 1)) for (const c of ALPHABET) yield head + c;
}

describe('numberOrText', () => {
  it('types what upsd prints', () => {
    expect(numberOrText('93.00')).toBe(93);
    expect(numberOrText('-1')).toBe(-1);
    expect(numberOrText(' 230 ')).toBe(230);
    expect(numberOrText('.5')).toBe(0.5);
    expect(numberOrText('1.')).toBe(1);
    for (const text of ['1.2.3', '0x1F', '1e3', '', ' ', '.', '-', '+-1', 'NaN', 'Infinity', '12 V']) expect(numberOrText(text)).toBe(text);
  });

  it('agrees with the regular expression on every string of up to 5 characters over digits, signs, dots, blanks and others', () => {
    let checked = 0;
    for (let length = 0; length <= 5; length++) {
      for (const text of allStrings(length)) {
        expect(numberOrText(text), JSON.stringify(text)).toBe(reference(text));
        checked++;
      }
    }
    expect(checked).toBe(177_156);
  });
});

let server: net.Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

/** A upsd answering the n-th LIST VAR with `lists[n]` (the last one again after that). */
async function upsd(lists: string[][]): Promise<NutClient> {
  let asked = 0;
  server = net.createServer((socket) => {
    socket.setEncoding('utf8');
    socket.on('error', () => undefined);
    socket.on('data', () => {
      const rows = lists[Math.min(asked++, lists.length - 1)];
      socket.write(['BEGIN LIST VAR u', ...rows.map((r) => `VAR u ${r}`), 'END LIST VAR u', ''].join('\n'));
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return new NutClient({ host: '127.0.0.1', port: (server!.address() as net.AddressInfo).port, tls: 'off', timeoutMs: 2000 });
}

describe('NutDeviceReader', () => {
  it('types each variable by its own name when the list changes between polls', async () => {
    const client = await upsd([
      ['ups.status "OL"', 'battery.charge "93"', 'ups.model "1500"'],
      ['ups.model "1500"', 'ups.status "OB"', 'battery.charge "90.5"', 'ups.serial "0042"'],
      ['battery.charge "88"', 'ups.serial "0042"'],
      ['ups.serial "7"', 'ups.status "OB LB"', 'battery.charge "20"', 'battery.runtime " 300 "'],
    ]);
    const reader = new NutDeviceReader(client, 'u');
    expect(await reader.read()).toEqual({ 'ups.status': 'OL', 'battery.charge': 93, 'ups.model': '1500' });
    expect(await reader.read()).toEqual({ 'ups.model': '1500', 'ups.status': 'OB', 'battery.charge': 90.5, 'ups.serial': '0042' });
    expect(await reader.read()).toEqual({ 'battery.charge': 88, 'ups.serial': '0042' });
    const last = await reader.read();
    expect(last).toEqual({ 'ups.serial': '7', 'ups.status': 'OB LB', 'battery.charge': 20, 'battery.runtime': 300 });
    expect(Object.keys(last)).toEqual(['ups.serial', 'ups.status', 'battery.charge', 'battery.runtime']);
    await client.close();
  });
});
