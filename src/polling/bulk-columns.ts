// This poll's GETBULK columns as the client returned them, rows in the agent's order. A learned table's column comes
// back, poll after poll, with exactly its learned rows in the same order: then its cells are taken by position, with
// no map of row indexes (each poll's index strings are new, and every one would be hashed to build it). Any other
// column (a row gone or added, a reordering agent, a volatile table) is indexed by row the first time it is asked.
import type { ColumnRow, TypedValue } from '../protocol/snmp/client';

export class BulkColumns {
  private readonly indexed = new Map<string, Map<string, TypedValue>>();

  constructor(private readonly columns: Map<string, ColumnRow[]> = new Map()) {}

  /** Adds the columns of one more GETBULK read. */
  add(read: Map<string, ColumnRow[]>): void {
    for (const [col, rows] of read) {
      this.columns.set(col, rows);
      this.indexed.delete(col);
    }
  }

  /** The column's rows when they are exactly `rows` in that order (the cell of row k is at k), else undefined. */
  aligned(col: string, rows: string[]): ColumnRow[] | undefined {
    const got = this.columns.get(col);
    if (!got || got.length !== rows.length) return undefined;
    for (let k = 0; k < rows.length; k++) if (got[k].index !== rows[k]) return undefined;
    return got;
  }

  /** The cell of `col` at row `index`; when a row came twice, its last value. */
  get(col: string, index: string): TypedValue | undefined {
    return this.byIndex(col)?.get(index);
  }

  /** The row indexes the column came back with (first appearance order), or undefined when it was not read. */
  indexes(col: string): string[] | undefined {
    const m = this.byIndex(col);
    return m ? [...m.keys()] : undefined;
  }

  private byIndex(col: string): Map<string, TypedValue> | undefined {
    let m = this.indexed.get(col);
    if (!m) {
      const rows = this.columns.get(col);
      if (!rows) return undefined;
      m = new Map();
      for (const r of rows) m.set(r.index, r.value);
      this.indexed.set(col, m);
    }
    return m;
  }
}
