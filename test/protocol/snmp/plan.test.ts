// The profile-free part of the SNMP request plan: which tables go into the GET cell by cell, how GETBULKs are
// shared, and the OID and row index helpers.
import { describe, expect, it } from 'vitest';
import { bulkRequests, cellOid, compareIndexes, indexArc, isBlank, isScalarOid, isSmallTable, stripOid } from '../../../src/protocol/snmp/plan';

describe('SNMP requests', () => {
  it('reads a small table of known size as GET cells, a larger or volatile one by GETBULK', () => {
    expect(isSmallTable(4, 3, false)).toBe(true);
    expect(isSmallTable(2, 6, false)).toBe(true);
    expect(isSmallTable(5, 3, false)).toBe(false);
    expect(isSmallTable(1, 1, true)).toBe(false);
  });

  it('shares one GETBULK among tables of the same row count, and asks nothing for empty ones', () => {
    expect(
      bulkRequests([
        { columns: ['1.3.6.1.4.1.318.1.1.26.9.4.3.1.5', '1.3.6.1.4.1.318.1.1.26.9.4.3.1.6'], rows: 24 },
        { columns: ['1.3.6.1.4.1.318.1.1.26.6.3.1.5'], rows: 2 },
        { columns: ['1.3.6.1.4.1.318.1.1.26.9.4.3.1.6', '1.3.6.1.4.1.318.1.1.26.8.3.1.5'], rows: 24 },
        { columns: [], rows: 8 },
        { columns: ['1.3.6.1.2.1.33.1.6.2.1.2'], rows: 0 },
      ]),
    ).toEqual([
      { columns: ['1.3.6.1.4.1.318.1.1.26.9.4.3.1.5', '1.3.6.1.4.1.318.1.1.26.9.4.3.1.6', '1.3.6.1.4.1.318.1.1.26.8.3.1.5'], rows: 24 },
      { columns: ['1.3.6.1.4.1.318.1.1.26.6.3.1.5'], rows: 2 },
    ]);
  });

  it('names a cell <column>.<row>, the same text however often and for whichever plan asks', () => {
    expect(cellOid('1.3.6.1.2.1.33.1.3.3.1.3', '1')).toBe('1.3.6.1.2.1.33.1.3.3.1.3.1');
    expect(cellOid('1.3.6.1.2.1.33.1.3.3.1.3', '1')).toBe('1.3.6.1.2.1.33.1.3.3.1.3.1');
    expect(cellOid('1.3.6.1.2.1.33.1.3.3.1.3', '12')).toBe('1.3.6.1.2.1.33.1.3.3.1.3.12');
    expect(cellOid('1.3.6.1.4.1.318.1.1.26.9.4.3.1.6', '1.0')).toBe('1.3.6.1.4.1.318.1.1.26.9.4.3.1.6.1.0');
  });

  it('orders row indexes arc by arc, numerically', () => {
    expect(['2.10', '2.9', '10', '1.1.0', '1'].sort(compareIndexes)).toEqual(['1', '1.1.0', '2.9', '2.10', '10']);
  });

  it('reads OIDs and indexes as the agent spells them', () => {
    expect(stripOid('.1.3.6.1.2.1.1.2.0')).toBe('1.3.6.1.2.1.1.2.0');
    expect(isScalarOid('.1.3.6.1.4.1.318.1.1.1.2.2.1.0')).toBe(true);
    expect(isScalarOid('1.3.6.1.4.1.318.1.1.26.9.4.3.1.5')).toBe(false);
    expect(indexArc('1.3.7')).toBe('7');
    expect(indexArc('1.3.7', 0)).toBe('1');
    expect(indexArc('1.3.7', -2)).toBe('3');
    expect(isBlank({ numeric: false, value: ' \0 ' })).toBe(true);
    expect(isBlank({ numeric: false, value: 'APC' })).toBe(false);
  });
});
