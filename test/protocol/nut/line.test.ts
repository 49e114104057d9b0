// NUT's line syntax: the splitter cuts words out of the line by index, with a slow path for quoted words holding
// escapes. Checked against a character-by-character reference of the rules (RFC 9271 section 4, as upsd's own
// parser reads them) on every line up to a length over a small alphabet, and on random longer lines.
import { describe, expect, it } from 'vitest';
import { quote, splitLine } from '../../../src/protocol/nut/line';

/** The rules, one character at a time: spaces and tabs separate, `"…"` quotes, `\x` inside quotes is x. */
function reference(line: string): string[] | undefined {
  const words: string[] = [];
  let i = 0;
  while (i < line.length) {
    if (line[i] === ' ' || line[i] === '\t') {
      i++;
      continue;
    }
    let word = '';
    if (line[i] === '"') {
      i++;
      let closed = false;
      while (i < line.length) {
        const c = line[i++];
        if (c === '\\' && i < line.length) word += line[i++];
        else if (c === '"') {
          closed = true;
          break;
        } else word += c;
      }
      if (!closed) return undefined;
    } else {
      while (i < line.length && line[i] !== ' ' && line[i] !== '\t') word += line[i++];
    }
    words.push(word);
  }
  return words;
}

const ALPHABET = ['a', ' ', '\t', '"', '\\', 'é'];

/** Every line of `length` characters over `alphabet`. */
function* allLines(length: number): Generator<string> {
  if (length === 0) {
    yield '';
    return;
  }
  for (const head of allLines(length - 1)) for (const c of ALPHABET) yield head + c;
}

describe('splitLine', () => {
  it('splits words, unquotes and unescapes', () => {
    expect(splitLine('VAR ups1 battery.charge "93"')).toEqual(['VAR', 'ups1', 'battery.charge', '93']);
    expect(splitLine('VAR ups1 ups.mfr "American Power Conversion"')).toEqual(['VAR', 'ups1', 'ups.mfr', 'American Power Conversion']);
    expect(splitLine('VAR u d "say \\"hi\\" \\\\ ok"')).toEqual(['VAR', 'u', 'd', 'say "hi" \\ ok']);
    expect(splitLine('VAR u x ""')).toEqual(['VAR', 'u', 'x', '']);
    expect(splitLine('  a\t\tb  ')).toEqual(['a', 'b']);
    expect(splitLine('ab"c d\\e')).toEqual(['ab"c', 'd\\e']);
    expect(splitLine('"a"b')).toEqual(['a', 'b']);
  });

  it('an unterminated quote is malformed, even one closed only by an escaped quote', () => {
    expect(splitLine('VAR u ups.status "OL')).toBeUndefined();
    expect(splitLine('VAR u ups.status "OL\\"')).toBeUndefined();
    expect(splitLine('VAR u ups.status "OL\\')).toBeUndefined();
    expect(splitLine('"')).toBeUndefined();
  });

  it('reads back what quote() wrote', () => {
    for (const value of ['', 'plain', 'with space', 'a "quoted" word', 'back\\slash', '\\"', '"\\', '°C é ✓']) {
      expect(splitLine(`VAR u x ${quote(value)} y`)).toEqual(['VAR', 'u', 'x', value, 'y']);
    }
  });

  it('agrees with the reference on every line of up to 6 characters over space, tab, quote, backslash and letters', () => {
    let checked = 0;
    for (let length = 0; length <= 6; length++) {
      for (const line of allLines(length)) {
        expect(splitLine(line), JSON.stringify(line)).toEqual(reference(line));
        checked++;
      }
    }
    expect(checked).toBe(55_987);
  });

  it('agrees with the reference on random longer lines, and from any start as on the rest of the line', () => {
    let seed = 14;
    const random = (n: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    for (let k = 0; k < 5000; k++) {
      let line = '';
      const length = random(60);
      for (let i = 0; i < length; i++) line += random(3) ? 'x' : ALPHABET[random(ALPHABET.length)];
      expect(splitLine(line), JSON.stringify(line)).toEqual(reference(line));
      const from = random(line.length + 1);
      expect(splitLine(line, from), `${JSON.stringify(line)} from ${from}`).toEqual(reference(line.slice(from)));
    }
  });
});
