// 16-bit Modbus registers ⇄ typed values, with explicit word/byte order (Telegraf's ABCD/CDAB/BADC/DCBA naming:
// A is the most significant byte; ABCD is big-endian words and bytes, the Modbus convention).

/** How a value is laid out in registers (`string` takes `length` registers, 2 characters each). */
export type RegisterType = 'int16' | 'uint16' | 'int32' | 'uint32' | 'float32' | 'string' | 'bits16' | 'bits32';
/** Telegraf's naming: A is the most significant byte of a 32-bit value. */
export type WordOrder = 'ABCD' | 'CDAB' | 'BADC' | 'DCBA';

/** Registers a value of this type occupies. */
export function registerCount(type: RegisterType, length?: number): number {
  switch (type) {
    case 'int16':
    case 'uint16':
    case 'bits16':
      return 1;
    case 'string':
      return length ?? 1;
    default:
      return 2;
  }
}

const swapBytes = (reg: number): number => ((reg & 0xff) << 8) | ((reg >> 8) & 0xff);

/** Puts two registers into ABCD order (high word first, big-endian bytes). */
function toABCD(r0: number, r1: number, order: WordOrder): [number, number] {
  switch (order) {
    case 'ABCD':
      return [r0, r1];
    case 'CDAB':
      return [r1, r0];
    case 'BADC':
      return [swapBytes(r0), swapBytes(r1)];
    case 'DCBA':
      return [swapBytes(r1), swapBytes(r0)];
  }
}

/** Decodes the registers of one value (regs holds exactly registerCount() registers). */
export function decodeRegisters(regs: number[], type: RegisterType, order: WordOrder = 'ABCD'): number | string {
  switch (type) {
    case 'uint16':
    case 'bits16':
      return regs[0] & 0xffff;
    case 'int16':
      return (regs[0] << 16) >> 16;
    case 'string':
      return decodeString(regs);
  }
  const [hi, lo] = toABCD(regs[0], regs[1], order);
  const buf = Buffer.alloc(4);
  buf.writeUInt16BE(hi & 0xffff, 0);
  buf.writeUInt16BE(lo & 0xffff, 2);
  switch (type) {
    case 'int32':
      return buf.readInt32BE(0);
    case 'float32':
      return buf.readFloatBE(0);
    default:
      return buf.readUInt32BE(0);
  }
}

/** Two ASCII characters per register, high byte first; NUL and space padding trimmed. */
function decodeString(regs: number[]): string {
  const buf = Buffer.alloc(regs.length * 2);
  regs.forEach((r, i) => buf.writeUInt16BE(r & 0xffff, i * 2));
  return buf.toString('latin1').replace(/[\0 ]+$/u, '').replace(/\0/gu, '');
}

/** Inverse of decodeRegisters: what a device puts on the wire for a value. */
export function encodeRegisters(value: number | string, type: RegisterType, order: WordOrder = 'ABCD', length = 1): number[] {
  if (type === 'string') {
    const buf = Buffer.alloc(length * 2);
    buf.write(String(value).slice(0, length * 2), 'latin1');
    return Array.from({ length }, (_, i) => buf.readUInt16BE(i * 2));
  }
  const n = Number(value);
  if (type === 'int16' || type === 'uint16' || type === 'bits16') return [n & 0xffff];
  const buf = Buffer.alloc(4);
  if (type === 'float32') buf.writeFloatBE(n, 0);
  else if (type === 'int32') buf.writeInt32BE(n, 0);
  else buf.writeUInt32BE(n >>> 0, 0);
  const hi = buf.readUInt16BE(0);
  const lo = buf.readUInt16BE(2);
  // Every order is its own inverse, so the same mapping turns ABCD back into the device's order.
  return toABCD(hi, lo, order);
}
