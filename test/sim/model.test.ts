import { describe, expect, it } from 'vitest';
import { SimModel } from '../../src/sim/model';
import type { ScenarioEvent, SimDeviceSpec } from '../../src/sim/types';

const RACK: SimDeviceSpec[] = [
  { name: 'ups', kind: 'ups' },
  { name: 'pdu', kind: 'pdu', outlets: 8 },
  { name: 'sensor', kind: 'sensor' },
  { name: 'meter', kind: 'meter' },
];

const rack = (events: ScenarioEvent[] = [], seed = 1): SimModel => new SimModel({ devices: RACK, events, seed });

function outletCurrentSum(model: SimModel, pdu = 'pdu'): number {
  const v = model.values(pdu);
  let sum = 0;
  for (let i = 1; i <= Number(v['outlet.count']); i++) sum += Number(v[`outlet.${i}.current`]);
  return sum;
}

describe('rack model', () => {
  it('starts on line with a full battery and realistic readings', () => {
    const ups = rack().values('ups');
    expect(ups['ups.status']).toBe('OL');
    expect(ups['battery.charge']).toBe(100);
    expect(ups['input.voltage']).toBeGreaterThan(220);
    expect(ups['input.voltage']).toBeLessThan(240);
    expect(ups['output.frequency']).toBe(50);
    expect(ups['battery.runtime']).toBeGreaterThan(600);
    expect(Number(ups['ups.realpower'])).toBeGreaterThan(0);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const a = rack([], 7);
    const b = rack([], 7);
    const c = rack([], 8);
    a.advance(30);
    b.advance(30);
    c.advance(30);
    expect(a.values('pdu')).toEqual(b.values('pdu'));
    expect(a.values('sensor')).toEqual(b.values('sensor'));
    expect(a.values('pdu')).not.toEqual(c.values('pdu'));
  });

  it('drains the battery during a power cut: OB, then back to OL CHRG, then OL', () => {
    const model = rack([{ at: 10, action: 'power-cut', duration: 60 }]);
    model.advance(9);
    expect(model.values('ups')['ups.status']).toBe('OL');
    model.advance(2);
    const cut = model.values('ups');
    expect(cut['ups.status']).toMatch(/^OB\b/);
    expect(cut['ups.status']).toContain('DISCHRG');
    expect(cut['input.voltage']).toBe(0);
    expect(Number(cut['output.voltage'])).toBeGreaterThan(220);
    const runtimeAtCut = Number(cut['battery.runtime']);
    model.advance(55);
    const late = model.values('ups');
    expect(late['ups.status']).toMatch(/^OB\b/);
    expect(Number(late['battery.charge'])).toBeLessThan(100);
    expect(Number(late['battery.runtime'])).toBeLessThan(runtimeAtCut);
    model.advance(10);
    expect(model.values('ups')['ups.status']).toBe('OL CHRG');
    expect(Number(model.values('ups')['battery.current'])).toBeGreaterThan(0);
    model.advance(3600);
    expect(model.values('ups')['ups.status']).toBe('OL');
    expect(model.values('ups')['battery.charge']).toBe(100);
  });

  it('runs the battery down to low battery and then off in a long cut, and the PDU goes dark', () => {
    const model = rack([{ at: 1, action: 'power-cut' }]);
    const seen = new Set<string>();
    for (let t = 0; t < 4 * 3600 && model.values('ups')['ups.status'] !== 'OFF'; t += 10) {
      model.advance(10);
      seen.add(String(model.values('ups')['ups.status']));
    }
    expect(seen).toContain('OB DISCHRG');
    expect(seen).toContain('OB LB DISCHRG');
    expect(model.values('ups')['ups.status']).toBe('OFF');
    model.advance(1);
    expect(model.values('pdu')['input.current']).toBe(0);
    expect(model.values('pdu')['outlet.1.current']).toBe(0);
  });

  it('sums the outlet currents into the PDU input current and feeds the UPS with the PDU load', () => {
    const model = rack();
    for (let i = 0; i < 5; i++) {
      model.advance(7);
      expect(outletCurrentSum(model)).toBeCloseTo(Number(model.values('pdu')['input.current']), 9);
      expect(model.values('ups')['ups.realpower']).toBeCloseTo(Number(model.values('pdu')['input.realpower']), -1);
    }
  });

  it('switches an outlet off: it draws nothing and the sum still holds', () => {
    const model = rack();
    const before = Number(model.values('pdu')['input.current']);
    model.setOutlet('pdu', 3, false);
    model.step(1);
    const pdu = model.values('pdu');
    expect(pdu['outlet.3.status']).toBe('off');
    expect(pdu['outlet.3.current']).toBe(0);
    expect(Number(pdu['input.current'])).toBeLessThan(before);
    expect(outletCurrentSum(model)).toBeCloseTo(Number(pdu['input.current']), 9);
    expect(() => model.setOutlet('pdu', 9, false)).toThrow(/outlet 9/);
  });

  it('accumulates energy and names outlets', () => {
    const model = rack();
    const pdu0 = model.values('pdu');
    const meter0 = model.values('meter');
    model.advance(3600);
    expect(Number(model.values('pdu')['input.energy'])).toBeGreaterThan(Number(pdu0['input.energy']) + 0.5);
    expect(Number(model.values('pdu')['outlet.1.energy'])).toBeGreaterThan(Number(pdu0['outlet.1.energy']));
    expect(Number(model.values('meter')['input.energy'])).toBeGreaterThan(Number(meter0['input.energy']) + 0.5);
    expect(pdu0['outlet.1.name']).toBe('web-01');
  });

  it('shows the power cut at the meter on the feed', () => {
    const model = rack([{ at: 5, action: 'power-cut', duration: 5 }]);
    model.advance(4);
    const before = model.values('meter');
    expect(Number(before['input.voltage'])).toBeGreaterThan(220);
    expect(Number(before['input.realpower'])).toBeGreaterThan(Number(model.values('pdu')['input.realpower']));
    expect(before['input.frequency']).toBeCloseTo(50, 0);
    model.advance(2);
    expect(model.values('meter')['input.voltage']).toBe(0);
    expect(model.values('meter')['input.current']).toBe(0);
  });

  it('keeps the climate near 23 °C / 40 % and follows a temperature spike at one sensor', () => {
    const model = rack([{ at: 100, action: 'temperature-spike', device: 'sensor', delta: 12, duration: 120 }]);
    model.advance(99);
    const calm = model.values('sensor');
    expect(Math.abs(Number(calm['ambient.1.temperature']) - 23)).toBeLessThan(2);
    expect(Math.abs(Number(calm['ambient.1.humidity']) - 40)).toBeLessThan(8);
    model.advance(90);
    expect(Number(model.values('sensor')['ambient.1.temperature'])).toBeGreaterThan(Number(calm['ambient.1.temperature']) + 10);
    expect(Number(model.values('sensor')['ambient.1.humidity'])).toBeLessThan(Number(calm['ambient.1.humidity']));
    // The PDU's probe is elsewhere in the rack.
    expect(Math.abs(Number(model.values('pdu')['ambient.1.temperature']) - 23)).toBeLessThan(2);
    model.advance(200);
    expect(Math.abs(Number(model.values('sensor')['ambient.1.temperature']) - 23)).toBeLessThan(2);
  });

  it('reports faults while their events are active, repeating with the timeline', () => {
    const model = new SimModel({
      devices: RACK,
      events: [{ at: 10, action: 'comms-lost', device: 'ups', duration: 5 }, { at: 12, action: 'garbage', device: 'meter', duration: 5 }],
      repeat: 30,
    });
    model.advance(10);
    expect(model.fault('ups')).toBe('comms-lost');
    expect(model.fault('pdu')).toBeUndefined();
    model.advance(3);
    expect(model.fault('meter')).toBe('garbage');
    model.advance(5);
    expect(model.fault('ups')).toBeUndefined();
    model.advance(22);
    expect(model.fault('ups')).toBe('comms-lost');
  });

  it('simulates independent copies with suffixed names', () => {
    const model = new SimModel({ devices: RACK, copies: 3, events: [{ at: 1, action: 'comms-lost', device: 'pdu' }] });
    expect(model.devices.map((d) => d.name)).toContain('pdu-3');
    model.advance(2);
    expect(model.fault('pdu-2')).toBe('comms-lost');
    expect(model.values('pdu-1')['outlet.1.realpower']).not.toEqual(model.values('pdu-2')['outlet.1.realpower']);
    expect(() => model.values('pdu')).toThrow(/no simulated device/);
  });
});
