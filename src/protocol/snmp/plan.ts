// The requests that read an SNMP agent's OIDs in the fewest round trips, knowing nothing of profiles: scalars and
// the cells of small tables in one batched GET, larger tables by GETBULK of their columns, sized to their rows, one
// GETBULK per row count. Which OIDs a profile's device needs is src/polling/snmp-plan.ts; the Modbus counterpart is
// src/protocol/modbus/plan.ts.
import type { TypedValue } from './client';

/** Tables this small are read as plain GET cells beside the scalars instead of costing a GETBULK of their own. */
const SMALL_TABLE_CELLS = 12;

/** The OID without a leading dot, as the agent's answers spell it. */
export const stripOid = (oid: string): string => (oid.startsWith('.') ? oid.slice(1) : oid);

/** A helper OID ending in `.0` is a scalar (a device-wide setting); any other names a column of the same row. */
export const isScalarOid = (oid: string): boolean => stripOid(oid).endsWith('.0');

/** One string per OID text in the process: see cellOid. */
const cellOids = new Map<string, string>();
/** Beyond this many (far more than a large rack's plans hold), cells are no longer shared: the map never grows past it. */
const SHARED_CELL_OIDS = 100_000;

/**
 * `<column>.<row>`, as one string object per text for the whole process: every plan that asks a cell (the readers of
 * a hundred units of one model) then holds the same string, so the request cache, the reply's OIDs and the reader
 * compare it by identity, and a round of polls reads it once.
 */
export function cellOid(column: string, row: string): string {
  const text = `${column}.${row}`;
  const oid = cellOids.get(text);
  if (oid !== undefined) return oid;
  if (cellOids.size < SHARED_CELL_OIDS) cellOids.set(text, text);
  return text;
}

/** The index arc a typed column or a `{i}` uses (default: the last). */
export function indexArc(index: string, part?: number): string {
  const arcs = index.split('.');
  return (part === undefined ? arcs[arcs.length - 1] : arcs[part < 0 ? arcs.length + part : part]) ?? '';
}

/** A text answer with nothing in it but blanks or NULs: an identity the card never learned, not a value. */
export function isBlank(answer: TypedValue | undefined): boolean {
  return !!answer && !answer.numeric && typeof answer.value === 'string' && /^[\s\0]*$/u.test(answer.value);
}

/** Row indexes in the agent's order: arc by arc, numerically. */
export function compareIndexes(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? -1) - (pb[i] ?? -1);
    if (d) return d;
  }
  return 0;
}

/** Whether a table is read cell by cell in the GET: small, and of a known size (not volatile). */
export function isSmallTable(rows: number, columns: number, volatile: boolean): boolean {
  return !volatile && rows * columns <= SMALL_TABLE_CELLS;
}

/** The GETBULKs for tables read by column: tables with the same number of rows share one; empty ones cost none. */
export function bulkRequests(tables: { columns: string[]; rows: number }[]): { columns: string[]; rows: number }[] {
  const bySize = new Map<number, string[]>();
  for (const { columns, rows } of tables) {
    if (!columns.length || rows <= 0) continue;
    bySize.set(rows, [...(bySize.get(rows) ?? []), ...columns]);
  }
  return [...bySize].map(([rows, columns]) => ({ columns: [...new Set(columns)], rows }));
}
