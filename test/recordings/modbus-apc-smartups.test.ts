// apc-smartups-modbus quirks, on edited copies of its package's register dump (profiles/modbus/apc-smartups-modbus/
// smt750i-nut-ddl.modbus, whose values packages.test.ts checks against NUT's reading): status bitfields other than
// the dump's, the 0xFFFF "not applicable" sentinel, and the number of requests. Served by a real Modbus/TCP server
// (test/harness/modbus-server.ts) and read through readOnce, the function behind `rackpower read`.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOnce } from '../../src/cli/read';
import { findProfile, PROFILE_DIR } from '../../src/profiles/load';
import type { ModbusProfile } from '../../src/profiles/types';
import { planReads } from '../../src/protocol/modbus/plan';
import type { Values } from '../../src/types';
import { startModbusServer, type TestModbusServer } from '../harness/modbus-server';
import { readRegisterDump } from '../harness/packages';

const DUMP = path.join(PROFILE_DIR, 'modbus', 'apc-smartups-modbus', 'smt750i-nut-ddl.modbus');

/** Holding registers (FC03) of the SMT750i from the package's dump, a fresh copy each time a test edits them. */
function smt750(): Map<number, number> {
  return new Map(readRegisterDump(DUMP).get(1)?.get(3));
}

let registers = smt750();
const reads: Array<{ fn: number; address: number; count: number }> = [];
let server: TestModbusServer;
beforeAll(async () => {
  server = await startModbusServer(async (fn, unit, address, count) => {
    reads.push({ fn, address, count });
    if (unit !== 1 || fn !== 3) throw Object.assign(new Error('illegal function'), { modbusErrorCode: 1 });
    return Array.from({ length: count }, (_, i) => registers.get(address + i) ?? 0);
  });
});
afterAll(() => server?.close());

async function read(): Promise<{ device: Record<string, unknown>; values: Values }> {
  const reading = await readOnce(`modbus-tcp://127.0.0.1:${server.port}?unit=1&profile=apc-smartups-modbus`, { values: true });
  return { device: reading.device as unknown as Record<string, unknown>, values: reading.values };
}

describe('APC Smart-UPS over Modbus (apc-smartups-modbus)', () => {
  it('turns the status bitfields into NUT tokens: on battery, low, replace battery, overload, trim', async () => {
    registers = smt750();
    // UPSStatus_BF bit 2 on battery (low word, register 1), bit 21 overload (high word, register 0: bit 21 - 16)
    registers.set(0, 1 << (21 - 16));
    registers.set(1, 1 << 2);
    registers.set(18, 1 << 1); // SimpleSignalingStatus bit 1 ShutdownImminent → LB (NUT)
    registers.set(22, 1 << 2); // BatterySystemError bit 2 needs replacement → RB (NUT)
    registers.set(150, 1 << 6); // InputStatus bit 6 → TRIM (NUT)
    expect((await read()).values['ups.status']).toBe('OB OVER LB RB TRIM');
    registers.set(0, 0);
    registers.set(1, (1 << 1) | (1 << 3)); // online and bypass
    registers.set(18, 0);
    registers.set(22, 0);
    registers.set(150, 1 << 5); // BOOST
    registers.set(24, 1 << 1); // RunTimeCalibrationStatus bit 1 in progress → CAL (NUT)
    expect((await read()).values['ups.status']).toBe('OL BYPASS CAL BOOST');
  });

  it('drops 0xFFFF input voltage (not applicable) and reads in few requests, holding registers only', async () => {
    registers = smt750();
    registers.set(151, 0xffff);
    reads.length = 0;
    const { values: v } = await read();
    expect(v['input.voltage']).toBeUndefined();
    expect(reads.every((r) => r.fn === 3)).toBe(true);
    const profile = findProfile('apc-smartups-modbus') as ModbusProfile;
    const opts = { maxGap: profile.maxGap ?? 8, maxRegisters: profile.maxRegisters ?? 125 };
    const planned = planReads(profile.variables.filter((x) => x.static), opts).length + planReads(profile.variables.filter((x) => !x.static), opts).length;
    // identify() reads the static blocks, read() the dynamic ones (statics come from cache): NUT's four blocks, split
    // where the map has holes wider than maxGap.
    expect(reads.length).toBe(planned);
    expect(planned).toBeLessThanOrEqual(8);
  });
});
