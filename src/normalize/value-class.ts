// What kind of answer a profile variable can take, and whether one answer fits. A varbind of another type (Null for
// "not available", noSuch*, Boolean, BitString, Opaque) or text that is not a number where a number belongs is not a
// reading: it is left out, and the reason is named so the device's diagnostics can count it. Every answer a reader
// publishes goes through `decodeAnswer` here, then through the plausibility limits of its NUT quantity.
import type { Transform } from '../profiles/types';
import type { SnmpType } from '../protocol/snmp/client';
import type { Value } from '../types';
import { isTextVariable } from './nut';
import { limitsOf, outside } from './plausible';
import { decodeValue } from './transform';

export type { SnmpType };

/** One answer as a protocol client hands it over: the value, and the type it came as when the protocol says. */
export interface RawAnswer {
  value: number | string;
  numeric: boolean;
  /** Absent when the source does not say (Modbus registers, the simulator's own tables): inferred from `numeric`. */
  type?: SnmpType;
}

/** What a variable expects: a number in NUT units, text, or a key of its enum map (integer or text). */
export type ValueClass = 'number' | 'text' | 'enum';

/** Why a value was left out of a reading. */
export type AbsentReason =
  | 'null' | 'noSuchObject' | 'noSuchInstance' | 'endOfMibView' | 'boolean' | 'bitString' | 'opaque' | 'malformed'
  /** an OID or IP address where a number or enum key belongs */
  | 'wrongType'
  /** text that does not read as a number where a number belongs */
  | 'notANumber'
  /** blank text */
  | 'empty'
  /** a raw value the profile names as "not available" (-1, 65535 ...), or not a finite number */
  | 'sentinel'
  /** an enum value the profile does not map */
  | 'unknownEnum'
  /** a value another OID says how to read (digits, exponent) could not be read */
  | 'helper'
  /** outside what the NUT quantity can physically be (a charge of 6553 %, a frequency of 6553.5 Hz) */
  | 'implausible';

/** A value left out, and why. One shared instance per reason: decoding allocates nothing for the common case. */
export class Absent {
  private static readonly byReason = new Map<AbsentReason, Absent>();
  private constructor(readonly reason: AbsentReason) {}

  static of(reason: AbsentReason): Absent {
    let a = Absent.byReason.get(reason);
    if (!a) Absent.byReason.set(reason, (a = new Absent(reason)));
    return a;
  }
}

/** Decoders kept per transform by Decoder.of (a 1000-outlet column is far below it). */
const SHARED_PER_TRANSFORM = 4096;

export function valueClass(name: string, def: Transform): ValueClass {
  if (def.enum) return 'enum';
  return isTextVariable(name) ? 'text' : 'number';
}

/** Types that are never a reading, whatever the variable expects: each is its own reason. */
const NEVER: Partial<Record<SnmpType, AbsentReason>> = {
  null: 'null',
  boolean: 'boolean',
  bitString: 'bitString',
  opaque: 'opaque',
  noSuchObject: 'noSuchObject',
  noSuchInstance: 'noSuchInstance',
  endOfMibView: 'endOfMibView',
  malformed: 'malformed',
};

/** The types a number comes as. */
const NUMERIC_TYPES = new Set<SnmpType>(['integer', 'counter', 'gauge', 'timeticks', 'counter64']);

/** Numeric text: an optional sign, digits with an optional fraction, an optional exponent. No hex, no blanks. */
const NUMBER_TEXT = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/u;

/** The raw value an answer gives a variable of class `cls`, before the profile's transform; Absent if it gives none. */
export function rawOf(answer: RawAnswer, cls: ValueClass): number | string | Absent {
  const type = answer.type ?? (answer.numeric ? 'integer' : 'octetString');
  // Most answers: a number of a numeric type where a number or an enum key belongs (what the code below gives them,
  // without its table lookup).
  if (answer.numeric && cls !== 'text' && NUMERIC_TYPES.has(type)) return cls === 'enum' ? String(answer.value) : Number(answer.value);
  const never = NEVER[type];
  if (never) return Absent.of(never);
  if (cls === 'text') {
    // Blank identity strings ("" for a model the card never learned) are absent, not values; cards pad with
    // blanks and NULs in any order ("EATON\0\0  "), which are no part of the name.
    const text = String(answer.value).replace(/^[\s\0]+|[\s\0]+$/gu, '');
    return text === '' ? Absent.of('empty') : text;
  }
  // An OID is a key, never a quantity: RFC 1628's alarm table names each alarm by one (upsAlarmBatteryBad), so an
  // enum maps it; the map's keys are written without a leading dot.
  if (type === 'oid' && cls === 'enum') return String(answer.value).replace(/^\./u, '');
  if (type === 'oid' || type === 'ipAddress') return Absent.of('wrongType');
  if (answer.numeric) return cls === 'enum' ? String(answer.value) : Number(answer.value);
  // Some firmware sends numbers (and enum keys) as text ("23.5", "2").
  const text = String(answer.value).trim();
  if (cls === 'enum') return text === '' ? Absent.of('empty') : text;
  return NUMBER_TEXT.test(text) ? Number(text) : Absent.of(text === '' ? 'empty' : 'notANumber');
}

/** A number from a helper answer (digits, exponent): NaN when it is not one. */
export function numberOf(answer: RawAnswer): number {
  const raw = rawOf(answer, 'number');
  return typeof raw === 'number' ? raw : NaN;
}

/** One answer for the variable `name` → its NUT value, or why it is left out. */
export function decodeAnswer(name: string, def: Transform, answer: RawAnswer): Value | Absent {
  const cls = valueClass(name, def);
  const raw = rawOf(answer, cls);
  if (raw instanceof Absent) return raw;
  return checkDecoded(name, cls, decodeValue(raw, def));
}

/**
 * decodeAnswer for a variable whose name and transform stay the same poll after poll (a reader's learned plan), with
 * what depends on them alone worked out once: the value class, the plausibility limits, and the transform copied into
 * one fixed shape.
 * Profiles write transforms with any subset of their keys, each subset a hidden class of its own, which makes every
 * property read in decodeValue megamorphic (a stub cache probe per read) when they all come through it.
 */
export class Decoder {
  /** Per transform object, its decoders by name: see `of`. */
  private static readonly shared = new WeakMap<Transform, Map<string, Decoder>>();

  /**
   * The decoder of `name` with transform `def`, one per pair for the process: readers of one profile share theirs, so
   * a rack of a hundred units of one model touches one set of decoders per round, not a hundred. `def` must not change
   * afterwards (a profile's variables and columns never do). A table column's names carry the device's row indexes,
   * so past SHARED_PER_TRANSFORM names a transform's decoders are made afresh instead of kept (an agent inventing
   * rows cannot grow the map).
   */
  static of(name: string, def: Transform): Decoder {
    let byName = Decoder.shared.get(def);
    if (!byName) Decoder.shared.set(def, (byName = new Map()));
    let decoder = byName.get(name);
    if (!decoder) {
      decoder = new Decoder(name, def);
      if (byName.size < SHARED_PER_TRANSFORM) byName.set(name, decoder);
    }
    return decoder;
  }

  readonly cls: ValueClass;
  private readonly transform: Transform;
  private readonly limits: [number, number] | null;

  constructor(
    readonly name: string,
    def: Transform,
  ) {
    this.cls = valueClass(name, def);
    this.limits = limitsOf(name);
    const { scale, offset, invalid, negativeInvalid, zeroInvalid, enum: map, convert, decimals } = def;
    this.transform = { scale, offset, invalid, negativeInvalid, zeroInvalid, enum: map, convert, decimals };
  }

  /** The same as decodeAnswer(name, def, answer). */
  decode(answer: RawAnswer): Value | Absent {
    const raw = rawOf(answer, this.cls);
    if (raw instanceof Absent) return raw;
    return checkWithin(this.limits, this.cls, decodeValue(raw, this.transform));
  }
}

/** A decoded value (profile transform applied) → itself, or why it is left out (sentinel, unknown enum, implausible). */
export function checkDecoded(name: string, cls: ValueClass, value: Value | undefined): Value | Absent {
  return checkWithin(limitsOf(name), cls, value);
}

/** checkDecoded with the plausibility limits of the variable already looked up. */
function checkWithin(limits: [number, number] | null, cls: ValueClass, value: Value | undefined): Value | Absent {
  if (value === undefined) return Absent.of(cls === 'enum' ? 'unknownEnum' : 'sentinel');
  // An enum mapped to "" contributes nothing (a status source with no token to add).
  if (value === '') return Absent.of('empty');
  if (typeof value === 'number' && outside(value, limits)) return Absent.of('implausible');
  return value;
}
