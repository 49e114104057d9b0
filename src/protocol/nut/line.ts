// The NUT network protocol's line syntax (RFC 9271 section 4): words separated by spaces, a value with spaces in
// double quotes, `\"` and `\\` escaped inside quotes. Used by the client and by the simulator's server.

/** Longest reply line accepted; upsd's own limit is far smaller, so anything longer is not upsd. */
export const MAX_LINE = 4096;

/** Splits one line into words, unquoting quoted words; undefined when a quote is left open (a malformed line). */
export function splitLine(line: string): string[] | undefined {
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

/** A value as the protocol wants it: always quoted, quotes and backslashes escaped. */
export function quote(value: string): string {
  return `"${value.replace(/[\\"]/gu, (c) => `\\${c}`)}"`;
}

/** A word a command may carry unquoted: UPS, variable and command names never contain spaces or quotes. */
export function isPlainWord(word: string): boolean {
  return /^[\w.:@-]{1,128}$/u.test(word);
}
