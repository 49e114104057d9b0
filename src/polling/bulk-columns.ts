// This poll's GETBULK columns as the client returned them: per column its varbinds, undecoded, rows in the agent's
// order. A learned table's column comes back, poll after poll, with exactly its learned rows in the same order: then
// its cells are taken by position, once every varbind's OID is found to be the learned cell's OID (no row index is
// cut out of an OID, no map of rows built), and only the cells a poll uses are decoded. Any other column (a row gone
// or added, a reordering agent, a volatile table) is indexed by row the first time it is asked.
import { decodeVarbind, type TypedValue, type Varbind } from '../protocol/snmp/client';

export class BulkColumns {
  /** Made when first needed: a poll without GETBULK (a UPS with no alarm) allocates no map. */
  private columns: Map<string, Varbind[]> | undefined;
  private indexed: Map<string, Map<string, Varbind>> | undefined;

  /** Adds the columns of one more GETBULK read. */
  add(read: Map<string, Varbind[]>): void {
    this.columns ??= new Map();
    for (const [col, rows] of read) {
      this.columns.set(col, rows);
      this.indexed?.delete(col);
    }
  }

  /**
   * The column's varbinds when they are exactly the cells `cellOids` (`<column>.<row>` of the learned rows) in that
   * order, so that the cell of row k is at k; else undefined.
   */
  aligned(col: string, cellOids: string[]): Varbind[] | undefined {
    const got = this.columns?.get(col);
    if (!got || got.length !== cellOids.length) return undefined;
    for (let k = 0; k < cellOids.length; k++) if (got[k].oid !== cellOids[k]) return undefined;
    return got;
  }

  /** The cell of `col` at row `index`, decoded; when a row came twice, its last value. */
  get(col: string, index: string): TypedValue | undefined {
    const vb = this.byIndex(col)?.get(index);
    return vb && decodeVarbind(vb);
  }

  /** The row indexes the column came back with (first appearance order), or undefined when it was not read. */
  indexes(col: string): string[] | undefined {
    const m = this.byIndex(col);
    return m ? [...m.keys()] : undefined;
  }

  private byIndex(col: string): Map<string, Varbind> | undefined {
    let m = this.indexed?.get(col);
    if (!m) {
      const rows = this.columns?.get(col);
      if (!rows) return undefined;
      m = new Map();
      for (const vb of rows) m.set(vb.oid.slice(col.length + 1), vb);
      (this.indexed ??= new Map()).set(col, m);
    }
    return m;
  }
}
