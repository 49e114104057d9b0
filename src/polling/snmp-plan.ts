// What to ask an SNMP agent each poll, learned from the first full read: OIDs that never answer are dropped,
// the first answering alternative of a variable wins, and table sizes are known so GETBULK asks exactly enough.
// Helper OIDs (a column giving another column's decimal digits, type, exponent, unit or presence) are read with the
// table they serve: structural ones (type, digits, exponent, labels) once per discovery, live ones every poll. How
// those OIDs become GET and GETBULK requests is src/protocol/snmp/plan.ts.
import type { Answers, TypedValue } from '../protocol/snmp/client';
import type { SnmpColumn, SnmpProfile, SnmpTable, SnmpVariable, TypedName } from '../profiles/types';
import { bulkRequests, cellOid, compareIndexes, indexArc, isBlank, isScalarOid, isSmallTable, stripOid as strip } from '../protocol/snmp/plan';

const VOLATILE_SPARE_ROWS = 4;

/** Helper OIDs whose values describe the table's structure: read at discovery and cached. */
function structuralHelpers(table: SnmpTable): string[] {
  const out: string[] = [];
  for (const c of table.columns) {
    if (c.decimalsFrom) out.push(c.decimalsFrom);
    if (c.exponentFrom) out.push(c.exponentFrom.oid);
    if (c.typedBy?.oid) out.push(c.typedBy.oid);
  }
  if (table.indexFrom) out.push(table.indexFrom.oid);
  return [...new Set(out.map(strip).filter((o) => !isScalarOid(o)))];
}

/** Helper columns whose values change while the device runs (presence, unit setting): read every poll. */
function liveHelpers(table: SnmpTable): string[] {
  const out: string[] = [];
  if (table.presentIf) out.push(table.presentIf.oid);
  for (const c of table.columns) if (c.unitFrom) out.push(c.unitFrom.oid);
  const own = new Set(table.columns.map((c) => strip(c.oid)));
  return [...new Set(out.map(strip).filter((o) => !isScalarOid(o) && !own.has(o)))];
}

/** Every scalar helper OID of a profile (unit settings, device-wide digits), asked in the poll's GET. */
function scalarHelpers(profile: SnmpProfile): string[] {
  const out: string[] = [];
  const add = (v: { decimalsFrom?: string; exponentFrom?: { oid: string }; unitFrom?: { oid: string } }): void => {
    if (v.decimalsFrom) out.push(v.decimalsFrom);
    if (v.exponentFrom) out.push(v.exponentFrom.oid);
    if (v.unitFrom) out.push(v.unitFrom.oid);
  };
  profile.variables.forEach(add);
  for (const t of profile.tables ?? []) t.columns.forEach(add);
  return [...new Set(out.map(strip).filter(isScalarOid))];
}

/**
 * The profile's own variable or column when its OID is already spelled `oid` (the usual case), else a copy with it:
 * readers of one profile then share these objects and everything kept per object (Decoder.of).
 */
function withOid<T extends { oid: string }>(v: T, oid = strip(v.oid)): T {
  return oid === v.oid ? v : { ...v, oid };
}

/** Every column OID a discovery walk of this table reads: its own columns and its helper columns. */
export function walkColumns(table: SnmpTable): string[] {
  return [...new Set([...table.columns.map((c) => strip(c.oid)), ...structuralHelpers(table), ...liveHelpers(table)])];
}

/** The NUT name template and transform of a typed column at one row; undefined when the row's type is not mapped. */
export function typedEntry(col: SnmpColumn, type: string | undefined): TypedName | undefined {
  if (!col.typedBy || type === undefined) return undefined;
  const entry = Object.prototype.hasOwnProperty.call(col.typedBy.map, type) ? col.typedBy.map[type] : undefined;
  if (entry === undefined) return undefined;
  return typeof entry === 'string' ? { name: entry } : entry;
}

export interface LearnedTable {
  table: SnmpTable;
  /** Row indexes as the agent numbers them (dotted when the index has several arcs). */
  rows: string[];
  /** Columns that had at least one row. */
  columns: SnmpColumn[];
  /** Structural helper column → row → value, from the discovery walk. */
  helpers: Map<string, Map<string, TypedValue>>;
  /** Helper columns read with the table every poll (those that answered at discovery). */
  live: string[];
  /** For `ordinal` tables: column OID → row → 1-based position (per name template for typed columns). */
  ordinals: Map<string, Map<string, number>>;
  /** For typed columns: column OID → name template → rows of that type (a type with one row may use `single`). */
  templateRows: Map<string, Map<string, number>>;
  /**
   * Every row index carries an extra `.0` (`…3.3.1.3.1.0` for row 1): sloppy agents register table cells like
   * scalars. The requests keep the index as the agent spells it; the NUT index ignores the `.0`.
   */
  trailingZero: boolean;
}

/** The row index without the `.0` a sloppy agent appends to every row. */
export function rowIndex(t: LearnedTable, index: string): string {
  return t.trailingZero ? index.slice(0, -2) : index;
}

export class SnmpPlan {
  /** Scalar variables that answered, at most one per name except the ups.status sources. */
  scalars: SnmpVariable[];
  /** Scalar helper OIDs (unit settings ...) that answered at discovery. */
  helperScalars: string[];
  tables: LearnedTable[] = [];

  constructor(readonly profile: SnmpProfile) {
    this.scalars = profile.variables.map((v) => withOid(v));
    this.helperScalars = scalarHelpers(profile);
  }

  /** What the discovery GET asks: every variable alternative and every scalar helper. */
  discoveryOids(): string[] {
    return [...new Set([...this.profile.variables.map((v) => strip(v.oid)), ...scalarHelpers(this.profile)])];
  }

  /**
   * Keeps, after a read of every alternative, what answered: all ups.status sources, else the first per name. An
   * alternative that answered only blanks gives way to a later one that says something (an empty
   * upsIdentManufacturer before a vendor ident tree). A scalar the agent registered without its `.0` (`bare`
   * holds those that answered so) is asked that way from now on.
   */
  learnScalars(answers: Map<string, TypedValue>, bare: Map<string, TypedValue> = new Map()): void {
    this.oidCache = [];
    const kept: SnmpVariable[] = [];
    const named = new Set<string>();
    const spelled = (v: SnmpVariable): string | undefined => {
      const oid = strip(v.oid);
      if (answers.has(oid)) return oid;
      const withoutZero = oid.endsWith('.0') ? oid.slice(0, -2) : undefined;
      return withoutZero !== undefined && bare.has(withoutZero) ? withoutZero : undefined;
    };
    const answerOf = (oid: string): TypedValue | undefined => answers.get(oid) ?? bare.get(oid);
    const saysSomething = new Set<string>();
    for (const v of this.profile.variables) {
      const oid = spelled(v);
      if (oid !== undefined && !isBlank(answerOf(oid))) saysSomething.add(v.name);
    }
    for (const v of this.profile.variables) {
      const oid = spelled(v);
      if (oid === undefined) continue;
      if (v.name !== 'ups.status' && isBlank(answerOf(oid)) && saysSomething.has(v.name)) continue;
      if (v.name !== 'ups.status') {
        if (named.has(v.name)) continue;
        named.add(v.name);
      }
      kept.push(withOid(v, oid));
    }
    this.scalars = kept;
    this.helperScalars = scalarHelpers(this.profile).filter((o) => answers.has(o));
  }

  learnTable(table: SnmpTable, columns: Map<string, { index: string; value: TypedValue }[]>): void {
    const rows = new Set<string>();
    const present: SnmpColumn[] = [];
    for (const col of table.columns) {
      const found = columns.get(strip(col.oid)) ?? [];
      if (!found.length && !table.volatile) continue;
      present.push(withOid(col));
      for (const r of found) rows.add(r.index);
    }
    const helpers = new Map<string, Map<string, TypedValue>>();
    for (const oid of structuralHelpers(table)) {
      helpers.set(oid, new Map((columns.get(oid) ?? []).map((r) => [r.index, r.value])));
    }
    const live = liveHelpers(table).filter((oid) => (columns.get(oid) ?? []).length > 0);
    const sorted = [...rows].sort(compareIndexes);
    const trailingZero = sorted.length > 0 && sorted.every((r) => r.endsWith('.0'));
    const learned: LearnedTable = { table, rows: sorted, columns: present, helpers, live, ordinals: new Map(), templateRows: new Map(), trailingZero };
    const ordinals = ordinalsOf(learned);
    if (table.ordinal) learned.ordinals = ordinals;
    for (const [oid, positions] of ordinals) {
      const perTemplate = new Map<string, number>();
      const col = present.find((c) => c.oid === oid)!;
      if (!col.typedBy) continue;
      for (const row of positions.keys()) {
        const key = templateOf(learned, col, row) ?? '';
        perTemplate.set(key, (perTemplate.get(key) ?? 0) + 1);
      }
      learned.templateRows.set(oid, perTemplate);
    }
    this.tables = [...this.tables.filter((t) => t.table !== table), learned];
  }

  /** Scalars (static ones only when due), row counters, scalar helpers and the cells of small tables: one batched GET. */
  getOids(includeStatic: boolean): string[] {
    // The plan only changes when it learns (plan.tables is reassigned then too), so each list is built once.
    const key = includeStatic ? 1 : 0;
    if (this.oidCache[key]?.tables !== this.tables) this.oidCache[key] = { tables: this.tables, oids: this.buildOids(includeStatic) };
    return this.oidCache[key].oids;
  }

  private oidCache: { tables: LearnedTable[]; oids: string[] }[] = [];

  private buildOids(includeStatic: boolean): string[] {
    const oids = this.scalars.filter((v) => includeStatic || !v.static).map((v) => v.oid);
    oids.push(...this.helperScalars);
    for (const t of this.tables) if (t.table.rowsOid) oids.push(strip(t.table.rowsOid));
    for (const t of this.tables.filter(isSmall)) {
      for (const oid of readColumns(t, includeStatic)) {
        for (const row of t.rows) oids.push(cellOid(oid, row));
      }
    }
    return [...new Set(oids)];
  }

  /**
   * Large and volatile tables, read by GETBULK of their columns sized to their row count; tables of the same size
   * share one GETBULK. `answers` is this poll's GET, which carries the row counters of volatile tables: an empty
   * alarm table costs no request.
   */
  bulkTables(includeStatic: boolean, answers: Answers): { columns: string[]; rows: number }[] {
    // The requests depend on the learned plan and the volatile tables' sizes this poll (most polls: the same as the
    // poll before): built again only when one of those changed.
    const key = includeStatic ? 1 : 0;
    const cached = this.bulkCache[key];
    if (cached?.tables === this.tables && sameSizes(cached.volatile, cached.sizes, answers)) return cached.bulk;
    const volatile = this.tables.filter((t) => t.table.volatile);
    const sizes = volatile.map((t) => rowsToAsk(t, answers));
    const bulk = this.buildBulk(includeStatic, answers);
    this.bulkCache[key] = { tables: this.tables, volatile, sizes, bulk };
    return bulk;
  }

  /** Per includeStatic: the requests, and the volatile tables (most plans have none) with the rows each asked. */
  private bulkCache: { tables: LearnedTable[]; volatile: LearnedTable[]; sizes: number[]; bulk: { columns: string[]; rows: number }[] }[] = [];

  private buildBulk(includeStatic: boolean, answers: Answers): { columns: string[]; rows: number }[] {
    return bulkRequests(this.tables.filter((x) => !isSmall(x)).map((t) => ({ columns: readColumns(t, includeStatic), rows: rowsToAsk(t, answers) })));
  }
}

/** Column OIDs read each poll for a table: its (non-static unless due) columns and its live helpers. */
function readColumns(t: LearnedTable, includeStatic: boolean): string[] {
  const own = t.columns.filter((c) => includeStatic || !c.static).map((c) => c.oid);
  return own.length ? [...new Set([...own, ...t.live])] : [];
}

/** 1-based positions of rows, per name template when a column is typed (ENTITY: 1st celsius row, 2nd ...). */
function templateOf(t: LearnedTable, col: SnmpColumn, row: string): string | undefined {
  const type = col.typedBy!.oid ? t.helpers.get(strip(col.typedBy!.oid))?.get(row)?.value : indexArc(row, col.typedBy!.part);
  return typedEntry(col, type === undefined ? undefined : String(type))?.name;
}

function ordinalsOf(t: LearnedTable): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (const col of t.columns) {
    const positions = new Map<string, number>();
    const seen = new Map<string, number>();
    for (const row of t.rows) {
      let key = '';
      if (col.typedBy) {
        const name = templateOf(t, col, row);
        if (name === undefined) continue;
        key = name;
      }
      const n = (seen.get(key) ?? 0) + 1;
      seen.set(key, n);
      positions.set(row, n);
    }
    out.set(col.oid, positions);
  }
  return out;
}

/** Whether each of the volatile tables asks as many rows this poll as `sizes` says. */
function sameSizes(volatile: LearnedTable[], sizes: number[], answers: Answers): boolean {
  for (let v = 0; v < volatile.length; v++) if (rowsToAsk(volatile[v], answers) !== sizes[v]) return false;
  return true;
}

function rowsToAsk(t: LearnedTable, answers: Answers): number {
  if (!t.table.volatile) return t.rows.length;
  const counted = t.table.rowsOid ? answers.get(strip(t.table.rowsOid)) : undefined;
  if (counted?.numeric) return Number(counted.value);
  // No counter: the table may have grown since the last poll, so ask a little more than it had.
  return t.rows.length + VOLATILE_SPARE_ROWS;
}

function isSmall(t: LearnedTable): boolean {
  return isSmallTable(t.rows.length, t.columns.length + t.live.length, !!t.table.volatile);
}
