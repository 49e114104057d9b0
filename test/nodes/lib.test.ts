// The Node-RED-free parts of the nodes: config migration, input commands, status texts, error rate limit,
// config node settings, and the controller driven by a real DevicePoller over a scripted reader.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { RackpowerError } from '../../src/errors';
import { MessageBuilder } from '../../src/normalize/messages';
import { DevicePoller } from '../../src/polling/poller';
import type { DeviceReader } from '../../src/polling/types';
import type { Values } from '../../src/types';
import { parseCommand } from '../../nodes/lib/commands';
import { modbusConfig, snmpTarget, type ModbusLinkDef, type SnmpAgentDef } from '../../nodes/lib/connections';
import { DeviceController, type NodeOutput } from '../../nodes/lib/controller';
import { FailureLog } from '../../nodes/lib/failures';
import { CONFIG_VERSION, migrate } from '../../nodes/lib/migrate';
import { FAILURE_KEYS, failureStatus, readingStatus, stateStatus, summary } from '../../nodes/lib/status';
import { candidateVariables, profileVariables } from '../../nodes/lib/profiles';
import { variablePatterns } from '../../nodes/lib/device-node';
import { findProfile } from '../../src/profiles/load';

const t = (key: string, s?: Record<string, string | number>): string => (s ? `${key} ${JSON.stringify(s)}` : key);

describe('migrate', () => {
  it('fills every default of a flow saved before configVersion existed', () => {
    expect(migrate({ type: 'rackpower-ups', endpoint: 'ep1' })).toEqual({
      name: '',
      protocol: 'snmp',
      agent: 'ep1',
      link: '',
      profile: 'auto',
      unit: 1,
      interval: 10,
      confirm: 2,
      outputMode: 'always',
      variables: '',
      prefix: 'rackpower',
      replaceBelow: 80,
      server: '',
      ups: '',
      configVersion: CONFIG_VERSION,
    });
    expect(migrate({ type: 'rackpower-sensor' }).protocol).toBe('modbus');
    expect(migrate({ type: 'rackpower-meter' }).protocol).toBe('modbus');
    expect(migrate({ type: 'rackpower-pdu' }).protocol).toBe('snmp');
  });

  it('keeps version 1 settings and turns the editor’s strings into numbers', () => {
    const config = migrate({
      type: 'rackpower-meter', configVersion: 1, name: ' meter ', transport: 'modbus', connection: 'c1', profile: 'eastron-sdm120',
      unit: '2', interval: '30', outputMode: 'per-variable', variables: 'input.*', prefix: 'site/a',
    });
    expect(config).toMatchObject({ name: 'meter', protocol: 'modbus', link: 'c1', unit: 2, interval: 30, outputMode: 'per-variable', variables: 'input.*', prefix: 'site/a' });
  });

  it('replaces blanks and unknown values by defaults, and refuses a foreign node type', () => {
    expect(migrate({ type: 'rackpower-ups', configVersion: 2, interval: '', outputMode: 'sometimes', protocol: 'bacnet', prefix: '' })).toMatchObject({
      interval: 10, outputMode: 'always', protocol: 'snmp', prefix: 'rackpower',
    });
    expect(() => migrate({ type: 'inject' })).toThrow(/not a rackpower device node/);
  });
});

describe('parseCommand', () => {
  it('polls on any message, pauses, resumes and changes the interval', () => {
    expect(parseCommand({ payload: 1 })).toEqual({ action: 'poll' });
    expect(parseCommand({ pause: true })).toEqual({ action: 'pause' });
    expect(parseCommand({ payload: 'pause' })).toEqual({ action: 'pause' });
    expect(parseCommand({ resume: true })).toEqual({ action: 'resume' });
    expect(parseCommand({ payload: 'resume' })).toEqual({ action: 'resume' });
    expect(parseCommand({ interval: 30 })).toEqual({ action: 'poll', intervalS: 30 });
    expect(parseCommand({ interval: 86_400 })).toEqual({ action: 'poll', intervalS: 86_400 });
    for (const interval of ['30', 0.5, 86_401, 1e12, NaN, Infinity, null]) expect(parseCommand({ interval })).toMatchObject({ action: 'refuse' });
    expect(parseCommand({ interval: 1e12 })).toEqual({
      action: 'refuse',
      reason: 'msg.interval 1000000000000 refused: it must be a number of seconds from 1 to 86400 (nothing changed, not polled)',
    });
    expect(parseCommand({ interval: '30' })).toMatchObject({ reason: expect.stringMatching(/^msg.interval "30" refused/u) });
  });
});

describe('status', () => {
  it('summarizes each kind in a few characters', () => {
    expect(summary('ups', { 'ups.status': 'OL', 'battery.charge': 35, 'input.voltage': 230.04 }, t)).toBe('OL · 35 % · 230 V');
    expect(summary('pdu', { 'outlet.count': 8, 'input.current': 4.2 }, t)).toBe('status.outlets {"count":8} · 4.2 A');
    expect(summary('sensor', { 'ambient.1.temperature': 23.5, 'ambient.1.humidity': 41 }, t)).toBe('23.5 °C · 41 %');
    expect(summary('meter', { 'input.voltage': 230, 'input.realpower': 120, 'input.energy': 1234.5 }, t)).toBe('230 V · 120 W · 1234.5 kWh');
    expect(summary('meter', {}, t)).toBe('status.ok');
  });

  it('is green when fine, yellow when the UPS needs attention, red with the reason on failure', () => {
    expect(readingStatus('ups', { 'ups.status': 'OL CHRG' }, t)).toMatchObject({ fill: 'green', shape: 'dot' });
    for (const s of ['OB DISCHRG', 'OL LB', 'OL RB', 'OL OVER', 'OL BYPASS']) expect(readingStatus('ups', { 'ups.status': s }, t).fill).toBe('yellow');
    // A PDU past its load warning threshold is degraded too.
    expect(readingStatus('pdu', { 'outlet.count': 8, 'input.load.status': 'warning-high' }, t).fill).toBe('yellow');
    expect(readingStatus('pdu', { 'outlet.count': 8, 'input.load.status': 'good' }, t).fill).toBe('green');
    expect(failureStatus(new RackpowerError('TIMEOUT', 'x'), t)).toMatchObject({ fill: 'red', shape: 'ring', text: expect.stringMatching(/^status.timeout/) });
    const long = failureStatus(new RackpowerError('PROTOCOL', 'Modbus exception 4: server device failure on unit 7'), t);
    expect(long.text).toMatch(/^status.protocol .*…/);
  });

  it('shows identifying in yellow unless a failure is on display, and paused in grey', () => {
    expect(stateStatus('identifying', false, t)).toMatchObject({ fill: 'yellow' });
    expect(stateStatus('identifying', true, t)).toBeUndefined();
    expect(stateStatus('paused', false, t)).toMatchObject({ fill: 'grey' });
    expect(stateStatus('polling', false, t)).toBeUndefined();
  });

  it('has a text in the message catalog for every key it uses', () => {
    const catalog = JSON.parse(readFileSync(path.join(__dirname, '../../nodes/locales/en-US/device.json'), 'utf8'));
    const keys = [...Object.values(FAILURE_KEYS), 'ok', 'outlets', 'identifying', 'paused', 'resuming'];
    for (const key of keys) expect(catalog.common.status[key], key).toBeTypeOf('string');
  });
});

describe('FailureLog', () => {
  it('reports the first failure of a streak and a change of code only', () => {
    const log = new FailureLog();
    expect([log.failed('TIMEOUT'), log.failed('TIMEOUT'), log.failed('AUTH'), log.failed('AUTH')]).toEqual([true, false, true, false]);
    log.succeeded();
    expect(log.failing).toBe(false);
    expect(log.failed('AUTH')).toBe(true);
  });
});

describe('config node settings', () => {
  const snmp = { host: ' 10.0.0.5 ', port: '161', version: '2c', timeout: '500', retries: '0', user: '', authProtocol: 'sha', privProtocol: 'aes' } as SnmpAgentDef;

  it('builds an SNMP target with the community from the credentials', () => {
    expect(snmpTarget(snmp, { community: 'secret' })).toMatchObject({ host: '10.0.0.5', port: 161, version: 2, community: 'secret', timeoutMs: 500, retries: 0 });
    expect(snmpTarget({ ...snmp, version: '1' }, {})).toMatchObject({ version: 1, community: 'public' });
    expect(() => snmpTarget({ ...snmp, port: '70000' }, {})).toThrow(/port/);
  });

  it('builds an SNMPv3 user, leaving out the keys of protocols set to none', () => {
    const v3 = snmpTarget({ ...snmp, version: '3', user: 'ops', privProtocol: 'none' }, { authKey: 'a'.repeat(8), privKey: 'p'.repeat(8) });
    expect(v3.user).toEqual({ name: 'ops', authProtocol: 'sha', authKey: 'aaaaaaaa', privProtocol: undefined, privKey: undefined });
  });

  it('builds Modbus TCP and RTU transports', () => {
    const def = { mode: 'tcp', host: '10.0.0.9', port: '', timeout: '1000', delay: '' } as ModbusLinkDef;
    expect(modbusConfig(def)).toEqual({ kind: 'tcp', host: '10.0.0.9', port: 502, timeoutMs: 1000, interRequestDelayMs: 0 });
    const rtu = { ...def, mode: 'rtu', serialPath: '/dev/ttyUSB0', baudRate: '2400', parity: 'even', stopBits: '1', dataBits: '8' } as ModbusLinkDef;
    expect(modbusConfig(rtu)).toMatchObject({ kind: 'rtu', path: '/dev/ttyUSB0', baudRate: 2400, parity: 'even', interRequestDelayMs: 20 });
    expect(() => modbusConfig({ ...def, host: ' ' })).toThrow(/host is empty/);
  });
});

/** A reader whose answers the test scripts: values, or an error to throw. */
function scriptedReader(answers: (Values | RackpowerError)[]): DeviceReader & { reads: number } {
  return {
    reads: 0,
    requestCount: 0,
    identify: async () => ({ profile: 'scripted', kind: 'ups' }),
    async read() {
      const answer = answers[Math.min(this.reads++, answers.length - 1)];
      if (answer instanceof RackpowerError) throw answer;
      return answer;
    },
    close: async () => undefined,
  };
}

function output() {
  return { send: vi.fn<NodeOutput['send']>(), status: vi.fn<NodeOutput['status']>(), error: vi.fn<NodeOutput['error']>() };
}

/** What one send() carried: the readings (output 1) and the event (output 2). */
type Sent = [Record<string, unknown>[] | null, Record<string, unknown> | null];

describe('DeviceController', () => {
  it('sends readings on output 1 and events on output 2, and raises one error per failure streak', async () => {
    const timeout = new RackpowerError('TIMEOUT', 'no answer');
    const reader = scriptedReader([{ 'ups.status': 'OL' }, timeout, timeout, timeout, { 'ups.status': 'OL' }]);
    const poller = new DevicePoller(reader, { name: 'u', address: 'test://u', intervalMs: 60_000, maxBackoffMs: 60_000 });
    const out = output();
    const release = vi.fn(async () => undefined);
    const c = new DeviceController('ups', poller, new MessageBuilder({ mode: 'always' }), out, t, release);
    c.start();
    await vi.waitFor(() => expect(reader.reads).toBe(1));
    for (let i = 2; i <= 5; i++) {
      c.command({ action: 'poll' });
      await vi.waitFor(() => expect(reader.reads).toBe(i));
    }
    await vi.waitFor(() => expect(out.send.mock.calls.length).toBe(4));
    const [first, commbad, commok, last] = out.send.mock.calls.map((call) => call[0] as Sent);
    expect(first[0]![0].payload).toEqual({ 'ups.status': 'OL' });
    expect(commbad).toEqual([null, expect.objectContaining({ event: 'COMMBAD' })]);
    expect(commok).toEqual([null, expect.objectContaining({ event: 'COMMOK' })]);
    expect(last[0]![0].payload).toEqual({ 'ups.status': 'OL' });
    expect(out.error).toHaveBeenCalledTimes(1);
    const [err, msg] = out.error.mock.calls[0];
    expect(err).toMatchObject({ message: 'no answer', code: 'TIMEOUT' });
    expect(msg.error).toEqual({ code: 'TIMEOUT', message: 'no answer' });
    expect(out.status.mock.calls.at(-1)![0]).toMatchObject({ fill: 'green' });
    await c.close();
    expect(release).toHaveBeenCalledOnce();
  });

  it('pauses (ignoring polls until resumed), resumes, changes the interval and refuses a bad one', async () => {
    const reader = scriptedReader([{ 'ups.status': 'OL' }]);
    const poller = new DevicePoller(reader, { name: 'u', address: 'test://u', intervalMs: 60_000 });
    const out = output();
    const c = new DeviceController('ups', poller, new MessageBuilder({ mode: 'always' }), out, t, async () => undefined);
    c.start();
    await vi.waitFor(() => expect(reader.reads).toBe(1));
    c.command({ action: 'pause' });
    expect(poller.state).toBe('paused');
    expect(out.status.mock.calls.at(-1)![0]).toMatchObject({ fill: 'grey', text: 'status.paused' });
    c.command({ action: 'poll', intervalS: 5 });
    await new Promise((r) => setTimeout(r, 50));
    expect(reader.reads).toBe(1);
    expect(poller.state).toBe('paused');
    expect(poller.intervalMs).toBe(5000);
    c.command({ action: 'resume' });
    await vi.waitFor(() => expect(reader.reads).toBe(2));
    c.command({ action: 'refuse', reason: 'msg.interval refused' }, { topic: 'x' });
    expect(out.error.mock.calls[0][1]).toEqual({ topic: 'x', error: { code: 'CONFIG', message: 'msg.interval refused' } });
    await new Promise((r) => setTimeout(r, 50));
    expect(reader.reads).toBe(2); // refused: not polled
    c.command({ action: 'poll' });
    await vi.waitFor(() => expect(reader.reads).toBe(3));
    expect(poller.intervalMs).toBe(5000);
    await c.close();
  });
});

describe('variable names for the editor', () => {
  it('lists what a profile emits, table indexes as N (whole part) or * (inside a part)', () => {
    const pdu = profileVariables(findProfile('apc-rpdu2'));
    expect(pdu).toEqual(expect.arrayContaining(['outlet.count', 'outlet.N.current', 'input.current']));
    expect(pdu.some((n) => n.includes('{i}'))).toBe(false);
    expect(profileVariables(findProfile('xy-md02'))).toEqual(expect.arrayContaining(['ambient.1.temperature', 'ambient.1.humidity']));
    expect(candidateVariables('ups', 'snmp')).toContain('battery.charge');
  });

  it('reads N in the Variables field as any index', () => {
    expect(variablePatterns(' outlet.N.current, battery.*,,input.L1-N.voltage ')).toEqual(['outlet.*.current', 'battery.*', 'input.L1-N.voltage']);
  });
});
