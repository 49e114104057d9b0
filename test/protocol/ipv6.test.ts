// IPv6: SNMP (a udp6 socket for an IPv6 literal; net-snmp's udp4 default failed with EINVAL) and Modbus TCP, against
// the simulator listening on ::1, read through `rackpower read`'s engine from bracketed URLs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOnce } from '../../src/cli/read';
import { parseTarget } from '../../src/url';
import { startRack, type RunningRack } from '../../src/sim/rack';
import { parseScenario } from '../../src/sim/scenario';

let rack: RunningRack;

beforeAll(async () => {
  const scenario = parseScenario({ name: 'v6', seed: 2, devices: [{ name: 'ups', profile: 'ietf-ups' }, { name: 'sensor', profile: 'xy-md02', unit: 1 }] }, 'v6');
  rack = await startRack(scenario, { speed: 0, host: '::1' });
});
afterAll(async () => {
  await rack?.close();
});

describe('IPv6', () => {
  it('SNMP to snmp://public@[::1]:port', async () => {
    const url = rack.devices.find((d) => d.name === 'ups')!.url;
    expect(url).toMatch(/^snmp:\/\/public@\[::1\]:\d+$/u);
    expect(parseTarget(url)).toMatchObject({ protocol: 'snmp', snmp: { host: '::1' } });
    const reading = await readOnce(url, { values: true });
    expect(reading.device.profile).toBe('ietf-ups');
    expect(reading.device.address).toMatch(/^snmp:\/\/\[::1\]:\d+$/u);
    expect(reading.values['battery.charge']).toBe(rack.model.values('ups')['battery.charge']);
  });

  it('Modbus TCP to modbus-tcp://[::1]:port', async () => {
    const url = rack.devices.find((d) => d.name === 'sensor')!.url;
    expect(url).toMatch(/^modbus-tcp:\/\/\[::1\]:\d+\?unit=1/u);
    const reading = await readOnce(url, { values: true });
    expect(reading.device.address).toMatch(/^modbus-tcp:\/\/\[::1\]:\d+\?unit=1$/u);
    expect(reading.values['ambient.1.temperature']).toBe(rack.model.values('sensor')['ambient.1.temperature']);
  });
});
