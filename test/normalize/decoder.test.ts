// A Decoder is decodeAnswer with the work that depends on the variable alone done once (a reader keeps one per cell of
// its learned plan): for every variable and column of every shipped profile, under a name of each of its rows, it must
// give exactly what decodeAnswer gives, for numbers, sentinels, text, numeric text and every refused type.
import { describe, expect, it } from 'vitest';
import { Decoder, decodeAnswer, type RawAnswer } from '../../src/normalize/value-class';
import { shippedProfiles } from '../../src/profiles/load';
import type { SnmpProfile, Transform } from '../../src/profiles/types';

const ANSWERS: RawAnswer[] = [
  ...[-1, 0, 1, 2, 3, 7, 42, 100, 123, 2232, 65535, -410, 2 ** 31 - 1].map((value) => ({ value, numeric: true, type: 'integer' as const })),
  { value: 1234567890123, numeric: true, type: 'counter64' },
  { value: 360000, numeric: true, type: 'timeticks' },
  ...['23.5', '2', '', '  ', 'APC\0\0', 'n/a', '0x10', '-1'].map((value) => ({ value, numeric: false, type: 'octetString' as const })),
  { value: '1.3.6.1.2.1.33.1.6.3.2', numeric: false, type: 'oid' },
  { value: '10.0.0.1', numeric: false, type: 'ipAddress' },
  ...(['null', 'noSuchObject', 'noSuchInstance', 'endOfMibView', 'boolean', 'bitString', 'opaque', 'malformed'] as const).map((type) => ({ value: '', numeric: false, type })),
  // values from tables with no ASN.1 type (the simulator's own)
  { value: 17, numeric: true },
  { value: '17', numeric: false },
];

/** Every (name, transform) a shipped SNMP profile defines, with `{i}` as a row number. */
function definitions(): [string, Transform][] {
  const out: [string, Transform][] = [];
  for (const p of shippedProfiles().filter((x): x is SnmpProfile => x.protocol === 'snmp')) {
    for (const v of p.variables) out.push([v.name, v]);
    for (const t of p.tables ?? []) for (const c of t.columns) for (const i of ['1', '3']) out.push([c.name.replace('{i}', i), c]);
  }
  return out;
}

describe('Decoder', () => {
  it('decodes every answer exactly as decodeAnswer does, for every shipped profile variable and column', () => {
    const defs = definitions();
    expect(defs.length).toBeGreaterThan(300);
    let compared = 0;
    for (const [name, def] of defs) {
      const d = new Decoder(name, def);
      for (const answer of ANSWERS) {
        expect([name, d.decode(answer)]).toEqual([name, decodeAnswer(name, def, answer)]);
        compared++;
      }
    }
    expect(compared).toBe(defs.length * ANSWERS.length);
  });

  it('a transform written with any subset of keys decodes as written (scale, offset, sentinels, enum, unit, places)', () => {
    const cases: [string, Transform, number | string, unknown][] = [
      ['outlet.1.current', { scale: 0.1, decimals: 1, negativeInvalid: true }, 23, 2.3],
      ['outlet.1.current', { negativeInvalid: true, scale: 0.1 }, -1, undefined],
      ['ambient.1.temperature', { offset: -273, scale: 0.1 }, 2982, 25.2],
      ['ambient.1.temperature', { convert: 'fahrenheit-to-celsius', decimals: 1 }, 77, 25],
      ['battery.runtime', { convert: 'minutes-to-s' }, 12, 720],
      ['input.voltage', { invalid: [65535] }, 65535, undefined],
      ['input.voltage', { zeroInvalid: true }, 0, undefined],
      ['outlet.1.status', { enum: { '1': 'off', '2': 'on' } }, 2, 'on'],
      ['outlet.1.status', { enum: { '1': 'off', '2': 'on' } }, 3, undefined],
    ];
    for (const [name, def, raw, want] of cases) {
      const answer: RawAnswer = { value: raw, numeric: typeof raw === 'number', type: typeof raw === 'number' ? 'integer' : 'octetString' };
      const got = new Decoder(name, def).decode(answer);
      expect(typeof got === 'object' ? undefined : got, `${name} ${JSON.stringify(def)} ${raw}`).toBe(want);
    }
  });

  it('Decoder.of shares one decoder per name and transform object, and never one across names or transforms', () => {
    const current = { scale: 0.1, decimals: 1 };
    const same = { scale: 0.1, decimals: 1 };
    const a = Decoder.of('outlet.1.current', current);
    expect(Decoder.of('outlet.1.current', current)).toBe(a);
    const other = Decoder.of('outlet.2.current', current);
    expect(other).not.toBe(a);
    expect(other.name).toBe('outlet.2.current');
    // An equal transform in another object (another profile's column) gets its own: only the object is the key.
    expect(Decoder.of('outlet.1.current', same)).not.toBe(a);
    const answer: RawAnswer = { value: 23, numeric: true, type: 'integer' };
    expect(a.decode(answer)).toBe(decodeAnswer('outlet.1.current', current, answer));
  });

  it('Decoder.of keeps a bounded number per transform: names past it (rows an agent invents) still decode, unshared', () => {
    const current = { scale: 0.1, decimals: 1 };
    const answer: RawAnswer = { value: 23, numeric: true, type: 'integer' };
    for (let i = 0; i < 5000; i++) expect(Decoder.of(`outlet.${i}.current`, current).decode(answer)).toBe(2.3);
    expect(Decoder.of('outlet.1.current', current)).toBe(Decoder.of('outlet.1.current', current));
    const late = Decoder.of('outlet.4999.current', current);
    expect(late.name).toBe('outlet.4999.current');
    expect(Decoder.of('outlet.4999.current', current)).not.toBe(late);
  });
});
