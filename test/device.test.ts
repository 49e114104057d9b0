// What src/device.ts's assembleReader gives every caller (CLI, device nodes, Discover): the reader for the connection
// it is handed, and one address format per protocol (msg.device.address), without secrets. Nothing is contacted.
import { describe, expect, it } from 'vitest';
import { assembleReader } from '../src/device';
import { findProfile } from '../src/profiles/load';
import type { ModbusProfile } from '../src/profiles/types';
import { ModbusTransport } from '../src/protocol/modbus/transport';
import { NutClient } from '../src/protocol/nut/client';
import { SnmpClient } from '../src/protocol/snmp/client';
import { SNMP_DEFAULTS } from '../src/protocol/snmp/target';

const meter = findProfile('eastron-sdm120') as ModbusProfile;

describe('assembleReader', () => {
  it('Modbus: the unit joins the transport address with ? over TCP and with & after an RTU port\'s options', async () => {
    const tcp = new ModbusTransport({ kind: 'tcp', host: '10.0.0.9', port: 502 });
    const rtu = new ModbusTransport({ kind: 'rtu', path: '/dev/ttyUSB0', baudRate: 9600, parity: 'none', stopBits: 1, dataBits: 8 });
    expect(assembleReader({ protocol: 'modbus', transport: tcp, profile: meter, unit: 3 }).address).toBe('modbus-tcp://10.0.0.9:502?unit=3');
    expect(assembleReader({ protocol: 'modbus', transport: rtu, profile: meter, unit: 3 }).address).toBe('modbus-rtu:/dev/ttyUSB0?baud=9600&unit=3');
    await Promise.all([tcp.close(), rtu.close()]);
  });

  it('SNMP, NUT and apcupsd: the connection\'s own address (no community or password), a NUT UPS after a slash', async () => {
    const snmp = new SnmpClient({ ...SNMP_DEFAULTS, host: '10.0.0.8', port: 161, version: 2, community: 'secret-community' });
    const nut = new NutClient({ host: '10.0.0.5', port: 3493, tls: 'off', username: 'monuser', password: 'secret-password', timeoutMs: 1000 });
    const assembled = [
      assembleReader({ protocol: 'snmp', client: snmp }),
      assembleReader({ protocol: 'nut', client: nut, ups: 'rack' }),
      assembleReader({ protocol: 'apcupsd', nis: { host: '::1', port: 3551, timeoutMs: 1000 } }),
    ];
    expect(assembled.map((a) => a.address)).toEqual(['snmp://10.0.0.8:161', 'nut://monuser@10.0.0.5:3493/rack', 'apcupsd://[::1]:3551']);
    expect(JSON.stringify(assembled.map((a) => a.address))).not.toMatch(/secret/u);
    snmp.close();
    await nut.close();
  });
});
