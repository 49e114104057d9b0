// A poll's values collected as name/value pairs, made into the reading's object once at the end. Adding keys one by
// one to a plain object costs V8 a hidden-class transition per key and then a conversion of the whole object to a
// dictionary, every poll: 13 µs for a UPS's 32 values and over 50 µs for a PDU's 150 in a microbenchmark, a tenth of
// a poll. A poll names the same keys in the same order as the one before it, so the object is cloned from a template
// kept from that poll (one copy of a fast object) and every value is written over its own key; a poll whose names
// differ (a value left out, an outlet added) makes a new template. Nothing of an earlier poll can stay behind: the
// template is reused only when this poll sets exactly its keys.
import type { Value, Values } from '../types';

/**
 * One poll's values, in the order they were set; a name set twice keeps its last value. The lists are made as long as
 * the last poll's (ValuesBuilder.poll), so a poll fills them without their growing (and being copied) on the way.
 */
export class PollValues {
  readonly names: string[];
  readonly values: Value[];
  /** How many were set: the first `length` entries of the lists. */
  length = 0;

  constructor(expected = 0) {
    this.names = new Array<string>(expected);
    this.values = new Array<Value>(expected);
  }

  set(name: string, value: Value): void {
    this.names[this.length] = name;
    this.values[this.length++] = value;
  }

  /** A value set earlier in this poll (rare: a row limit naming another value, the live output check). */
  get(name: string): Value | undefined {
    for (let i = this.length - 1; i >= 0; i--) if (this.names[i] === name) return this.values[i];
    return undefined;
  }
}

interface Template {
  statics: Values;
  names: string[];
  object: Values;
  keys: number;
}

export class ValuesBuilder {
  private template: Template | undefined;

  /** An empty poll, its lists as long as the last poll's. */
  poll(): PollValues {
    return new PollValues(this.template?.names.length);
  }

  /** The reading's object: `statics` first, then `poll`'s values in the order they were set (as assigning them would). */
  build(statics: Values, poll: PollValues): { values: Values; keys: number } {
    const t = this.template;
    if (t && t.statics === statics && sameNames(t.names, poll)) {
      const values: Values = { ...t.object };
      const { names, values: vals } = poll;
      for (let i = 0; i < poll.length; i++) values[names[i]] = vals[i];
      return { values, keys: t.keys };
    }
    const names = poll.names.slice(0, poll.length);
    const object: Values = Object.fromEntries([...Object.entries(statics), ...names.map((n, i): [string, Value] => [n, poll.values[i]])]);
    const keys = Object.keys(object).length;
    this.template = { statics, names, object, keys };
    return { values: { ...object }, keys };
  }
}

/** Whether the poll set exactly `names`, in that order. */
function sameNames(names: string[], poll: PollValues): boolean {
  if (names.length !== poll.length) return false;
  for (let i = 0; i < names.length; i++) if (names[i] !== poll.names[i]) return false;
  return true;
}
