// The NUT network protocol's line syntax (RFC 9271 section 4): words separated by spaces, a value with spaces in
// double quotes, `\"` and `\\` escaped inside quotes. Used by the client and by the simulator's server.

/** Longest reply line accepted; upsd's own limit is far smaller, so anything longer is not upsd. */
export const MAX_LINE = 4096;

const SPACE = 0x20;
const TAB = 0x09;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Splits one line into words, from `from` on, unquoting quoted words; undefined when a quote is left open (a malformed
 * line). Runs for every reply line of every poll, so words are cut out of the line as slices; only a quoted word that
 * holds a backslash is built up character by character.
 */
export function splitLine(line: string, from = 0): string[] | undefined {
  const words: string[] = [];
  const n = line.length;
  let i = from;
  while (i < n) {
    const c = line.charCodeAt(i);
    if (c === SPACE || c === TAB) {
      i++;
    } else if (c === QUOTE) {
      const close = line.indexOf('"', i + 1);
      if (close < 0) return undefined;
      const escape = line.indexOf('\\', i + 1);
      if (escape < 0 || escape > close) {
        words.push(line.slice(i + 1, close));
        i = close + 1;
      } else {
        const end = unescapeInto(words, line, i + 1);
        if (end < 0) return undefined;
        i = end;
      }
    } else {
      // An unquoted word runs to the next space or tab; quotes and backslashes inside it are plain characters.
      let end = line.indexOf(' ', i + 1);
      if (end < 0) end = n;
      const tab = line.indexOf('\t', i + 1);
      if (tab >= 0 && tab < end) end = tab;
      words.push(line.slice(i, end));
      i = end;
    }
  }
  return words;
}

/** A quoted word with escapes, from just after its opening quote: pushed, and the index after its closing quote (-1: never closed). */
function unescapeInto(words: string[], line: string, start: number): number {
  let word = '';
  let run = start;
  for (let i = start; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === BACKSLASH) {
      // The escaped character is taken as it is (a quote does not close the word): it starts the next run.
      word += line.slice(run, i);
      run = ++i;
    } else if (c === QUOTE) {
      words.push(word + line.slice(run, i));
      return i + 1;
    }
  }
  return -1;
}

/** A value as the protocol wants it: always quoted, quotes and backslashes escaped. */
export function quote(value: string): string {
  return `"${value.replace(/[\\"]/gu, (c) => `\\${c}`)}"`;
}

/** A word a command may carry unquoted: UPS, variable and command names never contain spaces or quotes. */
export function isPlainWord(word: string): boolean {
  return /^[\w.:@-]{1,128}$/u.test(word);
}
