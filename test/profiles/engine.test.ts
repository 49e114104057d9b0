// The profile engine's data-driven features, without an agent: detection ranking and per-row scaling.
import { describe, expect, it } from 'vitest';
import { chooseProfile, rankProfiles } from '../../src/profiles/detect';
import type { SnmpProfile } from '../../src/profiles/types';
import { applyScaling } from '../../src/normalize/scaling';
import { decodeValue } from '../../src/normalize/transform';
import type { TypedValue } from '../../src/protocol/snmp/client';

const profile = (id: string, match: SnmpProfile['match']): SnmpProfile => ({
  id, protocol: 'snmp', kind: 'pdu', vendor: 'x', models: ['x'], description: '', match, variables: [],
});

describe('detection ranking', () => {
  const vendor = profile('vendor', { sysObjectID: ['1.3.6.1.4.1.9.1'], probe: ['1.3.6.1.4.1.9.2.0'], priority: 50 });
  const prefix = profile('prefix', { sysObjectIDPrefix: ['1.3.6.1.4.1.9'], probe: ['1.3.6.1.4.1.9.3.0'], priority: 60 });
  const generic = profile('generic', { probe: ['1.3.6.1.2.1.33.1.1.1.0'], priority: 0 });
  const anyOf = profile('any', { probeAny: ['1.3.6.1.4.1.7.1', '1.3.6.1.4.1.7.2'], priority: 10 });
  const all = [generic, prefix, vendor, anyOf];

  it('exact sysObjectID beats prefix beats probe-only among confirmed candidates', () => {
    const answered = new Set(['1.3.6.1.4.1.9.2.0', '1.3.6.1.4.1.9.3.0', '1.3.6.1.2.1.33.1.1.1.0']);
    expect(rankProfiles(all, '1.3.6.1.4.1.9.1', answered).map((c) => c.profile.id)).toEqual(['vendor', 'prefix', 'generic']);
  });

  it('a confirmed probe-only match beats a sysObjectID match whose probes are silent', () => {
    expect(chooseProfile(all, '1.3.6.1.4.1.9.1', new Set(['1.3.6.1.2.1.33.1.1.1.0']))?.id).toBe('generic');
  });

  it('an agent that tells only its sysObjectID is still recognised, exact before prefix', () => {
    expect(chooseProfile(all, '1.3.6.1.4.1.9.1', new Set())?.id).toBe('vendor');
    expect(chooseProfile(all, '1.3.6.1.4.1.9.7', new Set())?.id).toBe('prefix');
    expect(chooseProfile(all, '1.3.6.1.4.1.11', new Set())).toBeUndefined();
  });

  it('probeAny needs one of its OIDs', () => {
    expect(chooseProfile([anyOf], undefined, new Set(['1.3.6.1.4.1.7.2']))?.id).toBe('any');
    expect(chooseProfile([anyOf], undefined, new Set(['1.3.6.1.4.1.7.3']))).toBeUndefined();
  });
});

const num = (value: number): TypedValue => ({ value, numeric: true });
const helpers = (map: Record<string, number>) => (oid: string): TypedValue | undefined => (oid in map ? num(map[oid]) : undefined);

describe('per-row scaling', () => {
  it('decimalsFrom: value × 10^-digits of the same row (Raritan 1 digit: 23 → 2.3 A)', () => {
    const t = applyScaling({ decimalsFrom: '1.2' }, helpers({ '1.2': 1 }))!;
    expect(decodeValue(23, t)).toBe(2.3);
    expect(decodeValue(230, applyScaling({ decimalsFrom: '1.2' }, helpers({ '1.2': 0 }))!)).toBe(230);
  });

  it('exponentFrom with a map: ENTITY-SENSOR milli (8) and kilo (10), combined with precision', () => {
    const map = { '8': -3, '9': 0, '10': 3 };
    expect(decodeValue(27250, applyScaling({ exponentFrom: { oid: 's', map } }, helpers({ s: 8 }))!)).toBe(27.25);
    expect(decodeValue(98, applyScaling({ exponentFrom: { oid: 's', map }, decimalsFrom: 'p' }, helpers({ s: 10, p: 2 }))!)).toBe(980);
    // a negative precision multiplies (RFC 3433: -8..9)
    expect(decodeValue(5, applyScaling({ decimalsFrom: 'p' }, helpers({ p: -2 }))!)).toBe(500);
    // an exponent code missing from the map: the value cannot be scaled, so it is dropped
    expect(applyScaling({ exponentFrom: { oid: 's', map } }, helpers({ s: 1 }))).toBeUndefined();
  });

  it('unitFrom converts °F to °C only when the unit OID says Fahrenheit', () => {
    const unitFrom = { oid: 'u', fahrenheit: ['1'] };
    expect(decodeValue(680, applyScaling({ scale: 0.1, decimals: 1, unitFrom }, helpers({ u: 1 }))!)).toBe(20);
    expect(decodeValue(680, applyScaling({ scale: 0.1, decimals: 1, unitFrom }, helpers({ u: 0 }))!)).toBe(68);
    // no answer from the unit OID: the value is taken as Celsius
    expect(decodeValue(215, applyScaling({ scale: 0.1, unitFrom }, helpers({}))!)).toBe(21.5);
  });
});
