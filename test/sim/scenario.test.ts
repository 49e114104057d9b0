import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario, parseScenario, shippedScenarios } from '../../src/sim/scenario';

const base = () => ({
  name: 't',
  devices: [
    { name: 'ups', profile: 'ietf-ups' },
    { name: 'pdu', profile: 'apc-rpdu2' },
    { name: 'sensor', profile: 'xy-md02' },
    { name: 'meter', profile: 'SDM120' },
  ] as Array<Record<string, unknown>>,
  events: [] as Array<Record<string, unknown>>,
});

const parse = (data: unknown) => parseScenario(data, 'test.json');

describe('scenario files', () => {
  it('loads the shipped demo by name: UPS and PDU over SNMP, sensor and meter as units 1 and 2, power cut at 60 s', () => {
    expect(shippedScenarios()).toContain('demo');
    const demo = loadScenario();
    expect(demo.name).toBe('demo');
    expect(demo.devices).toEqual([
      { name: 'ups', profile: 'ietf-ups' },
      { name: 'pdu', profile: 'apc-rpdu2', outlets: 8 },
      { name: 'sensor', profile: 'xy-md02', unit: 1 },
      { name: 'meter', profile: 'eastron-sdm120', unit: 2 },
    ]);
    expect(demo.events[0]).toEqual({ at: 60, action: 'power-cut', duration: 90 });
  });

  it('ships a rack of other vendors: any profile can stand in for a device', () => {
    expect(shippedScenarios()).toEqual(expect.arrayContaining(['demo', 'vendors']));
    expect(loadScenario('vendors').devices.map((d) => d.profile)).toEqual(['huawei-ups', 'raritan-px2', 'servertech-sentry4', 'entity-sensor', 'geist-watchdog', 'eastron-sdm630']);
  });

  it('loads a file by path and resolves model names to profile ids, numbering Modbus units', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'rp-scn-'));
    const file = path.join(dir, 'mine.json');
    writeFileSync(file, JSON.stringify(base()));
    const s = loadScenario(file);
    expect(s.seed).toBe(1);
    expect(s.devices[3]).toEqual({ name: 'meter', profile: 'eastron-sdm120', unit: 2 });
    expect(s.devices[2].unit).toBe(1);
  });

  it.each([
    ['a bad root', [], '(root): must be an object'],
    ['an unknown property', { ...base(), speed: 2 }, '(root): unknown property "speed"'],
    ['no devices', { ...base(), devices: [] }, 'devices: must list at least one device'],
    ['an unknown profile', { ...base(), devices: [{ name: 'x', profile: 'nope' }] }, 'devices[0].profile: unknown profile "nope"'],
    ['a duplicate name', { ...base(), devices: [{ name: 'x', profile: 'ietf-ups' }, { name: 'x', profile: 'apc-rpdu2' }] }, 'devices[1].name: "x" is used twice'],
    ['a name with a space', { ...base(), devices: [{ name: 'my ups', profile: 'ietf-ups' }] }, 'devices[0].name: may only contain'],
    ['outlets on a UPS', { ...base(), devices: [{ name: 'u', profile: 'ietf-ups', outlets: 4 }] }, 'devices[0].outlets: only a PDU has outlets'],
    ['too many outlets', { ...base(), devices: [{ name: 'p', profile: 'apc-rpdu2', outlets: 99 }] }, 'devices[0].outlets: must be an integer from 1 to 48'],
    ['a unit on SNMP', { ...base(), devices: [{ name: 'p', profile: 'apc-rpdu2', unit: 3 }] }, 'devices[0].unit: only Modbus devices'],
    ['a unit used twice', { ...base(), devices: [{ name: 'a', profile: 'xy-md02', unit: 3 }, { name: 'b', profile: 'sdm120', unit: 3 }] }, 'devices[1].unit: unit 3 is used twice'],
    ['two UPSes', { ...base(), devices: [{ name: 'a', profile: 'ietf-ups' }, { name: 'b', profile: 'ietf-ups' }] }, 'devices: a rack has at most one UPS'],
    ['an unknown action', { ...base(), events: [{ at: 1, action: 'flood' }] }, 'events[0].action: must be one of power-cut'],
    ['a negative time', { ...base(), events: [{ at: -1, action: 'power-cut' }] }, 'events[0].at: must be a number >= 0'],
    ['a zero duration', { ...base(), events: [{ at: 1, action: 'power-cut', duration: 0 }] }, 'events[0].duration: must be a number > 0'],
    ['comms-lost without a device', { ...base(), events: [{ at: 1, action: 'comms-lost' }] }, 'events[0].device: comms-lost needs the device'],
    ['a device not in the scenario', { ...base(), events: [{ at: 1, action: 'garbage', device: 'router' }] }, 'events[0].device: no device named "router"'],
    ['a power cut on one device', { ...base(), events: [{ at: 1, action: 'power-cut', device: 'ups' }] }, 'events[0].device: a power cut hits the whole rack'],
    ['a spike without delta', { ...base(), events: [{ at: 1, action: 'temperature-spike' }] }, 'events[0].delta: must be a number'],
    ['a spike at a meter', { ...base(), events: [{ at: 1, action: 'temperature-spike', device: 'meter', delta: 5 }] }, 'events[0].device: "meter" measures no temperature'],
    ['an event after the repeat period', { ...base(), repeat: 100, events: [{ at: 100, action: 'power-cut' }] }, 'events[0].at: must be before "repeat"'],
  ])('refuses %s with the field named', (_what, data, message) => {
    expect(() => parse(data)).toThrow(`scenario test.json: ${message}`);
  });

  it('refuses an unknown scenario name and unreadable JSON', () => {
    expect(() => loadScenario('nope')).toThrow(/unknown scenario "nope" \(shipped: .*demo/);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'rp-scn-'));
    const file = path.join(dir, 'broken.json');
    writeFileSync(file, '{ "name": ');
    expect(() => loadScenario(file)).toThrow(/^scenario .*broken\.json: /);
  });
});
