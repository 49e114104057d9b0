// The one reader of what action and output nodes accept (src/normalize/input.ts), and what the output nodes take of
// it (src/integrations/input.ts): every shape a device node sends, the shared commands, and what is none of them.
import { describe, expect, it } from 'vitest';
import { outputInput } from '../../src/integrations/input';
import { MessageBuilder } from '../../src/normalize/messages';
import { parseMessage, readingOf } from '../../src/normalize/input';
import type { DeviceEvent, DeviceIdentity } from '../../src/types';

const device: DeviceIdentity = { name: 'rack ups', kind: 'ups', profile: 'apc-powernet-ups', address: 'snmp://10.0.0.9:161' };
const NOW = 1_700_000_000_000;

describe('what a device node sends', () => {
  const reading = { device, values: { 'ups.status': 'OL', 'battery.charge': 100 }, timestamp: NOW - 5 };

  it('a whole reading', () => {
    const [msg] = new MessageBuilder({ mode: 'always', prefix: 'rackpower', variables: [] }).reading(reading);
    expect(parseMessage(msg as never)).toEqual({ type: 'reading', device, values: reading.values, timestamp: NOW - 5 });
    expect(readingOf(parseMessage(msg as never))).toEqual({ device, values: reading.values });
    expect(outputInput(parseMessage(msg as never), NOW)).toEqual({ type: 'reading', device, values: reading.values, timestamp: NOW - 5 });
  });

  it('one variable (per-variable mode): a reading of that one value for action nodes', () => {
    const msg = { device, variable: 'battery.charge', payload: 99, timestamp: NOW - 5 };
    expect(parseMessage(msg)).toEqual({ type: 'variable', device, variable: 'battery.charge', value: 99, timestamp: NOW - 5 });
    expect(readingOf(parseMessage(msg))).toEqual({ device, values: { 'battery.charge': 99 } });
  });

  it('an event: its payload is the event, with the device', () => {
    const event: DeviceEvent = { event: 'ONBATT', device, timestamp: NOW - 5 } as DeviceEvent;
    const msg = new MessageBuilder({ mode: 'always', prefix: 'rackpower', variables: [] }).event(event);
    expect(parseMessage(msg as never)).toMatchObject({ type: 'event', device, event: 'ONBATT', detail: event, timestamp: NOW - 5 });
    expect(outputInput(parseMessage(msg as never), NOW)).toEqual({ type: 'event', event });
  });
});

describe('what else arrives', () => {
  it('an event named by msg.device only: enough for the shutdown node, not for an output', () => {
    const m = parseMessage({ event: 'ONBATT', device: { name: 'ups' } });
    expect(m).toEqual({ type: 'event', device: { name: 'ups' }, event: 'ONBATT', detail: undefined, timestamp: undefined });
    expect(outputInput(m, NOW)).toBeUndefined();
  });

  it('an event whose payload names the whole device, without msg.device: outputs take it, stamped on arrival without a time', () => {
    const m = parseMessage({ event: 'LOWBATT', payload: { event: 'LOWBATT', device } });
    expect(outputInput(m, NOW)).toEqual({ type: 'event', event: { event: 'LOWBATT', device, timestamp: NOW } });
  });

  it('a reading named only (a hand-made message): values for action nodes, nothing an output can describe', () => {
    const m = parseMessage({ device: { name: 'pdu' }, payload: { 'outlet.1.current': 0.4 } });
    expect(readingOf(m)).toEqual({ device: { name: 'pdu' }, values: { 'outlet.1.current': 0.4 } });
    expect(outputInput(m, NOW)).toBeUndefined();
  });

  it('leaves out what is no NUT value', () => {
    const m = parseMessage({ device, payload: { a: 1, b: 'x', c: Number.NaN, d: Infinity, e: true, f: { g: 1 }, h: null, i: [1] } });
    expect(readingOf(m)?.values).toEqual({ a: 1, b: 'x' });
    expect(parseMessage({ device, variable: 'input.voltage', payload: Number.NaN })).toBeUndefined();
  });

  it.each([
    ['remove', { remove: 'rack ups' }, { type: 'remove', device: 'rack ups' }],
    ['remove all', { remove: true }, { type: 'remove', device: undefined }],
    ['forget', { topic: 'rackpower/standby', payload: 'standby', forget: true }, { type: 'forget', device: undefined }],
    ['add', { add: 'rack ups' }, { type: 'add', device: 'rack ups' }],
    ['drill', { payload: 'drill' }, { type: 'drill' }],
    ['drill flag', { drill: true }, { type: 'drill' }],
  ])('the %s command', (_what, msg, expected) => {
    expect(parseMessage(msg)).toEqual(expected);
    expect(outputInput(parseMessage(msg), NOW)).toBeUndefined();
  });

  it('a text variable whose value is "drill" is a reading, not a drill', () => {
    expect(parseMessage({ device, variable: 'ups.test.result', payload: 'drill' })).toMatchObject({ type: 'variable', value: 'drill' });
  });

  it.each([
    ['nothing', {}],
    ['a bare number', { payload: 42 }],
    ['a reading without a device', { payload: { 'ups.load': 20 } }],
    ['a device without a name', { device: { name: '' }, payload: { 'ups.load': 20 } }],
    ['an array payload', { device, payload: [1, 2] }],
    ['a trap without a device', { event: 'ONBATT', payload: { event: 'ONBATT', source: { address: '10.0.0.9' } } }],
  ])('%s is none of them', (_what, msg) => {
    expect(parseMessage(msg)).toBeUndefined();
  });
});
