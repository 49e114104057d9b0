// A Modbus TCP server for simulated devices: one TCP port, one or several unit ids (like a gateway in front of
// an RS-485 bus), each unit a device whose values are encoded by its profile into input or holding registers.
import type net from 'node:net';
import { ServerTCP, type FCallbackVal, type IServiceVector } from 'modbus-serial';
import { absentModbusVariable, encodeModbusVariable } from './encode';
import { Random } from './random';
import type { DeviceSource } from './types';
import { modelValue } from './wire';
import type { ModbusProfile } from '../profiles/types';
import type { Values } from '../types';

export interface ModbusUnit {
  unit: number;
  profile: ModbusProfile;
  source: DeviceSource;
}

export interface ModbusServerOptions {
  units: ModbusUnit[];
  host?: string;
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Seed for garbage replies. */
  seed?: number;
}

export interface RunningModbusServer {
  host: string;
  port: number;
  close(): Promise<void>;
}

const ILLEGAL_DATA_ADDRESS = 2;
const ILLEGAL_DATA_VALUE = 3;
const SERVER_DEVICE_FAILURE = 4;
/** What a gateway answers for a unit id with no device behind it. */
const GATEWAY_TARGET_FAILED = 0x0b;
const MAX_READ = 125;

/** modbus-serial turns an Error's `modbusErrorCode` into the exception reply. */
const exception = (code: number): Error => Object.assign(new Error(`modbus exception ${code}`), { modbusErrorCode: code });

type RegisterFunction = 3 | 4;

class UnitRegisters {
  // model.values() returns one object per step, so the encoded registers are computed once per step too.
  private readonly cache = { 3: new WeakMap<Values, Map<number, number>>(), 4: new WeakMap<Values, Map<number, number>>() };

  constructor(private readonly unit: ModbusUnit) {}

  read(fn: RegisterFunction, address: number, length: number): number[] {
    const values = this.unit.source.values();
    let map = this.cache[fn].get(values);
    if (!map) {
      map = new Map();
      for (const v of this.unit.profile.variables) {
        if (v.function !== fn) continue;
        const value = modelValue(values, v.name);
        const words = value === undefined ? absentModbusVariable(v) : encodeModbusVariable(value, v);
        // The first variable mapping a register wins, as for SNMP alternatives.
        words?.forEach((word, k) => {
          if (!map!.has(v.register + k)) map!.set(v.register + k, word);
        });
      }
      this.cache[fn].set(values, map);
    }
    // Unmapped registers read as 0, as on most devices with gaps in their register map.
    return Array.from({ length }, (_, k) => map.get(address + k) ?? 0);
  }
}

export async function startModbusServer(options: ModbusServerOptions): Promise<RunningModbusServer> {
  const host = options.host ?? '127.0.0.1';
  const rng = new Random(options.seed ?? 1);
  const units = new Map(options.units.map((u) => [u.unit, { source: u.source, registers: new UnitRegisters(u) }]));
  if (units.size !== options.units.length) throw new Error('modbus server: unit ids must be unique');

  /** Answers through `reply`, or not at all while the unit is comms-lost (the client times out). */
  const read = (fn: RegisterFunction, address: number, length: number, unitId: number, reply: FCallbackVal<number[]>): void => {
    const unit = units.get(unitId);
    if (!unit) return reply(exception(GATEWAY_TARGET_FAILED), []);
    const fault = unit.source.fault();
    if (fault === 'comms-lost') return;
    if (length < 1 || length > MAX_READ) return reply(exception(ILLEGAL_DATA_VALUE), []);
    if (address + length > 0x10000) return reply(exception(ILLEGAL_DATA_ADDRESS), []);
    if (fault === 'garbage') {
      // Half the replies fail outright, the others carry noise instead of measurements.
      if (rng.next() < 0.5) return reply(exception(SERVER_DEVICE_FAILURE), []);
      return reply(null, Array.from({ length }, () => rng.int(0x10000)));
    }
    reply(null, unit.registers.read(fn, address, length));
  };
  // Every parameter is declared: modbus-serial picks the callback style by the function's arity.
  const vector: IServiceVector = {
    getMultipleInputRegisters: (address: number, length: number, unitId: number, cb: FCallbackVal<number[]>) => read(4, address, length, unitId, cb),
    getMultipleHoldingRegisters: (address: number, length: number, unitId: number, cb: FCallbackVal<number[]>) => read(3, address, length, unitId, cb),
    // Single-register reads bypass the "multiple" functions.
    getInputRegister: (address: number, unitId: number, cb: FCallbackVal<number>) => read(4, address, 1, unitId, (err, words) => cb(err, words[0])),
    getHoldingRegister: (address: number, unitId: number, cb: FCallbackVal<number>) => read(3, address, 1, unitId, (err, words) => cb(err, words[0])),
  };

  // modbus-serial listens on `port || 502`, so a numeric 0 would mean 502; the string "0" passes that test and
  // net.Server reads it as "any free port".
  const server = new ServerTCP(vector, { host, port: (options.port || '0') as number, unitID: 255 });
  const tcp = (server as unknown as { _server: net.Server })._server;
  await new Promise<void>((resolve, reject) => {
    server.on('initialized', () => resolve());
    server.on('serverError', (err) => reject(err ?? new Error('modbus server failed to start')));
  });
  const address = tcp.address();
  if (!address || typeof address === 'string') throw new Error('modbus server: no TCP address');
  return {
    host,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
      }),
  };
}
