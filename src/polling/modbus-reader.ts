// Reads one Modbus unit with one profile over a transport it shares with other units: plans coalesced reads once,
// re-reads static values (identity, ratings) only every staticRefresh seconds, and turns registers into NUT values.
import { RackpowerError } from '../errors';
import { joinStatus, statusTokens } from '../normalize/nut';
import { decodeValue } from '../normalize/transform';
import { Absent, checkDecoded, valueClass } from '../normalize/value-class';
import type { ModbusProfile, ModbusVariable } from '../profiles/types';
import { decodeRegisters, registerCount } from '../protocol/modbus/codec';
import { planReads, type ReadBlock } from '../protocol/modbus/plan';
import { modbusExceptionCode, type ModbusTransport } from '../protocol/modbus/transport';
import type { Value, Values } from '../types';
import { AbsentCounter, type DeviceDiagnostics } from './diagnostics';
import { identityOf } from './identity';
import type { DeviceReader, Identification } from './types';

type RawValues = Map<ModbusVariable, number | string>;

/** Modbus exceptions meaning "this unit has no such registers", not "this unit is unwell". */
const REFUSALS = new Set([1, 2, 3]);

export class ModbusDeviceReader implements DeviceReader {
  /** The user's name for the device; by default where it is reached, `modbus-tcp://10.0.0.9:502?unit=1`. */
  readonly name: string;
  private readonly transport: ModbusTransport;
  private readonly profile: ModbusProfile;
  private readonly unit: number;
  private readonly staticBlocks: ReadBlock<ModbusVariable>[];
  private readonly dynamicBlocks: ReadBlock<ModbusVariable>[];
  private staticRaw?: RawValues;
  private staticReadAt = 0;
  private requests = 0;
  private readonly absent = new AbsentCounter();

  constructor(transport: ModbusTransport, profile: ModbusProfile, unit: number, name?: string) {
    this.transport = transport;
    this.profile = profile;
    this.unit = unit;
    const address = transport.describe();
    this.name = name ?? `${address}${address.includes('?') ? '&' : '?'}unit=${unit}`;
    const opts = { maxGap: profile.maxGap ?? 8, maxRegisters: profile.maxRegisters ?? 125 };
    this.staticBlocks = planReads(profile.variables.filter((v) => v.static), opts);
    this.dynamicBlocks = planReads(profile.variables.filter((v) => !v.static), opts);
  }

  get requestCount(): number {
    return this.requests;
  }

  async identify(): Promise<Identification> {
    await this.refreshStatic();
    return identityOf(this.profile, this.compose(this.staticRaw!));
  }

  async read(): Promise<Values> {
    const refreshAfterMs = (this.profile.staticRefresh ?? 3600) * 1000;
    if (!this.staticRaw || Date.now() - this.staticReadAt >= refreshAfterMs) await this.refreshStatic();
    const raw = new Map([...this.staticRaw!, ...(await this.readBlocks(this.dynamicBlocks))]);
    this.absent.begin();
    const values = this.compose(raw, this.absent);
    this.absent.end();
    return values;
  }

  diagnostics(): DeviceDiagnostics {
    return this.absent.snapshot(this.transport.faults());
  }

  /** The transport is shared with other units; its owner closes it. */
  async close(): Promise<void> {
    this.staticRaw = undefined;
  }

  private async refreshStatic(): Promise<void> {
    this.staticRaw = await this.readBlocks(this.staticBlocks);
    this.staticReadAt = Date.now();
  }

  /**
   * Reads blocks one after the other (the transport serializes them anyway). A block the device refuses as an
   * illegal function, address or value only loses its own values, as a model variant without some registers
   * would; any other failure fails the whole read, and so does a read where every block was refused.
   */
  private async readBlocks(blocks: ReadBlock<ModbusVariable>[]): Promise<RawValues> {
    const raw: RawValues = new Map();
    let refused: RackpowerError | undefined;
    for (const block of blocks) {
      this.requests++;
      let registers: number[];
      try {
        registers = await this.transport.read(this.unit, block.function, block.start, block.count);
      } catch (err) {
        if (REFUSALS.has(modbusExceptionCode(err) ?? 0)) {
          refused ??= err as RackpowerError;
          continue;
        }
        throw err;
      }
      for (const v of block.variables) {
        const offset = v.register - block.start;
        const value = decodeRegisters(registers.slice(offset, offset + registerCount(v.type, v.length)), v.type, v.wordOrder);
        raw.set(v, value);
      }
    }
    if (refused && raw.size === 0) throw refused;
    return raw;
  }

  /**
   * Raw registers → NUT values, in profile order. Bit fields and any `ups.status` variable all feed one
   * `ups.status`, tokens deduplicated in the order the profile lists their sources. decodeValue drops NaN and
   * infinite floats and the profile's sentinels. When a name appears twice the first value wins.
   */
  private compose(raw: RawValues, absent?: AbsentCounter): Values {
    const values: Values = {};
    const status: string[] = [];
    for (const v of this.profile.variables) {
      const r = raw.get(v);
      if (r === undefined) continue;
      // Registers are numbers by construction (or text for string registers): the type is never wrong, but the
      // value may be a sentinel or physically impossible. Bit fields are flags, not quantities.
      const value = v.bits ? decodeValue(r, v) : checkDecoded(v.name, valueClass(v.name, v), decodeValue(r, v));
      if (value === undefined || value instanceof Absent) {
        absent?.add(v.name, value?.reason ?? 'sentinel');
        continue;
      }
      if (v.bits) status.push(...bitTokens(value, v.bits));
      else if (v.name === 'ups.status') status.push(...statusTokens(value));
      else values[v.name] ??= value;
    }
    for (const [name, value] of Object.entries(this.profile.constants ?? {})) values[name] ??= value;
    const joined = joinStatus(status);
    if (joined) values['ups.status'] = joined;
    return values;
  }
}

/** The status tokens of the set bits, in bit order; a map value may hold several tokens ("OB LB"). */
function bitTokens(value: Value, bits: Record<string, string>): string[] {
  if (typeof value !== 'number') return [];
  return Object.keys(bits)
    .map(Number)
    .sort((a, b) => a - b)
    .filter((bit) => ((value >>> bit) & 1) === 1)
    .flatMap((bit) => statusTokens(bits[String(bit)]));
}
