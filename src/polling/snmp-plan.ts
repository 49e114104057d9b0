// What to ask an SNMP agent each poll, learned from the first full read: OIDs that never answer are dropped,
// the first answering alternative of a variable wins, and table sizes are known so GETBULK asks exactly enough.
import type { TypedValue } from '../protocol/snmp/client';
import type { SnmpColumn, SnmpProfile, SnmpTable, SnmpVariable } from '../profiles/types';

const strip = (oid: string): string => (oid.startsWith('.') ? oid.slice(1) : oid);

/** Tables this small are read as plain GET cells beside the scalars instead of costing a GETBULK of their own. */
const SMALL_TABLE_CELLS = 12;
const VOLATILE_SPARE_ROWS = 4;

export interface LearnedTable {
  table: SnmpTable;
  /** Row indexes as the agent numbers them (dotted when the index has several arcs). */
  rows: string[];
  /** Columns that had at least one row. */
  columns: SnmpColumn[];
}

export class SnmpPlan {
  /** Scalar variables that answered, at most one per name except the ups.status sources. */
  scalars: SnmpVariable[];
  tables: LearnedTable[] = [];

  constructor(readonly profile: SnmpProfile) {
    this.scalars = profile.variables.map((v) => ({ ...v, oid: strip(v.oid) }));
  }

  /** Keeps, after a read of every alternative, what answered: all ups.status sources, else the first per name. */
  learnScalars(answers: Map<string, TypedValue>): void {
    const kept: SnmpVariable[] = [];
    const named = new Set<string>();
    for (const v of this.profile.variables) {
      const oid = strip(v.oid);
      if (!answers.has(oid)) continue;
      if (v.name !== 'ups.status') {
        if (named.has(v.name)) continue;
        named.add(v.name);
      }
      kept.push({ ...v, oid });
    }
    this.scalars = kept;
  }

  learnTable(table: SnmpTable, columns: Map<string, { index: string }[]>): void {
    const rows = new Set<string>();
    const present: SnmpColumn[] = [];
    for (const col of table.columns) {
      const found = columns.get(strip(col.oid)) ?? [];
      if (!found.length && !table.volatile) continue;
      present.push({ ...col, oid: strip(col.oid) });
      for (const r of found) rows.add(r.index);
    }
    const sorted = [...rows].sort(compareIndexes);
    const learned = { table, rows: sorted, columns: present };
    this.tables = [...this.tables.filter((t) => t.table !== table), learned];
  }

  /** Scalars (static ones only when due), row counters and the cells of small tables: one batched GET. */
  getOids(includeStatic: boolean): string[] {
    const oids = this.scalars.filter((v) => includeStatic || !v.static).map((v) => v.oid);
    for (const t of this.tables) if (t.table.rowsOid) oids.push(strip(t.table.rowsOid));
    for (const t of this.tables.filter(isSmall)) {
      for (const col of t.columns.filter((c) => includeStatic || !c.static)) {
        for (const row of t.rows) oids.push(`${col.oid}.${row}`);
      }
    }
    return oids;
  }

  /**
   * Large and volatile tables, read by GETBULK of their columns sized to their row count. `answers` is this
   * poll's GET, which carries the row counters of volatile tables: an empty alarm table costs no request.
   */
  bulkTables(includeStatic: boolean, answers: Map<string, TypedValue>): { columns: string[]; rows: number }[] {
    return this.tables
      .filter((t) => !isSmall(t))
      .map((t) => ({
        columns: t.columns.filter((c) => includeStatic || !c.static).map((c) => c.oid),
        rows: rowsToAsk(t, answers),
      }))
      .filter((b) => b.columns.length > 0 && b.rows > 0);
  }
}

function rowsToAsk(t: LearnedTable, answers: Map<string, TypedValue>): number {
  if (!t.table.volatile) return t.rows.length;
  const counted = t.table.rowsOid ? answers.get(strip(t.table.rowsOid)) : undefined;
  if (counted?.numeric) return Number(counted.value);
  // No counter: the table may have grown since the last poll, so ask a little more than it had.
  return t.rows.length + VOLATILE_SPARE_ROWS;
}

function isSmall(t: LearnedTable): boolean {
  return !t.table.volatile && t.rows.length * t.columns.length <= SMALL_TABLE_CELLS;
}

function compareIndexes(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? -1) - (pb[i] ?? -1);
    if (d) return d;
  }
  return 0;
}
