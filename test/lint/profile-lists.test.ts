// No list of profile ids, control vendors or trap tables outside the profiles: the editor, control, the trap receiver
// and the simulator take them from the loaded profiles, so a device is its profile and nothing else. In nodes/ and
// src/ (the profile loader aside), a string literal equal to a shipped profile id or to a trap section's vendor is a
// finding, and so is a JSON import (device data lives in profiles/, where the schema checks it).
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT, shippedProfiles } from '../../src/profiles/load';

/** The only files that may name a profile: each picks the one device it works on, none lists what exists. */
const NAMES_ONE_DEVICE: Record<string, string> = {
  'src/fuzz/snmp-fuzz.ts': 'the rack of devices the SNMP fuzzer attacks',
  'src/fuzz/modbus-fuzz.ts': 'the meter whose replies the Modbus fuzzer mutates',
  'src/fuzz/rtu-dead-unit.ts': 'the sensor that goes silent on the fuzzed RTU bus',
};
const LOADER = 'src/profiles/load.ts';

/** Profile ids and trap vendors: every name a hand-kept list would hold. */
function knownNames(): string[] {
  const profiles = shippedProfiles();
  const trapVendors = profiles.flatMap((p) => (p.protocol === 'snmp' && p.traps ? [p.traps.vendor] : []));
  return [...new Set([...profiles.map((p) => p.id), ...trapVendors])];
}

/** Each known name written as a whole string literal or attribute value, and each JSON import, in one file's text. */
function findings(text: string, names: string[]): string[] {
  // Ids and vendors are [a-z0-9-] (the schema's pattern): nothing in them to escape.
  const found = names.filter((name) => new RegExp(`(['"\`])${name}\\1`, 'u').test(text));
  const json = [...text.matchAll(/(?:from|import|require\()\s*['"]([^'"]+\.json)['"]/gu)].map((m) => `import ${m[1]}`);
  return [...found, ...json];
}

function sources(dir: string): string[] {
  return readdirSync(path.join(PACKAGE_ROOT, dir), { recursive: true, encoding: 'utf8' })
    .map((f) => `${dir}/${f.split(path.sep).join('/')}`)
    .filter((f) => /\.(ts|html|js|cjs|mjs)$/u.test(f) && !f.endsWith('.d.ts'));
}

describe('no list of profiles outside the profiles', () => {
  const names = knownNames();

  it('knows the names to look for: profile ids and trap vendors', () => {
    expect(names).toEqual(expect.arrayContaining(['apc-rpdu2', 'ietf-ups', 'xy-md02', 'ietf', 'apc', 'eaton', 'cyberpower']));
  });

  it('finds a hand-written option, an id list, a trap table name and a data import; not a longer word', () => {
    expect(findings('<option value="raritan-px1">Raritan Dominion PX</option>', names)).toEqual(['raritan-px1']);
    expect(findings("const VENDORS = ['apc-rpdu2', `eaton-epdu`];", names)).toEqual(['apc-rpdu2', 'eaton-epdu']);
    expect(findings("if (vendor === 'cyberpower') return;", names)).toEqual(['cyberpower']);
    expect(findings("import apc from './vendors/apc-pdu-legacy.json';", names)).toEqual(['import ./vendors/apc-pdu-legacy.json']);
    expect(findings("const d = 'apcupsd'; const x = 'ietf-ups-2'; // ietf-ups in a comment", names)).toEqual([]);
  });

  it('nodes/ and src/ name no profile, vendor or trap table (the loader and the fuzz targets aside)', () => {
    const files = [...sources('nodes'), ...sources('src')].filter((f) => f !== LOADER && !(f in NAMES_ONE_DEVICE));
    expect(files.length).toBeGreaterThan(100);
    const hits = files.flatMap((f) => findings(readFileSync(path.join(PACKAGE_ROOT, f), 'utf8'), names).map((n) => `${f}: ${n}`));
    expect(hits).toEqual([]);
  });

  it('each exception still names a device (a stale one would hide a list)', () => {
    for (const file of Object.keys(NAMES_ONE_DEVICE)) {
      const named = findings(readFileSync(path.join(PACKAGE_ROOT, file), 'utf8'), names).filter((n) => !n.startsWith('import '));
      expect(named.length, file).toBeGreaterThan(0);
      expect(named.length, `${file} names one device per purpose, not a list`).toBeLessThanOrEqual(3);
    }
  });
});
