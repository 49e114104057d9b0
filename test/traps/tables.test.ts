// The trap tables are data: every file well-formed, no OID twice, every event a name flows already switch on.
import { describe, expect, it } from 'vitest';
import { TABLES, trapIndex, v1Form } from '../../src/traps/tables';

const EVENTS = ['ONLINE', 'ONBATT', 'LOWBATT', 'FSD', 'COMMOK', 'COMMBAD', 'REPLBATT', 'CAL', 'NOTCAL', 'OFF', 'NOTOFF', 'BYPASS', 'NOTBYPASS', 'OVER', 'NOTOVER', 'TRIM', 'NOTTRIM', 'BOOST', 'NOTBOOST', 'OUTLETON', 'OUTLETOFF'];
const OID = /^1(\.\d+)+$/u;

describe('trap tables', () => {
  it('cover RFC 1628, APC PowerNet, Eaton XUPS and CyberPower with valid OIDs and events', () => {
    expect(TABLES.map((t) => t.vendor)).toEqual(['ietf', 'apc', 'eaton', 'cyberpower']);
    for (const table of TABLES) {
      for (const trap of table.traps) {
        expect(trap.oid, trap.name).toMatch(OID);
        expect(trap.name).toMatch(/^[a-zA-Z][a-zA-Z0-9]+$/u);
        if (trap.event) expect(EVENTS).toContain(trap.event);
        if (trap.byVarbind) {
          expect(trap.byVarbind.oid).toMatch(OID);
          for (const [value, event] of Object.entries(trap.byVarbind.events)) {
            expect(value).toMatch(OID);
            expect(EVENTS).toContain(event);
          }
        }
      }
    }
  });

  it('index every notification once; the power events exist for each vendor', () => {
    const index = trapIndex();
    for (const vendor of ['ietf', 'apc', 'eaton', 'cyberpower']) {
      const events = [...index.values()].filter((t) => t.vendor === vendor).flatMap((t) => [t.event, ...Object.values(t.byVarbind?.events ?? {})]);
      expect(events, vendor).toEqual(expect.arrayContaining(['ONBATT', 'ONLINE', 'LOWBATT']));
    }
    expect(() => trapIndex([...TABLES, TABLES[0]])).toThrow(/defined twice/);
  });

  it('every notification of every table is found in its SMIv2 form and in its RFC 3584 v1 form', () => {
    const index = trapIndex();
    for (const table of TABLES) {
      for (const trap of table.traps) {
        expect(index.get(trap.oid)?.name, trap.oid).toBe(trap.name);
        // v1: enterprise = the OID without its last arc (and without a trailing 0), specific = the last arc
        const arcs = trap.oid.split('.');
        const enterprise = arcs.slice(0, arcs[arcs.length - 2] === '0' ? -2 : -1).join('.');
        expect(index.get(`${enterprise}.0.${arcs[arcs.length - 1]}`)?.name, `${trap.name} as v1`).toBe(trap.name);
      }
    }
    expect(v1Form('1.3.6.1.2.1.33.2.1')).toBe('1.3.6.1.2.1.33.2.0.1');
    expect(v1Form('1.3.6.1.4.1.318.0.5')).toBeUndefined();
  });
});
