// A count (outlet.count, ambient.count) is the number of distinct rows published under it this poll, over every table
// naming it. Most polls have one plain table per count with all its learned rows present: the count is then the
// number of distinct NUT indexes of those rows, fixed per learned table and worked out once, with no set of rows
// built every poll. Any other case (rows filtered, a second table, typed rows) collects the indexes in a set.

/** Distinct entries of a learned list (never changed once learned), by the list. */
const distinctOf = new WeakMap<readonly string[], number>();

export class RowCount {
  private learned: readonly string[] | undefined;
  private rows: Set<string> | undefined;

  /** Every NUT index of a learned table whose rows are all present; `nutIndexes` must never change. */
  addLearned(nutIndexes: readonly string[]): void {
    if (!this.learned && !this.rows) this.learned = nutIndexes;
    else for (const i of nutIndexes) this.add(i);
  }

  add(nutIndex: string): void {
    if (!this.rows) {
      this.rows = new Set(this.learned);
      this.learned = undefined;
    }
    this.rows.add(nutIndex);
  }

  get size(): number {
    if (this.rows) return this.rows.size;
    if (!this.learned) return 0;
    let n = distinctOf.get(this.learned);
    if (n === undefined) distinctOf.set(this.learned, (n = new Set(this.learned).size));
    return n;
  }
}
