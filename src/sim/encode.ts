// NUT value → what the device puts on the wire, for the simulator. encodeValue() is the exact inverse of the
// poller's decoding; this adds what only a simulator needs: a composite `ups.status` ("OB LB DISCHRG") has to be
// split over the enum OIDs/bits that each carry part of it, the way a real device reports it.
import { encodeValue } from '../normalize/transform';
import { encodeRegisters, registerCount } from '../protocol/modbus/codec';
import type { ModbusVariable, Transform } from '../profiles/types';
import type { Value } from '../types';

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

const tokens = (text: string): string[] => text.split(/\s+/u).filter(Boolean);

/**
 * The enum key a device sends for a value: the exact text if mapped, else the entry naming the most of the
 * value's status tokens (all of its own tokens present), else the entry that contributes nothing ("").
 */
function enumKey(value: Value, map: Record<string, string>): string | undefined {
  const keys = Object.keys(map);
  const exact = keys.find((k) => map[k] === String(value));
  if (exact !== undefined) return exact;
  const have = new Set(tokens(String(value)));
  let best: string | undefined;
  let bestCount = 0;
  for (const k of keys) {
    const own = tokens(map[k]);
    if (own.length > bestCount && own.every((t) => have.has(t))) {
      best = k;
      bestCount = own.length;
    }
  }
  return best ?? keys.find((k) => map[k] === '');
}

/** The raw value for one variable; undefined when the device has no way to express it (the OID stays empty). */
export function encodeSim(value: Value, t: Transform, integer = true): number | string | undefined {
  if (t.enum) {
    const key = enumKey(value, t.enum);
    if (key === undefined) return undefined;
    return encodeValue(t.enum[key], t, integer);
  }
  const raw = encodeValue(value, t, integer);
  if (typeof raw === 'number' && !Number.isFinite(raw)) return undefined;
  return raw;
}

/** SNMP INTEGER is 32-bit signed; a simulated counter must not make the encoder throw. */
export const clampInt32 = (n: number): number => Math.min(INT32_MAX, Math.max(INT32_MIN, Math.round(n)));

/** Status word from the `bits` map: every bit whose token(s) the status contains is set. */
function statusBits(value: Value, bits: Record<string, string>): number {
  const have = new Set(tokens(String(value)));
  let word = 0;
  for (const [bit, names] of Object.entries(bits)) {
    if (tokens(names).every((t) => have.has(t))) word += 2 ** Number(bit);
  }
  return word;
}

/** The registers of one Modbus variable, in the device's word order. */
export function encodeModbusVariable(value: Value, v: ModbusVariable): number[] | undefined {
  let raw: number | string | undefined;
  if (v.bits && (v.type === 'bits16' || v.type === 'bits32')) raw = statusBits(value, v.bits);
  else raw = encodeSim(value, v, v.type !== 'float32');
  if (raw === undefined) return undefined;
  return encodeRegisters(raw, v.type, v.wordOrder ?? 'ABCD', registerCount(v.type, v.length));
}

/**
 * The registers of a variable the model has no value for: its "not available" sentinel when the profile names one
 * (65535, -32768; -1 for a signed register whose negatives mean absent, as APC's timers), so the reader omits it as
 * it would on the device; undefined (the register reads 0, like an unmapped one) otherwise.
 */
export function absentModbusVariable(v: ModbusVariable): number[] | undefined {
  const count = registerCount(v.type, v.length);
  if (v.invalid?.length) return encodeRegisters(v.invalid[0], v.type, v.wordOrder ?? 'ABCD', count);
  if (v.negativeInvalid && (v.type === 'int16' || v.type === 'int32' || v.type === 'float32')) return encodeRegisters(-1, v.type, v.wordOrder ?? 'ABCD', count);
  return undefined;
}
