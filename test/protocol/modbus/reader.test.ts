// ModbusDeviceReader against a real Modbus/TCP server holding registers encoded the way each device encodes them,
// with mbpoll (an independent Modbus master) reading the same registers as a cross-check.
// @module-tag peer: mbpoll
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RackpowerError } from '../../../src/errors';
import { encodeValue } from '../../../src/normalize/transform';
import { ModbusDeviceReader } from '../../../src/polling/modbus-reader';
import { findProfile } from '../../../src/profiles/load';
import type { ModbusProfile, ModbusVariable } from '../../../src/profiles/types';
import { encodeRegisters } from '../../../src/protocol/modbus/codec';
import { planReads } from '../../../src/protocol/modbus/plan';
import { ModbusTransport } from '../../../src/protocol/modbus/transport';
import type { Value } from '../../../src/types';
import { startModbusServer, type Answer, type TestModbusServer } from '../../harness/modbus-server';

const SDM_UNIT = 1;
const MD02_UNIT = 2;
const UPS_UNIT = 3; // refuses input registers from 300 on
const REFUSING_UNIT = 5; // refuses everything
const DEAD_UNIT = 9; // never answers

const sdm = findProfile('eastron-sdm120') as ModbusProfile;
const md02 = findProfile('xy-md02') as ModbusProfile;

/** A UPS profile exercising what the shipped ones do not: static identity, status bits, word order, NaN. */
const ups: ModbusProfile = {
  id: 'test-ups', protocol: 'modbus', kind: 'ups', vendor: 'Test', models: ['T1'], description: 'test UPS',
  match: { model: ['t1'] },
  staticRefresh: 0.3,
  constants: { 'device.mfr': 'TestCo' },
  variables: [
    { name: 'ups.status', register: 0, function: 3, type: 'uint16', enum: { '2': 'OL', '3': 'OB' } },
    { name: 'ups.status', register: 1, function: 3, type: 'bits32', bits: { '1': 'LB', '3': 'OL', '17': 'RB', '20': 'OVER' } },
    { name: 'battery.charge', register: 3, function: 3, type: 'uint16', scale: 0.1 },
    { name: 'input.frequency', register: 0, function: 4, type: 'float32' },
    { name: 'output.voltage', register: 2, function: 4, type: 'float32', wordOrder: 'CDAB', decimals: 1 },
    { name: 'output.current', register: 300, function: 4, type: 'uint16' },
    { name: 'ups.model', register: 100, function: 3, type: 'string', length: 8, static: true },
    { name: 'ups.serial', register: 108, function: 3, type: 'string', length: 4, static: true },
    { name: 'ups.firmware', register: 112, function: 3, type: 'string', length: 4, static: true },
  ],
};

const registers = new Map<string, number>();
const key = (unit: number, fn: number, address: number) => `${unit}/${fn}/${address}`;

function setRaw(unit: number, v: ModbusVariable, raw: number | string): void {
  encodeRegisters(raw, v.type, v.wordOrder, v.length).forEach((r, i) => registers.set(key(unit, v.function, v.register + i), r));
}

/** Puts NUT values into the registers as the device would encode them (encodeValue is decodeValue's inverse). */
function setValues(unit: number, profile: ModbusProfile, values: Record<string, Value>): void {
  for (const v of profile.variables) {
    if (v.name in values) setRaw(unit, v, encodeValue(values[v.name], v, v.type !== 'float32'));
  }
}
const variable = (profile: ModbusProfile, name: string) => profile.variables.find((v) => v.name === name)!;

const answer: Answer = async (fn, unit, address, count) => {
  if (unit === DEAD_UNIT) return new Promise<number[]>(() => undefined);
  if (unit === REFUSING_UNIT || (unit === UPS_UNIT && fn === 4 && address + count > 300)) {
    throw Object.assign(new Error('illegal data address'), { modbusErrorCode: 2 });
  }
  return Array.from({ length: count }, (_, i) => registers.get(key(unit, fn, address + i)) ?? 0);
};

let server: TestModbusServer;
let port: number;
let transport: ModbusTransport;

beforeAll(async () => {
  server = await startModbusServer(answer);
  port = server.port;
  transport = new ModbusTransport({ kind: 'tcp', host: '127.0.0.1', port, timeoutMs: 300 });
});

afterAll(async () => {
  await transport.close();
  await server.close();
});

const SDM_VALUES = {
  'input.voltage': 230.1,
  'input.current': 1.23,
  'input.realpower': 250.5,
  'input.power': 283.2,
  'input.reactivepower': -12.4,
  'input.powerfactor': 0.885,
  'input.frequency': 50.02,
  'input.energy.import': 1234.567,
  'input.energy.export': 0.5,
  'input.energy': 1235.067,
};

describe('ModbusDeviceReader', () => {
  it('reads an SDM120 and an XY-MD02 sharing one connection, in the number of requests the plan says', async () => {
    setValues(SDM_UNIT, sdm, SDM_VALUES);
    setValues(MD02_UNIT, md02, { 'ambient.1.temperature': 23.5, 'ambient.1.humidity': 41.2 });
    const meter = new ModbusDeviceReader(transport, sdm, SDM_UNIT, 'meter');
    const sensor = new ModbusDeviceReader(transport, md02, MD02_UNIT);
    expect(sensor.name).toBe(`modbus-tcp://127.0.0.1:${port}?unit=2`);

    expect(await meter.identify()).toEqual({ profile: 'eastron-sdm120', kind: 'meter', manufacturer: 'Eastron', model: 'SDM120' });
    const [meterValues, sensorValues] = await Promise.all([meter.read(), sensor.read()]);
    expect(meterValues).toEqual({ ...SDM_VALUES, 'device.mfr': 'Eastron', 'device.model': 'SDM120', 'device.type': 'meter' });
    expect(sensorValues).toEqual({ 'ambient.1.temperature': 23.5, 'ambient.1.humidity': 41.2, 'ambient.count': 1, 'device.type': 'sensor' });

    const planned = (p: ModbusProfile) => planReads(p.variables, { maxGap: p.maxGap ?? 8, maxRegisters: p.maxRegisters ?? 125 }).length;
    expect(meter.requestCount).toBe(planned(sdm));
    expect(meter.requestCount).toBe(3);
    expect(sensor.requestCount).toBe(planned(md02));
    expect(sensor.requestCount).toBe(1);
  });

  it('omits the XY-MD02 sentinels (-32768 temperature, 65535 humidity)', async () => {
    setRaw(MD02_UNIT, variable(md02, 'ambient.1.temperature'), -32768);
    setRaw(MD02_UNIT, variable(md02, 'ambient.1.humidity'), 65535);
    const sensor = new ModbusDeviceReader(transport, md02, MD02_UNIT);
    expect(await sensor.read()).toEqual({ 'ambient.count': 1, 'device.type': 'sensor' });
  });

  it('reads the same SDM120 floats as mbpoll does', async () => {
    setValues(SDM_UNIT, sdm, SDM_VALUES);
    const values = await new ModbusDeviceReader(transport, sdm, SDM_UNIT).read();
    for (const name of ['input.voltage', 'input.energy'] as const) {
      // mbpoll: -t 3:float input registers as floats, -B big-endian words (ABCD), -r is 1-based.
      const reference = String(variable(sdm, name).register + 1);
      const output = await mbpoll(['-m', 'tcp', '-a', String(SDM_UNIT), '-t', '3:float', '-B', '-r', reference, '-c', '1', '-p', String(port), '-1', '127.0.0.1']);
      const match = /^\[(\d+)\]:\s+(\S+)$/mu.exec(output);
      expect(match, `mbpoll output:\n${output}`).not.toBeNull();
      expect(match![1]).toBe(reference);
      expect(values[name]).toBe(SDM_VALUES[name]);
      // mbpoll prints floats as printf's %g: 6 significant digits.
      expect(Number(match![2])).toBe(Number(SDM_VALUES[name].toPrecision(6)));
    }
  });

  it('serves static values from cache until staticRefresh, and composes ups.status from every source', async () => {
    setValues(UPS_UNIT, ups, { 'battery.charge': 95.5, 'output.voltage': 229.5, 'ups.model': 'Smart-UPS 750', 'ups.serial': 'AS123456', 'ups.firmware': 'UPS 09.3' });
    setRaw(UPS_UNIT, ups.variables[0], 2); // OL
    setRaw(UPS_UNIT, ups.variables[1], (1 << 1) | (1 << 3) | (1 << 17)); // LB, OL again, RB
    setRaw(UPS_UNIT, variable(ups, 'input.frequency'), NaN);
    const reader = new ModbusDeviceReader(transport, ups, UPS_UNIT);

    expect(await reader.identify()).toEqual({
      profile: 'test-ups', kind: 'ups', manufacturer: 'TestCo', model: 'Smart-UPS 750', serial: 'AS123456', firmware: 'UPS 09.3',
    });
    expect(reader.requestCount).toBe(1); // the static block only

    setValues(UPS_UNIT, ups, { 'ups.model': 'Changed' });
    const expected = {
      'ups.status': 'OL LB RB', // enum first (profile order), then the bits in bit order, OL once
      'battery.charge': 95.5,
      'output.voltage': 229.5,
      'ups.model': 'Smart-UPS 750',
      'ups.serial': 'AS123456',
      'ups.firmware': 'UPS 09.3',
      'device.mfr': 'TestCo',
    }; // input.frequency is NaN and output.current's block is refused: both omitted
    expect(await reader.read()).toEqual(expected);
    expect(reader.requestCount).toBe(1 + 3); // fn 3 block, fn 4 block, refused fn 4 block; static from cache

    await new Promise((resolve) => setTimeout(resolve, 350)); // past staticRefresh (0.3 s)
    expect(await reader.read()).toEqual({ ...expected, 'ups.model': 'Changed' });
    expect(reader.requestCount).toBe(1 + 3 + 4);
  });

  it('fails a read when every block is refused, and times out a dead unit', async () => {
    const refused = await new ModbusDeviceReader(transport, md02, REFUSING_UNIT).read().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RackpowerError);
    expect(refused).toMatchObject({ code: 'PROTOCOL', message: expect.stringContaining('Modbus exception 2: illegal data address') });

    const dead = await new ModbusDeviceReader(transport, sdm, DEAD_UNIT).read().catch((e: unknown) => e);
    expect(dead).toMatchObject({ code: 'TIMEOUT' });
  });

  it('close() leaves the shared transport open', async () => {
    setValues(MD02_UNIT, md02, { 'ambient.1.temperature': -5.5, 'ambient.1.humidity': 80 });
    const sensor = new ModbusDeviceReader(transport, md02, MD02_UNIT);
    await sensor.close();
    expect(await new ModbusDeviceReader(transport, md02, MD02_UNIT).read()).toMatchObject({ 'ambient.1.temperature': -5.5 });
  });
});

/** Runs mbpoll; a missing mbpoll fails the test with the way to install it. */
function mbpoll(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('mbpoll', args, { timeout: 10_000 }, (err, stdout, stderr) => {
      if ((err as NodeJS.ErrnoException | null)?.code === 'ENOENT') {
        reject(new Error('mbpoll is required for the cross-check: apt-get install mbpoll'));
      } else if (err) reject(new Error(`mbpoll failed: ${stderr || err.message}`));
      else resolve(stdout);
    });
  });
}
