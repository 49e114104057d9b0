// `rackpower record`: walk a device, write snmprec, serve the written file with Debian's snmpsimd, and `rackpower read`
// (readOnce, the function behind the command) must read from the replay what it reads from the original, except the
// values anonymization replaced. Two originals: the simulator's APC UPS (startRack, paused) and a real walk (the Eaton
// 93E) served by snmpsimd. The built command is run once for its wiring (--out, --raw, exit status).
// @module-tag peer: snmpsimd
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOnce } from '../../src/cli/read';
import { compareOids, recordDevice, recordSubtrees, snmprecLine } from '../../src/cli/record';
import { shippedProfiles } from '../../src/profiles/load';
import { startRack, type RunningRack } from '../../src/sim/rack';
import { parseScenario } from '../../src/sim/scenario';
import type { Values } from '../../src/types';
import { startSnmpsim, type Snmpsim } from '../harness/snmpsim';
import { fixture } from '../profiles/recording-helpers';
import { ensureBuilt } from '../harness/build';
import { runNode } from '../harness/process';

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');

let dir: string;
let original: Snmpsim;
beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'rp-record-'));
  original = await startSnmpsim([fixture('eaton-93e-80')]);
});
afterAll(async () => {
  await original?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Serves one written recording with a fresh snmpsimd; its community is the file name. */
async function replay<T>(file: string, use: (url: string) => Promise<T>): Promise<T> {
  const sim = await startSnmpsim([file]);
  try {
    return await use(`snmp://${path.basename(file, '.snmprec')}@127.0.0.1:${sim.port}`);
  } finally {
    await sim.stop();
  }
}

async function values(url: string): Promise<Values> {
  return (await readOnce(url, { values: true })).values;
}

function without(v: Values, names: string[]): Values {
  return Object.fromEntries(Object.entries(v).filter(([k]) => !names.includes(k)));
}

describe('what is walked', () => {
  it('covers every OID every SNMP profile reads, plus the system group, in few subtrees', () => {
    const subtrees = recordSubtrees();
    expect(subtrees).toContain('1.3.6.1.2.1.1');
    // Vendor MIBs appear as their shared prefix, not one walk per OID.
    expect(subtrees).toEqual(expect.arrayContaining(['1.3.6.1.2.1.33.1', '1.3.6.1.4.1.318.1.1', '1.3.6.1.4.1.2011.6.174.1']));
    expect(subtrees.length).toBeLessThan(40);
    for (const p of shippedProfiles()) {
      if (p.protocol !== 'snmp') continue;
      const oids = [...p.variables.map((v) => v.oid), ...(p.tables ?? []).flatMap((t) => t.columns.map((c) => c.oid)), ...(p.match.probe ?? [])];
      for (const oid of oids.map((o) => o.replace(/^\./u, ''))) expect(subtrees.some((s) => oid.startsWith(s + '.')), `${p.id} ${oid}`).toBe(true);
    }
    // No subtree inside another (walked twice).
    for (const a of subtrees) for (const b of subtrees) if (a !== b) expect(a.startsWith(b + '.')).toBe(false);
  });

  it('writes the types snmpsimd expects', () => {
    expect(snmprecLine({ oid: '1.3.6.1.2.1.1.5.0', type: 4, value: Buffer.from('ups-1') })).toBe('1.3.6.1.2.1.1.5.0|4|ups-1');
    expect(snmprecLine({ oid: '1.2.3', type: 4, value: Buffer.from([0x00, 0xe0, 0xd8, 0x14, 0x93, 0x82]) })).toBe('1.2.3|4x|00e0d8149382');
    expect(snmprecLine({ oid: '1.2.3', type: 4, value: Buffer.from('a|b') })).toBe('1.2.3|4x|617c62');
    expect(snmprecLine({ oid: '1.2.3', type: 2, value: -1 })).toBe('1.2.3|2|-1');
    expect(snmprecLine({ oid: '1.2.3', type: 6, value: '1.3.6.1.4.1.705.1' })).toBe('1.2.3|6|1.3.6.1.4.1.705.1');
    expect(snmprecLine({ oid: '1.2.3', type: 64, value: '10.1.2.3' })).toBe('1.2.3|64|10.1.2.3');
    expect(snmprecLine({ oid: '1.2.3', type: 65, value: 7 })).toBe('1.2.3|65|7');
    expect(snmprecLine({ oid: '1.2.3', type: 66, value: 100 })).toBe('1.2.3|66|100');
    expect(snmprecLine({ oid: '1.2.3', type: 67, value: 174000 })).toBe('1.2.3|67|174000');
    expect(snmprecLine({ oid: '1.2.3', type: 70, value: Buffer.from([0x01, 0x00, 0x00, 0x00, 0x00]) })).toBe('1.2.3|70|4294967296');
    expect(['1.3.6.1.2.1.33.1.10', '1.3.6.1.2.1.33.1.9', '1.3.6.1.2.1.33.1'].sort(compareOids)).toEqual(['1.3.6.1.2.1.33.1', '1.3.6.1.2.1.33.1.9', '1.3.6.1.2.1.33.1.10']);
  });
});

describe('record → snmpsimd → read gives the original reading', () => {
  it('the simulator UPS (apc-powernet-ups): same values, serial and UPS name replaced', async () => {
    const scenario = parseScenario({ name: 'apc', devices: [{ name: 'rack-ups', profile: 'apc-powernet-ups' }] }, 'record.test.ts');
    const rack: RunningRack = await startRack(scenario, { speed: 0 }); // paused: both reads see the same values
    try {
      const url = rack.devices[0].url;
      const before = await readOnce(url, { values: true });
      expect(before.device.profile).toBe('apc-powernet-ups');
      const recording = await recordDevice(url);
      const file = path.join(dir, 'sim-ups.snmprec');
      writeFileSync(file, recording.text);
      const serial = String(before.values['device.serial']);
      expect(serial).toMatch(/^SIM\d+$/u);
      expect(recording.text).not.toContain(serial);
      expect(recording.text).not.toContain('rack-ups'); // ups.id (upsBasicIdentName) and sysName
      const after = await replay(file, (u) => readOnce(u, { values: true }));
      expect(after.device.profile).toBe('apc-powernet-ups');
      expect(after.values['device.serial']).toBe('SN-0001');
      expect(after.values['ups.id']).toBe('id-0001');
      const changed = ['device.serial', 'ups.id'];
      expect(without(after.values, changed)).toEqual(without(before.values, changed));
      expect(Object.keys(after.values).length).toBeGreaterThan(15);
    } finally {
      await rack.close();
    }
  });

  it('a real walk (Eaton 93E) served by snmpsimd: same values; serial, names, location, contact and addresses replaced', async () => {
    const url = `snmp://eaton-93e-80@127.0.0.1:${original.port}`;
    const before = await values(url);
    const recording = await recordDevice(url);
    const file = path.join(dir, 'e93.snmprec');
    writeFileSync(file, recording.text);
    // What identifies the site or the unit is gone from the file ...
    for (const secret of ['4K234LXX06', 'Computer Room', 'DUMSYS-23', '202.112.176']) expect(recording.text, secret).not.toContain(secret);
    // ... replaced by stable placeholders: the serial is one placeholder wherever it appears
    const lines = recording.text.split('\n');
    expect(lines).toContain('1.3.6.1.4.1.705.1.1.7.0|4|SN-0001'); // upsmgIdentSerialNumber
    expect(lines).toContain('1.3.6.1.2.1.1.5.0|4|name-0001'); // sysName
    expect(lines).toContain('1.3.6.1.2.1.1.6.0|4|location-0001'); // sysLocation
    expect(lines).toContain('1.3.6.1.2.1.1.4.0|4|contact-0001'); // sysContact
    expect(lines.find((l) => l.startsWith('1.3.6.1.4.1.705.1.12.1.0|'))).toMatch(/^[\d.]+\|64\|192\.0\.2\.\d+$/u); // card IP address
    expect(lines).toContain('1.3.6.1.4.1.705.1.12.2.0|64|255.255.255.0'); // a netmask says nothing: kept
    // Lines are in OID order (snmpsimd needs it), the header is comments.
    const oids = lines.filter((l) => l && !l.startsWith('#')).map((l) => l.split('|')[0]);
    expect([...oids].sort(compareOids)).toEqual(oids);

    const after = await replay(file, values);
    expect(after['device.serial']).toBe('SN-0001');
    expect(after['device.location']).toBe('location-0001');
    expect(after['device.contact']).toBe('contact-0001');
    const changed = ['device.serial', 'device.location', 'device.contact'];
    expect(without(after, changed)).toEqual(without(before, changed));
  });

  it('--raw keeps the recording as the device said it', async () => {
    const recording = await recordDevice(`snmp://eaton-93e-80@127.0.0.1:${original.port}`, { raw: true });
    expect(recording.replaced).toBe(0);
    expect(recording.text).toContain('1.3.6.1.4.1.705.1.1.7.0|4|4K234LXX06');
    expect(recording.text).toContain('1.3.6.1.2.1.1.6.0|4|Computer Room');
  });
});


describe('rackpower record (the built command)', () => {
  it('writes --out, says what it did, and the file replays', async () => {
    ensureBuilt();
    const file = path.join(dir, 'cli-93e.snmprec');
    const r = await runNode([CLI, 'record', `snmp://eaton-93e-80@127.0.0.1:${original.port}`, '--out', file]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^wrote \d+ varbinds to .*cli-93e\.snmprec \(\d+ values anonymized\)\n$/u);
    expect(readFileSync(file, 'utf8')).toContain('|4|SN-0001');
    const v = await replay(file, values);
    expect(v).toMatchObject({ 'device.model': '93E HV', 'ups.status': 'OL', 'device.serial': 'SN-0001' });
  });

  it('prints to stdout without --out, and refuses a Modbus URL with exit status 2', async () => {
    ensureBuilt();
    const out = await runNode([CLI, 'record', `snmp://eaton-93e-80@127.0.0.1:${original.port}`, '--raw']);
    expect(out.code).toBe(0);
    expect(out.stdout.split('\n')[0]).toMatch(/^# rackpower record: \d+ varbinds/u);
    expect(out.stdout).toContain('4K234LXX06');
    const modbus = await runNode([CLI, 'record', 'modbus-tcp://127.0.0.1:1502?unit=1&profile=sdm120']);
    expect(modbus.code).toBe(2);
    expect(modbus.stderr).toMatch(/^rackpower: config: record walks SNMP agents/u);
    const none = await runNode([CLI, 'record']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('rackpower record <url> [--out FILE] [--raw]');
  });
});
