import ModbusRTU from 'modbus-serial';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startRack, type RunningRack } from '../../src/sim/rack';
import type { Scenario } from '../../src/sim/types';
import { expectNoLeaks, openHandles } from './helpers';

const scenario: Scenario = {
  name: 'modbus-test',
  seed: 5,
  devices: [
    { name: 'sensor', profile: 'xy-md02', unit: 1 },
    { name: 'meter', profile: 'eastron-sdm120', unit: 2 },
  ],
  events: [
    { at: 10, action: 'comms-lost', device: 'sensor', duration: 5 },
    { at: 20, action: 'garbage', device: 'meter', duration: 5 },
    { at: 30, action: 'power-cut', duration: 5 },
  ],
};

describe('simulated Modbus TCP gateway', () => {
  let rack: RunningRack;
  let client: ModbusRTU;
  let before: string[];

  beforeEach(async () => {
    before = openHandles();
    rack = await startRack(scenario, { speed: 0 });
    const url = new URL(rack.devices[0].url);
    client = new ModbusRTU();
    await client.connectTCP(url.hostname, { port: Number(url.port) });
    client.setTimeout(300);
  });

  afterEach(async () => {
    await new Promise<void>((resolve) => client.close(() => resolve()));
    await rack.close();
    await expectNoLeaks(before);
  });

  it('serves both units on one port', () => {
    expect(rack.devices.map((d) => d.url)).toEqual([
      expect.stringMatching(/^modbus-tcp:\/\/127\.0\.0\.1:\d+\?unit=1&profile=xy-md02$/),
      expect.stringMatching(/^modbus-tcp:\/\/127\.0\.0\.1:\d+\?unit=2&profile=eastron-sdm120$/),
    ]);
    expect(new URL(rack.devices[0].url).port).toBe(new URL(rack.devices[1].url).port);
  });

  it('reads the XY-MD02 temperature and humidity (input registers 1-2, tenths) at unit 1', async () => {
    client.setID(1);
    const { data } = await client.readInputRegisters(1, 2);
    const sensor = rack.model.values('sensor');
    expect(data[0]).toBe(Math.round(Number(sensor['ambient.1.temperature']) * 10));
    expect(data[1]).toBe(Math.round(Number(sensor['ambient.1.humidity']) * 10));
    expect(data[0]).toBeGreaterThan(200);
    expect(data[0]).toBeLessThan(260);
  });

  it('reads SDM120 float32 values at unit 2, with zeros in the gaps', async () => {
    client.setID(2);
    const meter = rack.model.values('meter');
    const { buffer } = await client.readInputRegisters(0, 8);
    expect(buffer.readFloatBE(0)).toBeCloseTo(Number(meter['input.voltage']), 3);
    expect(buffer.readUInt32BE(4)).toBe(0); // registers 2-5 are not mapped
    expect(buffer.readFloatBE(12)).toBeCloseTo(Number(meter['input.current']), 3);
    const energy = await client.readInputRegisters(342, 2);
    expect(energy.buffer.readFloatBE(0)).toBeCloseTo(Number(meter['input.energy']), 0);
    rack.model.advance(31);
    expect((await client.readInputRegisters(0, 2)).buffer.readFloatBE(0)).toBe(0);
  });

  it('answers holding-register reads of an input-register device with zeros, and refuses bad ranges', async () => {
    client.setID(1);
    expect((await client.readHoldingRegisters(1, 2)).data).toEqual([0, 0]);
    await expect(client.readInputRegisters(0xfff0, 32)).rejects.toMatchObject({ modbusCode: 2 });
    await expect(client.readInputRegisters(0, 126)).rejects.toMatchObject({ modbusCode: 3 });
    client.setID(9);
    await expect(client.readInputRegisters(1, 2)).rejects.toMatchObject({ modbusCode: 11 });
  });

  it('lets one unit time out while comms-lost while the other unit keeps answering', async () => {
    rack.model.advance(11);
    client.setID(1);
    await expect(client.readInputRegisters(1, 2)).rejects.toThrow(/timed out/i);
    client.setID(2);
    expect((await client.readInputRegisters(0, 2)).buffer.readFloatBE(0)).toBeGreaterThan(200);
    rack.model.advance(5);
    client.setID(1);
    expect((await client.readInputRegisters(1, 2)).data[0]).toBeGreaterThan(200);
  });

  it('sends exceptions or noise while garbage', async () => {
    rack.model.advance(21);
    client.setID(2);
    const voltage = Number(rack.model.values('meter')['input.voltage']);
    const outcomes = new Set<string>();
    for (let i = 0; i < 20; i++) {
      try {
        const { buffer } = await client.readInputRegisters(0, 2);
        outcomes.add(Math.abs(buffer.readFloatBE(0) - voltage) < 0.01 ? 'true value' : 'noise');
      } catch (err) {
        outcomes.add(`exception ${(err as { modbusCode?: number }).modbusCode}`);
      }
    }
    expect([...outcomes].sort()).toEqual(['exception 4', 'noise']);
  });
});
