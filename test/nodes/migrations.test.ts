// Every rackpower node type's config migration chain, from every version it ever had to the current one. The table
// must cover each (type, old version) pair: a node type without a chain, or a new step without a case, fails here.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, RETIRED_FIELDS, currentVersion, editorNumber, migrateConfig, type FlowConfig } from '../../nodes/lib/migrations';

const ROOT = path.resolve(__dirname, '..', '..');
const TYPES = Object.keys((JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { 'node-red': { nodes: Record<string, string> } })['node-red'].nodes);

/** Settings as a flow saved at that version had them → what the current version reads (configVersion added). */
type Case = { saved: FlowConfig; current: FlowConfig };

/** The settings every version kept as they were: a step must pass them through. */
const KEPT = { id: 'n1', z: 'tab', name: 'kept', wires: [['x']] };

const unchanged = (fields: FlowConfig): Case => ({ saved: fields, current: fields });

/** Device nodes: v0 had no `transport` for the kind's usual protocol; v1 said `transport`, `endpoint`, `connection`. */
function deviceCases(usual: 'snmp' | 'modbus'): Record<number, Case> {
  const configField = usual === 'snmp' ? { endpoint: 'agent1' } : { connection: 'link1' };
  const newField = usual === 'snmp' ? { agent: 'agent1' } : { link: 'link1' };
  return {
    0: { saved: { ...configField, interval: '30' }, current: { protocol: usual, ...newField, interval: '30' } },
    1: {
      saved: { transport: 'nut', server: 'srv1', ups: 'ups', endpoint: '', connection: '', unit: '2' },
      current: { protocol: 'nut', server: 'srv1', ups: 'ups', agent: '', link: '', unit: '2' },
    },
  };
}

const CASES: Record<string, Record<number, Case>> = {
  'rackpower-ups': deviceCases('snmp'),
  'rackpower-pdu': deviceCases('snmp'),
  'rackpower-sensor': deviceCases('modbus'),
  'rackpower-meter': deviceCases('modbus'),
  'rackpower-snmp-endpoint': { 0: unchanged({ host: '10.0.0.5', port: '161', version: '2c', timeout: '2000', retries: '1' }) },
  'rackpower-modbus-connection': { 0: unchanged({ mode: 'tcp', host: '10.0.0.9', port: '502', timeout: '2000', delay: '' }) },
  'rackpower-nut-server': { 0: unchanged({ protocol: 'nut', host: 'nas', port: '3493', tls: 'off', login: false }) },
  'rackpower-outlet': {
    0: { saved: { endpoint: 'agent1', profile: 'auto', allow: '1-8', rateCount: '3' }, current: { agent: 'agent1', profile: 'auto', allow: '1-8', rateCount: '3' } },
  },
  'rackpower-ups-command': {
    0: { saved: { endpoint: 'agent1', server: '', allow: 'beeper.mute', delay: '60' }, current: { agent: 'agent1', server: '', allow: 'beeper.mute', delay: '60' } },
  },
  'rackpower-alarm': { 0: unchanged({ rules: [{ id: 'hot', variable: 'ambient.*.temperature', kind: 'above', threshold: '27' }] }) },
  'rackpower-budget': { 0: unchanged({ budgetW: '', breakerA: '16', voltage: '230' }) },
  'rackpower-shutdown': { 0: unchanged({ supplies: 'ups-a', onBatteryS: '300', stages: [{ name: 'all', delayS: '0', actions: [] }] }) },
  'rackpower-standby': { 0: unchanged({ ownerTopic: 'rack/owner', grace: '30' }) },
  'rackpower-trap-receiver': { 0: unchanged({ host: '0.0.0.0', port: '1162', pollDevices: true }) },
  'rackpower-ha-discovery': { 0: unchanged({ discoveryPrefix: 'homeassistant', base: 'rackpower', expireAfter: '24' }) },
  'rackpower-influx': { 0: unchanged({}) },
  'rackpower-prometheus': { 0: unchanged({ path: '/metrics', forgetAfter: '60', auth: 'none' }) },
};

describe('config migrations', () => {
  it('has a chain for every node type the package registers, and no other', () => {
    expect(Object.keys(MIGRATIONS).sort()).toEqual([...TYPES].sort());
  });

  it('has a test case for every old version of every node type', () => {
    for (const type of TYPES) {
      const versions = Object.keys(CASES[type] ?? {}).map(Number).sort((a, b) => a - b);
      expect(versions, type).toEqual([...Array(currentVersion(type)).keys()]);
    }
  });

  describe.each(TYPES)('%s', (type) => {
    it.each(Object.entries(CASES[type] ?? {}))('from version %s to the current one', (version, c) => {
      const saved = { ...KEPT, type, ...(version === '0' ? {} : { configVersion: Number(version) }), ...c.saved };
      expect(migrateConfig(saved)).toEqual({ ...KEPT, type, ...c.current, configVersion: currentVersion(type) });
    });

    it('moves every retired field to its new name', () => {
      for (const c of Object.values(CASES[type])) {
        const migrated = migrateConfig({ type, ...c.saved });
        for (const [old, replacement] of Object.entries(RETIRED_FIELDS[type] ?? {})) {
          expect(migrated, old).not.toHaveProperty(old);
          if (old in c.saved) expect(migrated[replacement], replacement).toBe(c.saved[old]);
        }
      }
    });

    it('leaves a node saved in the current version as it is', () => {
      const last = CASES[type][currentVersion(type) - 1];
      const current = { ...KEPT, type, ...last.current, configVersion: currentVersion(type) };
      expect(migrateConfig(current)).toEqual(current);
    });
  });

  it('keeps a new field a hand edit already set, and reads a node from a newer rackpower as it is', () => {
    expect(migrateConfig({ type: 'rackpower-outlet', endpoint: 'old', agent: 'new' })).toEqual({ type: 'rackpower-outlet', agent: 'new', configVersion: 1 });
    const future = { type: 'rackpower-ups', configVersion: 99, wire: 'x' };
    expect(migrateConfig(future)).toEqual(future);
  });

  it('refuses a node type without a chain', () => {
    expect(() => migrateConfig({ type: 'inject' })).toThrow(/no config migrations for node type inject/u);
  });
});

describe('editorNumber', () => {
  it('reads the editor’s text fields, and gives the fallback for blank or garbage', () => {
    expect(editorNumber('30', 10)).toBe(30);
    expect(editorNumber(' 2.5 ', 10)).toBe(2.5);
    expect(editorNumber(7, 10)).toBe(7);
    expect(editorNumber('0', 10)).toBe(0);
    for (const blank of ['', '  ', undefined, null, 'abc', NaN, Infinity, true]) expect(editorNumber(blank, 10), String(blank)).toBe(10);
    expect(editorNumber('')).toBeUndefined();
  });
});
