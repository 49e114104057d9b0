// The trap tables are data: every file well-formed, no OID twice, every event a name flows already switch on.
import { describe, expect, it } from 'vitest';
import { TABLES, trapIndex } from '../../src/traps/tables';

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
});
