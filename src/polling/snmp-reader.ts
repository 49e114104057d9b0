// Reads one SNMP device with one profile: detection, a learned request plan, static values cached, raw values
// turned into NUT names and units.
import { RackpowerError } from '../errors';
import { decodeVarbind, type GetAnswers, type SnmpClient, type TypedValue } from '../protocol/snmp/client';
import { chooseProfile, probeOids } from '../profiles/detect';
import type { Scaling, SnmpColumn, SnmpProfile, SnmpTable, SnmpVariable, Transform } from '../profiles/types';
import { joinStatus } from '../normalize/nut';
import { Absent, Decoder, decodeAnswer, type AbsentReason } from '../normalize/value-class';
import { applyScaling } from '../normalize/scaling';
import type { Value, Values } from '../types';
import { AbsentCounter, type DeviceDiagnostics } from './diagnostics';
import { liveOutputStatus } from '../normalize/live-output';
import { PollValues, ValuesBuilder } from './values-builder';
import { BulkColumns } from './bulk-columns';
import { RowCount } from './row-count';
import { identityOf } from './identity';
import { SnmpPlan, rowIndex, typedEntry, walkColumns, type LearnedTable } from './snmp-plan';
import { cellOid, indexArc, isScalarOid } from '../protocol/snmp/plan';
import type { DeviceReader, Identification } from './types';

export interface SnmpReaderOptions {
  /** A fixed profile; without it the device is detected among `profiles`. */
  profile?: SnmpProfile;
  profiles?: SnmpProfile[];
  now?: () => number;
}

const DEFAULT_STATIC_REFRESH_S = 3600;
const SYSTEM_GROUP = '1.3.6.1.2.1.1.';

const strip = (oid: string): string => (oid.startsWith('.') ? oid.slice(1) : oid);

function needsHelpers(def: Scaling): boolean {
  return !!(def.decimalsFrom || def.exponentFrom || def.unitFrom);
}

export class SnmpDeviceReader implements DeviceReader {
  /** Per learned table (replaced when the plan relearns): SNMP row index → NUT index. */
  private readonly nutIndexes = new WeakMap<LearnedTable, Map<string, string>>();
  /** Per learned table: the NUT index of each row in row order, and each column's cell OIDs (cellOids). */
  private readonly rowNuts = new WeakMap<LearnedTable, string[]>();
  private readonly rowCells = new WeakMap<LearnedTable, Map<string, string[]>>();
  /** Per learned table: each column's ColumnPlan, by position. */
  private readonly columns = new WeakMap<LearnedTable, TablePlan>();
  /**
   * Per learned list of scalars: what the poll reads of each (ScalarEntry), and each one's place in the poll's GET
   * list (-1: not in it), by position in the list.
   */
  private scalarPlan: { scalars: SnmpVariable[]; entries: ScalarEntry[]; places: number[] } | undefined;
  /** The poll's GET list (the plan's, static values left out) and each OID's place in it. */
  private pollList: { oids: string[]; places: Map<string, number> } | undefined;
  /** learnedCells() of the plan's current tables. */
  private cells: { tables: LearnedTable[]; byColumn: Map<string, string[]> } | undefined;
  private plan: SnmpPlan | undefined;
  private staticValues: Values = {};
  private staticReadAt = -Infinity;
  private staticCount = 0;
  private readonly now: () => number;
  private readonly startRequests: number;
  private readonly absent = new AbsentCounter();
  private readonly builder = new ValuesBuilder();
  /** What detection saw, for the error when the chosen profile then answers nothing. */
  private detected: { sysObjectID?: string; sysDescr?: string } | undefined;

  constructor(
    private readonly client: SnmpClient,
    private readonly options: SnmpReaderOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.startRequests = client.requestCount;
  }

  get requestCount(): number {
    return this.client.requestCount - this.startRequests;
  }

  diagnostics(): DeviceDiagnostics {
    return this.absent.snapshot(this.client.faults());
  }

  get profile(): SnmpProfile | undefined {
    return this.plan?.profile;
  }

  async identify(): Promise<Identification> {
    const profile = this.options.profile ?? (await this.detect());
    this.plan = new SnmpPlan(profile);
    await this.learn();
    return identityOf(profile, this.staticValues);
  }

  /**
   * Which profile applies (sysObjectID and one GET of every probe), without reading the device: `identify` does
   * both. Throws UNKNOWN_DEVICE when none does.
   */
  async detect(): Promise<SnmpProfile> {
    const candidates = this.options.profiles ?? [];
    const system = await this.client.system();
    const probes = probeOids(candidates);
    const answered = new Set(probes.length ? (await this.client.get(probes)).keys() : []);
    // A probe may name a table or column rather than an instance (ENTITY-SENSOR rows are indexed by
    // entPhysicalIndex): those that did not answer the GET answer when the next OID lies beneath them.
    const missing = probes.filter((o) => !answered.has(o));
    if (missing.length) {
      for (const [oid, rows] of await this.client.columns(missing, 1)) if (rows.length) answered.add(oid);
    }
    this.detected = system;
    const chosen = chooseProfile(candidates, system.sysObjectID, answered);
    if (!chosen) {
      throw new RackpowerError(
        'UNKNOWN_DEVICE',
        `no profile matches ${this.client.describe()} (sysObjectID ${system.sysObjectID ?? 'absent'}, sysDescr "${system.sysDescr ?? ''}")`,
      );
    }
    return chosen;
  }

  /** One full read of every alternative and every table: fixes the plan and fills the static cache. */
  private async learn(): Promise<void> {
    const plan = this.plan!;
    const profile = plan.profile;
    const asked = plan.discoveryOids();
    const answers = await this.client.get(asked);
    // Sloppy agents register some scalars without their `.0` instance: those that did not answer are asked once
    // more that way, and the plan keeps the spelling that answered. Only groups of which no scalar answered at `.0`
    // are asked again: a well-behaved agent costs nothing more (SNMPv1 drops missing OIDs one request at a time).
    const group = (oid: string): string => oid.slice(0, oid.lastIndexOf('.', oid.length - 3));
    const spoke = new Set([...answers.keys()].filter((o) => o.endsWith('.0')).map(group));
    const bare = asked
      .filter((o) => o.endsWith('.0') && !answers.has(o) && !o.startsWith(SYSTEM_GROUP) && !spoke.has(group(o)))
      .map((o) => o.slice(0, -2));
    plan.learnScalars(answers, bare.length ? await this.client.get(bare) : undefined);
    plan.tables = [];
    const tables = profile.tables ?? [];
    // One walk for every table's columns and helpers: tables share GETBULK requests.
    const walked = tables.length ? await this.client.columns([...new Set(tables.flatMap(walkColumns))], 0) : new Map();
    for (const table of tables) plan.learnTable(table, walked);
    // sysUpTime and the rest of MIB-II's system group answer on any agent: they do not show the profile's MIB.
    const own = plan.scalars.filter((v) => !v.oid.startsWith(SYSTEM_GROUP));
    if (!own.length && plan.tables.every((t) => !t.rows.length)) {
      const seen = this.detected
        ? `no profile matches ${this.client.describe()} (sysObjectID ${this.detected.sysObjectID ?? 'absent'}, sysDescr "${this.detected.sysDescr ?? ''}"): its sysObjectID names ${profile.id}, but it `
        : `${this.client.describe()} `;
      throw new RackpowerError('UNKNOWN_DEVICE', `${seen}answers none of the OIDs of profile ${profile.id}`);
    }
    this.staticValues = {};
    this.staticCount = 0;
    this.staticReadAt = this.now();
    const statics = new Set<string>();
    this.absent.begin();
    const values = toObject(await this.readWith(true, statics));
    this.absent.learned();
    for (const name of statics) if (values[name] !== undefined) this.staticValues[name] = values[name];
    // Constants only fill in what the device did not say: a maker or model it names itself wins.
    for (const [name, value] of Object.entries(profile.constants ?? {})) this.staticValues[name] ??= value;
    this.staticCount = Object.keys(this.staticValues).length;
  }

  async read(): Promise<Values> {
    if (!this.plan) await this.identify();
    const refresh = (this.plan!.profile.staticRefresh ?? DEFAULT_STATIC_REFRESH_S) * 1000;
    // Rediscovery re-reads statics and table sizes (an outlet added, a probe plugged in).
    if (this.now() - this.staticReadAt >= refresh) await this.learn();
    this.absent.begin();
    const statics = this.staticValues;
    const staticCount = this.staticCount;
    // One object per poll: the cached static values, then this poll's dynamic ones.
    const { values, keys } = this.builder.build(statics, await this.readWith(false));
    if (keys === staticCount) {
      // It answered, but nothing it said was usable (wrong types, all sentinels): not a reading to publish.
      throw new RackpowerError('PROTOCOL', `${this.client.describe()} answered without one usable value (malformed replies)`);
    }
    this.absent.end();
    return values;
  }

  /** One poll's values; `statics` (when given) collects the names that static variables and columns produced. */
  private async readWith(includeStatic: boolean, statics?: Set<string>): Promise<PollValues> {
    const plan = this.plan!;
    const values = this.builder.poll();
    const status: string[] = [];
    const answers = await this.client.getAnswers(plan.getOids(includeStatic));
    const scalarHelper = (oid: string): TypedValue | undefined => answers.get(strip(oid));
    // A poll (not a rediscovery) asked the poll's list, where each answer's place is known.
    const { entries: scalars, places } = this.scalarPlanOf(plan);
    for (let k = 0; k < scalars.length; k++) {
      const e = scalars[k];
      if (!includeStatic && e.isStatic) continue;
      const answer = answers.answerAt(includeStatic ? -1 : places[k], e.oid);
      if (!answer) {
        const why = answers.missing(e.oid);
        if (why) this.leftOut(e.name, why as AbsentReason, includeStatic, e.isStatic);
        continue;
      }
      let value: Value | Absent;
      if (e.decoder) value = e.decoder.decode(answer);
      else {
        const def = applyScaling(e.variable, scalarHelper);
        value = def ? decodeAnswer(e.name, def, answer) : Absent.of('helper');
      }
      if (value instanceof Absent) {
        this.leftOut(e.name, value.reason, includeStatic, e.isStatic);
        continue;
      }
      if (e.name === 'ups.status') status.push(String(value));
      else values.set(e.name, value);
      if (e.isStatic) statics?.add(e.name);
    }
    const bulk = new BulkColumns();
    for (const b of plan.bulkTables(includeStatic, answers)) bulk.add(await this.client.columnVarbinds(b.columns, b.rows, this.learnedCells(plan)));
    const counts = new Map<string, RowCount>();
    for (const t of plan.tables) this.readTable(t, includeStatic, answers, bulk, values, status, counts, statics);
    // A count (ambient.count) is the number of distinct rows published under it, over every table naming it.
    for (const [name, rows] of counts) values.set(name, rows.size);
    // Never an empty ups.status: sources that gave no token leave it out, like any other absent value. The values
    // are made into an object only when the status needs them (OFF with an output voltage).
    const joined = joinStatus(liveOutputStatus(status, () => ({ ...(includeStatic ? {} : this.staticValues), ...toObject(values) })));
    if (joined) values.set('ups.status', joined);
    else if (status.length && !includeStatic) this.absent.add('ups.status', 'empty');
    return values;
  }

  /**
   * Counts a value left out. A rediscovery reads every variable, but only its static ones count there (the poll right
   * after reads the others); a ups.status source that adds no token ("" in its enum) is not a value left out.
   */
  private leftOut(name: string, reason: AbsentReason, includeStatic: boolean, isStatic: boolean | undefined): void {
    if (includeStatic && !isStatic) return;
    if (name === 'ups.status' && reason === 'empty') return;
    this.absent.add(name, reason);
  }

  /** Decodes one learned table from this poll's GET and GETBULK answers into `values` (and status tokens). */
  private readTable(
    t: LearnedTable,
    includeStatic: boolean,
    answers: GetAnswers,
    bulk: BulkColumns,
    values: PollValues,
    status: string[],
    counts: Map<string, RowCount>,
    statics?: Set<string>,
  ): void {
    const table = t.table;
    const facts = tableFacts(table);
    // Most tables have no presence or label column: every learned row is present, nothing to filter per poll.
    const simple = facts.simple;
    const present = simple ? t.rows : this.presentRows(t, answers, bulk);
    // The limit may be another table's count (input.phases): counts are only written after every table, so ask them.
    const limitName = facts.rowsLimit;
    const limit = limitName ? Number(values.get(limitName) ?? this.staticValues[limitName] ?? counts.get(limitName)?.size) : NaN;
    const usedRows = Number.isInteger(limit) && limit > 0 ? Math.min(limit, present.length) : present.length;
    const used = simple && usedRows === present.length ? undefined : new Set(present.slice(0, usedRows));
    // Most columns are plain: learned rows, NUT index from the row index, one name template. Their NUT indexes and
    // names are worked out once per learned table, and their cells come by position when the GETBULK lined up.
    const nutOfRow = facts.plain ? this.rowNutIndexes(t, answers, bulk) : undefined;
    const { typed, columns: plans } = this.tablePlan(t, nutOfRow);
    // Only a table that publishes a count needs its rows collected (most tables have none).
    const countName = facts.count;
    const counted = countName ? (counts.get(countName) ?? new RowCount()) : undefined;
    if (countName) counts.set(countName, counted!);
    const countPrefix = typed && countName ? countName.replace(/count$/u, '') : '';
    const isVolatile = facts.volatile;
    if (counted && !typed) {
      if (nutOfRow && present === t.rows) counted.addLearned(nutOfRow);
      else {
        const firstOrdinals = table.ordinal ? t.ordinals.values().next().value : undefined;
        for (const r of present) counted.add(table.ordinal ? String(firstOrdinals?.get(r) ?? r) : this.nutIndex(t, answers, bulk, r));
      }
    }

    for (let c = 0; c < t.columns.length; c++) {
      const col = t.columns[c];
      const plan = plans[c];
      const isStatic = plan.isStatic;
      if (!includeStatic && isStatic) continue;
      const oid = plan.oid;
      const volatileRows = isVolatile ? bulk.indexes(oid) : undefined;
      const rows = volatileRows ?? t.rows;
      // The OIDs of the column's cells are fixed per learned table: a GETBULK reply is checked against them, and a
      // small table's cells come in the GET under them.
      const cellOids = volatileRows ? undefined : plan.cellOids;
      const byPosition = cellOids && bulk.aligned(oid, cellOids);
      const cellPlaces = includeStatic ? undefined : plan.cellPlaces;
      const plainNames = plan.names;
      // One row used under a `single` name (a single-phase UPS's input.voltage) has a decoder of its own.
      const single = usedRows === 1 ? plan.single : undefined;
      const decoders = usedRows === 1 && plan.hasSingle ? undefined : plan.decoders;
      for (let k = 0; k < rows.length; k++) {
        const index = rows[k];
        const answer = byPosition
          ? decodeVarbind(byPosition[k])
          : (bulk.get(oid, index) ?? (cellOids ? answers.answerAt(cellPlaces ? cellPlaces[k] : -1, cellOids[k]) : answers.get(`${oid}.${index}`)));
        if (!answer || (!isVolatile && used && !used.has(index))) continue;
        let name: string;
        let value: Value | Absent;
        let template = col.name;
        let i: string;
        if (decoders || single) {
          i = nutOfRow![k];
          if (!i) continue;
          const decoder = single ?? decoders![k];
          name = decoder.name;
          value = decoder.decode(answer);
        } else {
          let def: Transform & Scaling = col;
          let typedSingle: string | undefined;
          if (col.typedBy) {
            const type = col.typedBy.oid ? this.cell(t, answers, bulk, col.typedBy.oid, index)?.value : indexArc(index, col.typedBy.part);
            const entry = typedEntry(col, type === undefined ? undefined : String(type));
            if (!entry) continue;
            const { name: entryName, single: entrySingle, ...entryTransform } = entry;
            template = entryName;
            typedSingle = entrySingle;
            def = { ...col, ...entryTransform };
          }
          i = nutOfRow ? nutOfRow[k] : table.ordinal ? String(t.ordinals.get(col.oid)?.get(index) ?? '') : this.nutIndex(t, answers, bulk, index);
          if (!i) continue;
          let single = !col.typedBy && usedRows === 1 ? col.single : undefined;
          if (col.typedBy && typedSingle !== undefined && t.templateRows.get(col.oid)?.get(template) === 1) single = typedSingle;
          name = single ?? (plainNames ? plainNames[k] : cellName(template, i));
          value = needsHelpers(def) ? this.decodeScaled(t, answers, bulk, index, name, def, answer) : decodeAnswer(name, def, answer);
        }
        if (value instanceof Absent) {
          this.leftOut(name, value.reason, includeStatic, isStatic);
          continue;
        }
        if (name === 'ups.status') status.push(String(value));
        else values.set(name, value);
        if (isStatic) statics?.add(name);
        if (counted && typed && col.typedBy && template.startsWith(countPrefix)) counted.add(i);
      }
    }
  }

  /** The plan's scalars as ScalarEntry and their places in the poll's GET list, by position: made once per learned list. */
  private scalarPlanOf(plan: SnmpPlan): { entries: ScalarEntry[]; places: number[] } {
    if (this.scalarPlan?.scalars !== plan.scalars) {
      const places = this.pollPlaces(plan);
      this.scalarPlan = { scalars: plan.scalars, entries: plan.scalars.map(scalarEntry), places: plan.scalars.map((v) => places.get(v.oid) ?? -1) };
    }
    return this.scalarPlan;
  }

  /** Each OID's place in the poll's GET list of the plan as it is now. */
  private pollPlaces(plan: SnmpPlan): Map<string, number> {
    const oids = plan.getOids(false);
    if (this.pollList?.oids !== oids) this.pollList = { oids, places: new Map(oids.map((oid, k) => [oid, k])) };
    return this.pollList.places;
  }

  /** What a learned table's columns need every poll (ColumnPlan, by column position), and whether any is typed. */
  private tablePlan(t: LearnedTable, nutOfRow: string[] | undefined): TablePlan {
    let plan = this.columns.get(t);
    if (!plan) this.columns.set(t, (plan = { typed: t.columns.some((c) => c.typedBy), columns: this.planColumns(t, nutOfRow) }));
    return plan;
  }

  private planColumns(t: LearnedTable, nutOfRow: string[] | undefined): ColumnPlan[] {
    const places = this.pollPlaces(this.plan!);
    return t.columns.map((col) => {
      const names = nutOfRow && !col.typedBy ? this.cellNames(col.name, nutOfRow) : undefined;
      const plain = names && !needsHelpers(col);
      const cellOids = this.cellOids(t, col.oid);
      return {
        oid: col.oid,
        isStatic: col.static === true,
        hasSingle: !!col.single,
        cellOids,
        cellPlaces: cellOids.map((oid) => places.get(oid) ?? -1),
        names,
        decoders: plain ? decodersOf(names, col) : undefined,
        single: plain && col.single !== undefined ? Decoder.of(col.single, col) : undefined,
      };
    });
  }

  /**
   * A cell's value scaled by the helpers of its row (digits, exponent, unit). Apart from readTable's loop: a closure
   * there over the row would make V8 allocate a context for every cell of every poll, helpers or not.
   */
  private decodeScaled(t: LearnedTable, answers: GetAnswers, bulk: BulkColumns, index: string, name: string, def: Transform & Scaling, answer: TypedValue): Value | Absent {
    const scaled = applyScaling(def, (oid) => this.cell(t, answers, bulk, oid, index));
    return scaled ? decodeAnswer(name, scaled, answer) : Absent.of('helper');
  }

  /** The learned rows of a table with a presence or label column that are there this poll. */
  private presentRows(t: LearnedTable, answers: GetAnswers, bulk: BulkColumns): string[] {
    return t.rows.filter((r) => this.isPresent(t, answers, bulk, r) && (!t.table.indexFrom || this.label(t, answers, bulk, r) !== undefined));
  }

  /** A cell of this poll (GET or GETBULK), or a structural helper cached at discovery, or a scalar helper. */
  private cell(t: LearnedTable, answers: GetAnswers, bulk: BulkColumns, oid: string, index: string): TypedValue | undefined {
    const o = strip(oid);
    if (isScalarOid(o)) return answers.get(o);
    return bulk.get(o, index) ?? answers.get(`${o}.${index}`) ?? t.helpers.get(o)?.get(index);
  }

  /** Whether the table's presence column (if any) says the row is there this poll. */
  private isPresent(t: LearnedTable, answers: GetAnswers, bulk: BulkColumns, index: string): boolean {
    const p = t.table.presentIf;
    if (!p) return true;
    const got = this.cell(t, answers, bulk, p.oid, index);
    if (!got) return true; // no word on presence: the values themselves decide
    const raw = String(got.value);
    return (!p.values || p.values.includes(raw)) && !(p.not ?? []).includes(raw);
  }

  /** The NUT index a label column gives the row (`indexFrom`), if the table has one and its pattern matches. */
  private label(t: LearnedTable, answers: GetAnswers, bulk: BulkColumns, index: string): string | undefined {
    const from = t.table.indexFrom;
    if (!from) return undefined;
    const got = this.cell(t, answers, bulk, from.oid, index);
    const m = got ? new RegExp(from.pattern, 'u').exec(String(got.value)) : null;
    return m?.[1] ?? undefined;
  }

  /** The NUT index of a row: its label, or its SNMP row index mapped as the table says. */
  private nutIndex(t: LearnedTable, answers: GetAnswers, bulk: BulkColumns, index: string): string {
    const table = t.table;
    if (table.indexFrom) return this.label(t, answers, bulk, index)!;
    let nutIndexes = this.nutIndexes.get(t);
    if (!nutIndexes) this.nutIndexes.set(t, (nutIndexes = new Map()));
    // The SNMP row index → NUT index mapping is fixed for a learned table: computed once per row.
    let i = nutIndexes.get(index);
    if (i === undefined) {
      i = String(Number(indexArc(rowIndex(t, index), table.indexPart)) + (table.indexOffset ?? 0));
      nutIndexes.set(index, i);
    }
    return i;
  }

  /** The NUT index of every learned row of a plain table, in row order: fixed for a learned table, so worked out once. */
  private rowNutIndexes(t: LearnedTable, answers: GetAnswers, bulk: BulkColumns): string[] {
    let list = this.rowNuts.get(t);
    if (!list) this.rowNuts.set(t, (list = this.nutIndexesOf(t, answers, bulk)));
    return list;
  }

  /**
   * Every column's learned cell OIDs (those of its first table that reads it by GETBULK), for the client to check a
   * reply against: fixed per learned plan, so worked out once per learning.
   */
  private learnedCells(plan: SnmpPlan): Map<string, string[]> {
    if (this.cells?.tables !== plan.tables) {
      const byColumn = new Map<string, string[]>();
      for (const t of plan.tables) {
        if (t.table.volatile) continue;
        for (const oid of [...t.columns.map((c) => c.oid), ...t.live]) if (!byColumn.has(oid)) byColumn.set(oid, this.cellOids(t, oid));
      }
      this.cells = { tables: plan.tables, byColumn };
    }
    return this.cells.byColumn;
  }

  /** The OID of the column's cell at every learned row, in row order (`<column>.<row index>`). */
  private cellOids(t: LearnedTable, column: string): string[] {
    let byColumn = this.rowCells.get(t);
    if (!byColumn) this.rowCells.set(t, (byColumn = new Map()));
    let list = byColumn.get(column);
    if (!list) byColumn.set(column, (list = cellOidsOf(t.rows, column)));
    return list;
  }

  // The lists below are built apart from the caches above that keep them: a closure over a method's parameter makes
  // V8 allocate a context at every call of that method, also when the list is already there.

  private nutIndexesOf(t: LearnedTable, answers: GetAnswers, bulk: BulkColumns): string[] {
    return t.rows.map((r) => this.nutIndex(t, answers, bulk, r));
  }

  /** A plain column's NUT name at every learned row, in row order (`outlet.1.current`, `outlet.2.current` …). */
  private cellNames(template: string, nutIndexes: string[]): string[] {
    return nutIndexes.map((i) => cellName(template, i));
  }

  async close(): Promise<void> {
    // The client belongs to whoever opened it (a config node shares it between device nodes).
  }
}

/** Name template → NUT index → NUT name, for the process (see cellName), and how many names it holds. */
const names = new Map<string, Map<string, string>>();
let namesKept = 0;
/** Names beyond this many are made afresh each time they are asked (the map never grows past it). */
const KEPT_NAMES = 100_000;

/**
 * `outlet.{i}.current` for row 3 → `outlet.3.current`, remembered for the process: the same names recur every poll,
 * and the readers of one model (a rack of its PDUs) then hold one string per name, as the readings' keys.
 */
function cellName(template: string, index: string): string {
  let byIndex = names.get(template);
  if (!byIndex) names.set(template, (byIndex = new Map()));
  let name = byIndex.get(index);
  if (name === undefined) {
    name = template.replace('{i}', index);
    if (namesKept < KEPT_NAMES) {
      byIndex.set(index, name);
      namesKept++;
    }
  }
  return name;
}

/**
 * What one column of a learned table needs every poll, fixed for the learned table: the OIDs of its cells, and for a
 * plain column (NUT index from the row index, not typed) its NUT names and, when it needs no helper, its decoders,
 * each at every learned row in row order (and one under its `single` name).
 */
interface ColumnPlan {
  /** The column's own fields a poll reads, copied into this one shape (profile columns have many: see ScalarEntry). */
  oid: string;
  isStatic: boolean;
  hasSingle: boolean;
  cellOids: string[];
  /** Each cell's place in the poll's GET list (-1: read by GETBULK), row by row. */
  cellPlaces: number[];
  names?: string[];
  decoders?: Decoder[];
  /** A plain column's decoder under its `single` name, for a poll that uses one row of the table. */
  single?: Decoder;
}

interface TablePlan {
  typed: boolean;
  columns: ColumnPlan[];
}

/** What every poll reads of a profile table's definition, in one shape (see ScalarEntry); one per table object. */
interface TableFacts {
  /** No presence or label column: every learned row is present. */
  simple: boolean;
  /** NUT index from the row index, rows as learned (not volatile, ordinal or labelled). */
  plain: boolean;
  volatile: boolean;
  rowsLimit: string | undefined;
  count: string | undefined;
}

const sharedFacts = new WeakMap<SnmpTable, TableFacts>();

function tableFacts(table: SnmpTable): TableFacts {
  let f = sharedFacts.get(table);
  if (!f) {
    const volatile = !!table.volatile;
    f = { simple: !table.presentIf && !table.indexFrom, plain: !volatile && !table.ordinal && !table.indexFrom, volatile, rowsLimit: table.rowsLimit, count: table.count };
    sharedFacts.set(table, f);
  }
  return f;
}

/**
 * What a poll reads of one scalar variable, in one shape for all of them: profile variables come in as many shapes as
 * they have key sets, so reading `static` or `oid` off each in one loop was a megamorphic load (a stub cache probe) per
 * variable per poll. `decoder` is absent for a variable that needs helpers (digits, unit from another OID).
 */
class ScalarEntry {
  readonly oid: string;
  readonly name: string;
  readonly isStatic: boolean;
  readonly decoder: Decoder | undefined;

  constructor(readonly variable: SnmpVariable) {
    this.oid = variable.oid;
    this.name = variable.name;
    this.isStatic = variable.static === true;
    this.decoder = needsHelpers(variable) ? undefined : Decoder.of(variable.name, variable);
  }
}

/** One entry per variable object for the process (a profile's variables are shared by its readers: withOid). */
const sharedEntries = new WeakMap<SnmpVariable, ScalarEntry>();

function scalarEntry(v: SnmpVariable): ScalarEntry {
  let e = sharedEntries.get(v);
  if (!e) sharedEntries.set(v, (e = new ScalarEntry(v)));
  return e;
}

function decodersOf(names: string[], def: SnmpColumn): Decoder[] {
  return names.map((name) => Decoder.of(name, def));
}

function cellOidsOf(rows: string[], column: string): string[] {
  return rows.map((index) => cellOid(column, index));
}

/** A poll's values as an object, in the order they were set (learning and the live output check only). */
function toObject(poll: PollValues): Values {
  const out: Values = {};
  for (let i = 0; i < poll.length; i++) out[poll.names[i]] = poll.values[i];
  return out;
}
