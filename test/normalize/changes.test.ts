import { describe, expect, it } from 'vitest';
import { ChangeTracker } from '../../src/normalize/changes';
import { MessageBuilder } from '../../src/normalize/messages';
import type { Reading } from '../../src/types';

describe('change tracking with deadbands', () => {
  it('ignores a wobbling voltage but reports a drift that adds up', () => {
    const t = new ChangeTracker({ '*.voltage': 1 });
    const report = (v: number) => {
      const changes = t.diff({ 'input.voltage': v });
      t.commit({ 'input.voltage': v }, changes);
      return Object.keys(changes);
    };
    expect(report(230)).toEqual(['input.voltage']);
    expect(report(229.9)).toEqual([]);
    expect(report(230.1)).toEqual([]);
    expect(report(230.6)).toEqual([]);
    expect(report(231.0)).toEqual(['input.voltage']);
  });

  it('text always counts, vanished values are reported as changes to undefined', () => {
    const t = new ChangeTracker({});
    t.commit({ 'ups.status': 'OL', 'battery.charge': 100 }, t.diff({ 'ups.status': 'OL', 'battery.charge': 100 }));
    expect(t.diff({ 'ups.status': 'OB' })).toEqual({
      'ups.status': { from: 'OL', to: 'OB' },
      'battery.charge': { from: 100, to: undefined },
    });
  });

  it('uptime never counts as a change after the first reading', () => {
    const t = new ChangeTracker();
    t.commit({ 'device.uptime': 10 }, t.diff({ 'device.uptime': 10 }));
    expect(t.diff({ 'device.uptime': 20 })).toEqual({});
  });
});

describe('messages per output mode', () => {
  const device = { name: 'rack ups/1', kind: 'ups' as const, profile: 'ietf-ups', address: 'snmp://127.0.0.1:161' };
  const reading = (values: Reading['values']): Reading => ({ device, values, timestamp: 1 });

  it('always: one message per poll with flags for a switch node', () => {
    const b = new MessageBuilder({ mode: 'always' });
    const [first] = b.reading(reading({ 'ups.status': 'OB DISCHRG', 'battery.charge': 80 }));
    expect(first.topic).toBe('rackpower/rack_ups_1');
    expect((first as { flags: { onBattery: boolean } }).flags.onBattery).toBe(true);
    expect(b.reading(reading({ 'ups.status': 'OB DISCHRG', 'battery.charge': 80 }))).toHaveLength(1);
  });

  it('change: silent when nothing moved beyond its deadband', () => {
    const b = new MessageBuilder({ mode: 'change' });
    expect(b.reading(reading({ 'input.voltage': 230 }))).toHaveLength(1);
    expect(b.reading(reading({ 'input.voltage': 230.2 }))).toHaveLength(0);
    const [m] = b.reading(reading({ 'input.voltage': 232 })) as { changes: object }[];
    expect(m.changes).toEqual({ 'input.voltage': { from: 230, to: 232 } });
  });

  it('per-variable: bare values on <prefix>/<device>/<variable>', () => {
    const b = new MessageBuilder({ mode: 'per-variable', prefix: 'site/' });
    const msgs = b.reading(reading({ 'battery.charge': 100, 'outlet.3.current': 0.9 }));
    expect(msgs.map((m) => [m.topic, m.payload])).toEqual([
      ['site/rack_ups_1/battery.charge', 100],
      ['site/rack_ups_1/outlet.3.current', 0.9],
    ]);
  });

  it('variables filter with patterns', () => {
    const b = new MessageBuilder({ mode: 'always', variables: ['outlet.*.current'] });
    const [m] = b.reading(reading({ 'battery.charge': 100, 'outlet.3.current': 0.9 }));
    expect(m.payload).toEqual({ 'outlet.3.current': 0.9 });
  });
});
