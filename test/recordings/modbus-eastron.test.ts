// eastron-sdm630 and eastron-sdm230 against a real Modbus/TCP server (test/harness/modbus-server.ts) holding input
// registers (FC04) the way the meters encode them: IEEE-754 float32, big-endian words (ABCD), at the addresses of the
// Eastron register map (volkszaehler/mbmd sdm.go, shared reference modbus-maps.md). The words are literal (computed
// with Python's struct.pack('>f', x)), so the profile is checked against the wire format, not against its own codec.
// Read through readOnce, the function behind `rackpower read modbus-tcp://...?profile=...`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOnce } from '../../src/cli/read';
import type { Values } from '../../src/types';
import { startModbusServer, type TestModbusServer } from '../harness/modbus-server';

const SDM630_UNIT = 1;
const SDM230_UNIT = 2;

/** Register address → the two words of a float32, per unit. */
const SDM630: Array<[number, [number, number]]> = [
  [0x0000, [0x4366, 0x8000]], // L1-N voltage 230.5 V
  [0x0002, [0x4367, 0x4000]], // L2-N voltage 231.25 V
  [0x0004, [0x4365, 0xc000]], // L3-N voltage 229.75 V
  [0x0006, [0x40a8, 0x0000]], // L1 current 5.25 A
  [0x0008, [0x4060, 0x0000]], // L2 current 3.5 A
  [0x000a, [0x3fe0, 0x0000]], // L3 current 1.75 A
  [0x000c, [0x448f, 0xd000]], // L1 active power 1150.5 W
  [0x000e, [0x443e, 0x1000]], // L2 active power 760.25 W
  [0x0010, [0xc2f1, 0x0000]], // L3 active power -120.5 W (exporting)
  [0x0012, [0x4497, 0x4000]], // L1 apparent power 1210 VA
  [0x0014, [0x444a, 0x6000]], // L2 apparent power 809.5 VA
  [0x0016, [0x43c9, 0x0000]], // L3 apparent power 402 VA
  [0x001e, [0x3f73, 0x74bc]], // L1 power factor 0.951
  [0x0034, [0x44df, 0xc800]], // total system power 1790.25 W
  [0x0038, [0x4517, 0x5800]], // total system VA 2421.5
  [0x003e, [0x3f3d, 0x2f1b]], // total power factor 0.739
  [0x0046, [0x4247, 0xeb85]], // frequency 49.98 Hz
  [0x0048, [0x4640, 0xe6b6]], // import active energy 12345.678 kWh
  [0x004a, [0x4148, 0x0000]], // export active energy 12.5 kWh
  [0x00c8, [0x43c7, 0xa000]], // L1-L2 voltage 399.25 V
  [0x0156, [0x4641, 0x18b6]], // total active energy 12358.178 kWh
];
const SDM230: Array<[number, [number, number]]> = [
  [0x0000, [0x4366, 0x8000]], // voltage 230.5 V
  [0x0006, [0x40a8, 0x0000]], // current 5.25 A
  [0x000c, [0x448f, 0xd000]], // active power 1150.5 W
  [0x0046, [0x4247, 0xeb85]], // frequency 49.98 Hz
  [0x0156, [0x4641, 0x18b6]], // total active energy 12358.178 kWh
];

function table(entries: Array<[number, [number, number]]>): Map<number, number> {
  const regs = new Map<number, number>();
  for (const [address, [hi, lo]] of entries) {
    regs.set(address, hi);
    regs.set(address + 1, lo);
  }
  return regs;
}
const units = new Map([[SDM630_UNIT, table(SDM630)], [SDM230_UNIT, table(SDM230)]]);

let server: TestModbusServer;
beforeAll(async () => {
  server = await startModbusServer(async (fn, unit, address, count) => {
    const regs = units.get(unit);
    if (!regs || fn !== 4) throw Object.assign(new Error('illegal function'), { modbusErrorCode: 1 });
    return Array.from({ length: count }, (_, i) => regs.get(address + i) ?? 0);
  });
});
afterAll(() => server?.close());

async function read(unit: number, profile: string): Promise<Values> {
  return (await readOnce(`modbus-tcp://127.0.0.1:${server.port}?unit=${unit}&profile=${profile}`, { values: true })).values;
}

describe('Eastron SDM630 (eastron-sdm630)', () => {
  it('reads per-phase and total values under NUT 3-phase names', async () => {
    const v = await read(SDM630_UNIT, 'sdm630');
    expect(v['device.model']).toBe('SDM630');
    expect(v['input.phases']).toBe(3);
    // Register map: phase 1/2/3 line-to-neutral volts at 0x00/0x02/0x04 → input.Lx-N.voltage (one decimal kept)
    expect(v['input.L1-N.voltage']).toBe(230.5);
    expect(v['input.L2-N.voltage']).toBe(231.3); // 231.25, one decimal kept
    expect(v['input.L3-N.voltage']).toBe(229.8);
    // 0x06/0x08/0x0A phase currents → input.Lx.current
    expect([v['input.L1.current'], v['input.L2.current'], v['input.L3.current']]).toEqual([5.25, 3.5, 1.75]);
    // 0x0C.. active power (signed: L3 exports), 0x12.. apparent power
    expect(v['input.L1.realpower']).toBe(1150.5);
    expect(v['input.L2.realpower']).toBe(760.3);
    expect(v['input.L3.realpower']).toBe(-120.5);
    expect([v['input.L1.power'], v['input.L2.power'], v['input.L3.power']]).toEqual([1210, 809.5, 402]);
    expect(v['input.L1.powerfactor']).toBe(0.951);
    // 0x34 total W, 0x38 total VA, 0x3E total PF, 0x46 frequency
    expect(v['input.realpower']).toBe(1790.3);
    expect(v['input.power']).toBe(2421.5);
    expect(v['input.powerfactor']).toBe(0.739);
    expect(v['input.frequency']).toBe(49.98);
    // 0xC8 line-to-line voltage L1-L2
    expect(v['input.L1-L2.voltage']).toBe(399.3);
    // 0x48 / 0x4A import / export kWh, 0x156 total kWh (the extension names eastron-sdm120 uses)
    expect(v['input.energy.import']).toBe(12345.678);
    expect(v['input.energy.export']).toBe(12.5);
    expect(v['input.energy']).toBe(12358.178);
    // Registers the meter leaves at 0 read as 0.0 floats, not absent (a real meter reports 0 var, 0 V L2-L3 on a
    // disconnected phase): present and numeric.
    expect(v['input.L2-L3.voltage']).toBe(0);
  });
});

describe('Eastron SDM230 (eastron-sdm230)', () => {
  it('reads the single-phase SDM120 layout', async () => {
    const v = await read(SDM230_UNIT, 'eastron-sdm230');
    expect(v).toMatchObject({
      'device.mfr': 'Eastron',
      'device.model': 'SDM230',
      'input.voltage': 230.5,
      'input.current': 5.25,
      'input.realpower': 1150.5,
      'input.frequency': 49.98,
      'input.energy': 12358.178,
    });
  });
});
