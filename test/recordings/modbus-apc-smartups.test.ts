// apc-smartups-modbus against a real Modbus/TCP server (test/harness/modbus-server.ts) holding the registers an APC
// Smart-UPS SMT750i had when NUT's apc_modbus driver dumped it (nut-ddl APC__Smart-UPS_750__apc_modbus__2.8.2__01.dev).
// The raw words are written here by hand from APC's register map (binary fixed point: value = raw / 2^n), so the
// profile is checked against the device's encoding and NUT's reading, not against its own inverse. Read through
// readOnce, the function behind `rackpower read modbus-tcp://...?profile=apc-smartups-modbus`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOnce } from '../../src/cli/read';
import { findProfile } from '../../src/profiles/load';
import type { ModbusProfile } from '../../src/profiles/types';
import { planReads } from '../../src/protocol/modbus/plan';
import type { Values } from '../../src/types';
import { startModbusServer, type TestModbusServer } from '../harness/modbus-server';

/** Two ASCII characters per register, high byte first, NUL padded to `regs` registers. */
function ascii(text: string, regs: number): number[] {
  const bytes = Buffer.alloc(regs * 2);
  bytes.write(text, 'latin1');
  return Array.from({ length: regs }, (_, i) => bytes.readUInt16BE(i * 2));
}

/** Holding registers (FC03) of the SMT750i; everything else reads 0 as on the device's unused addresses. */
function smt750(): Map<number, number> {
  const regs = new Map<number, number>();
  const put = (address: number, words: number[]): void => words.forEach((w, i) => regs.set(address + i, w & 0xffff));
  // UPSStatus_BF (0-1, uint32): bit 1 online, bit 13 high-efficiency mode → NUT "OL HE"
  put(0, [0x0000, (1 << 1) | (1 << 13)]);
  put(2, [8]); // StatusChangeCause 8 AcceptableInput
  put(18, [0]); // SimpleSignalingStatus: no shutdown imminent
  put(22, [0]); // BatterySystemError: none
  put(24, [0]); // RunTimeCalibrationStatus: none
  put(128, [0, 6420]); // battery runtime, uint32 s
  put(130, [100 * 512]); // battery charge, ÷2^9: 51200 → 100 %
  put(131, [859]); // battery voltage, ÷2^5: 859 → 26.84375 V
  put(135, [4774]); // battery temperature, ÷2^7: 4774 → 37.296875 °C
  put(136, [1329]); // output real power % of nominal, ÷2^8: 1329 → 5.19 %
  put(140, [10]); // output current, ÷2^5: 10 → 0.3125 A
  put(142, [239 * 64]); // output voltage, ÷2^6: 15296 → 239 V
  put(144, [6396]); // output frequency, ÷2^7: 6396 → 49.96875 Hz
  put(150, [0]); // InputStatus_BF: no boost, no trim
  put(151, [15385]); // input voltage, ÷2^6: 15385 → 240.390625 V
  put(154, [-3]); // efficiency: negative = a reason, not a number (NUT: LoadTooLow)
  put(155, [-1, -1, 0xffff, 0xffff]); // timers shutdown / start / reboot (int32): -1 not counting
  put(516, ascii('UPS 09.8', 8));
  put(532, ascii('Smart-UPS 750', 16));
  put(564, ascii('AS1316113420', 8));
  put(588, [750, 500]); // VA and W ratings
  put(596, ascii('APCUPS', 8));
  put(604, ascii('UPS Outlets', 8));
  put(612, ascii('Outlet Group 1', 8));
  put(1026, [253, 208]); // transfer high / low, V
  put(1029, [180, 0, 0, 8]); // main outlet group delays: shutdown, start (int16), reboot (int32), s
  put(1034, [90, 0, 0, 8]); // outlet group 1
  put(1039, [-1, -1, 0xffff, 0xffff]); // outlet group 2: not fitted (-1)
  put(1044, [-1, -1, 0xffff, 0xffff]); // outlet group 3: not fitted (-1)
  return regs;
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
  it('reads the SMT750i as NUT apc_modbus did', async () => {
    registers = smt750();
    const { device, values: v } = await read();
    // NUT: device.mfr American Power Conversion, device.model Smart-UPS 750, ups.serial AS1316113420, ups.firmware UPS 09.8
    expect(device).toMatchObject({ profile: 'apc-smartups-modbus', kind: 'ups', manufacturer: 'American Power Conversion', model: 'Smart-UPS 750', serial: 'AS1316113420', firmware: 'UPS 09.8' });
    // NUT: ups.status "OL HE" (bit 1 online, bit 13 high-efficiency)
    expect(v['ups.status']).toBe('OL HE');
    // NUT: battery.charge 100.00, battery.runtime 6420, battery.voltage 26.84, battery.temperature 37.30
    expect(v['battery.charge']).toBe(100);
    expect(v['battery.runtime']).toBe(6420);
    expect(v['battery.voltage']).toBeCloseTo(26.84, 2);
    expect(v['battery.temperature']).toBeCloseTo(37.3, 2);
    // NUT: ups.load 5.19, output.current 0.31, output.voltage 239.00, output.frequency 49.97, input.voltage 240.39
    expect(v['ups.load']).toBeCloseTo(5.19, 2);
    expect(v['output.current']).toBeCloseTo(0.31, 2);
    expect(v['output.voltage']).toBe(239);
    expect(v['output.frequency']).toBeCloseTo(49.97, 2);
    expect(v['input.voltage']).toBeCloseTo(240.39, 2);
    // NUT: input.transfer.reason AcceptableInput, input.transfer.high 253, input.transfer.low 208
    expect(v['input.transfer.reason']).toBe('AcceptableInput');
    expect(v['input.transfer.high']).toBe(253);
    expect(v['input.transfer.low']).toBe(208);
    // NUT: ups.power.nominal 750, ups.realpower.nominal 500, ups.id APCUPS
    expect(v['ups.power.nominal']).toBe(750);
    expect(v['ups.realpower.nominal']).toBe(500);
    expect(v['ups.id']).toBe('APCUPS');
    // NUT: outlet.group.0.name UPS Outlets, outlet.group.1.name Outlet Group 1
    expect(v['outlet.group.0.name']).toBe('UPS Outlets');
    expect(v['outlet.group.1.name']).toBe('Outlet Group 1');
    // NUT: ups.delay.shutdown 180, ups.delay.start 0, ups.delay.reboot 8; outlet.group.1.delay.shutdown 90 / start 0 / reboot 8
    expect([v['ups.delay.shutdown'], v['ups.delay.start'], v['ups.delay.reboot']]).toEqual([180, 0, 8]);
    expect([v['outlet.group.1.delay.shutdown'], v['outlet.group.1.delay.start'], v['outlet.group.1.delay.reboot']]).toEqual([90, 0, 8]);
    // NUT prints -1 for the absent outlet groups 2 and 3 and for the idle timers; -1 is "not applicable": omitted
    for (const name of ['outlet.group.2.delay.shutdown', 'outlet.group.3.delay.reboot', 'ups.timer.shutdown', 'ups.timer.reboot']) {
      expect(v[name], name).toBeUndefined();
    }
    // NUT: ups.efficiency LoadTooLow (a reason code, negative on the wire): no number to publish
    expect(v['ups.efficiency']).toBeUndefined();
  });

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
