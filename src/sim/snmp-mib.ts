// Lays out the SNMP tree of one simulated device from its profile: which instance OIDs exist, their SNMP types, and
// how each reads its value from the device's NUT values. The reader's interpretation (src/polling/snmp-reader.ts,
// snmp-plan.ts) is mirrored so that it decodes the model's values back: table rows are numbered the way the profile
// says its `{i}` is found (an index arc, a position among the rows, a label), typed rows carry their type, and every
// helper OID a value needs (decimal digits, exponent, unit, presence) is served beside it with a value chosen in
// wire.ts. The tree is a plain set of instance OIDs; snmp-agent.ts serves it in lexicographic order whatever the
// MIB's own entry/column/index structure, so scalars inside a table entry and multi-arc indexes need nothing special.
import { ObjectType } from 'net-snmp';
import { clampInt32, encodeSim } from './encode';
import { digitsFor, exponentCode, lineLabels, modelKey, presentCode, raw, unitCode } from './wire';
import { applyScaling } from '../normalize/scaling';
import type { TypedValue } from '../protocol/snmp/client';
import type { Scaling, SnmpColumn, SnmpProfile, SnmpTable, Transform, TypedBy, TypedName } from '../profiles/types';
import type { Values } from '../types';

export interface Cell {
  type: ObjectType;
  /** The raw value now, already of the JS type net-snmp expects for `type`; undefined = no such instance. */
  read(values: Values): number | string | undefined;
}

export interface MibPlan {
  /** Every served instance OID → its cell. */
  cells: Map<string, Cell>;
}

const SYS = '1.3.6.1.2.1.1';
/** Agents without a vendor sysObjectID usually report net-snmp's Linux one; matching then relies on probes. */
const FALLBACK_SYS_OBJECT_ID = '1.3.6.1.4.1.8072.3.2.10';
const TIMETICKS_WRAP = 2 ** 32;
/** Index arcs tried for a row whose index carries several parts (outlet.sensorType, a running number). */
const MAX_INDEX_ARCS = 4;

const strip = (oid: string): string => (oid.startsWith('.') ? oid.slice(1) : oid);
const isScalar = (oid: string): boolean => oid.endsWith('.0');

/** A cell reading the model value behind `name` through transform `t`; undefined when the model has none. */
function valueCell(name: string, t: Transform, sample: Values): Cell | undefined {
  const key = modelKey(sample, name);
  if (key === undefined) return undefined;
  const first = encodeSim(sample[key], t);
  if (first === undefined) return undefined;
  const type = typeof first === 'string' ? ObjectType.OctetString : t.convert === 'timeticks-to-s' ? ObjectType.TimeTicks : ObjectType.Integer;
  return {
    type,
    read(values) {
      const now = values[key];
      const encoded = now === undefined ? undefined : encodeSim(now, t);
      if (encoded === undefined) return undefined;
      if (type === ObjectType.OctetString) return String(encoded);
      const n = Number(encoded);
      if (!Number.isFinite(n)) return undefined;
      return type === ObjectType.TimeTicks ? ((Math.round(n) % TIMETICKS_WRAP) + TIMETICKS_WRAP) % TIMETICKS_WRAP : clampInt32(n);
    },
  };
}

const constant = (type: ObjectType, value: number | string): Cell => ({ type, read: () => value });
const helperCell = (value: number | string): Cell => constant(typeof value === 'number' ? ObjectType.Integer : ObjectType.OctetString, value);

/** Model indices (`3` of `outlet.3.current`) present for a name template with `{i}`. */
function indicesOf(template: string, sample: Values): string[] {
  if (!template.includes('{i}')) return [];
  const escaped = template.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&');
  const pattern = new RegExp(`^${escaped.replace('\\{i\\}', '(\\d+)')}$`, 'u');
  const out: string[] = [];
  for (const key of Object.keys(sample)) {
    const m = pattern.exec(key);
    if (m) out.push(m[1]);
  }
  return out;
}

/** One row of a planned table. */
interface Row {
  /** Row index as served (dotted when it has several arcs). */
  index: string;
  /** The NUT `{i}` the reader must find for it (a number, or a line label). */
  i?: string;
  /** Typed rows: the type key (`8` celsius, `4` rmsVoltage). */
  type?: string;
  /** Helper OIDs (without the row index) → the value served for this row; the first value asked for wins. */
  helpers: Map<string, number | string>;
}

/**
 * The row index carrying `{i}` at `indexPart`, the type at `typedBy.part` and, where rows are told apart by neither
 * (ordinal tables, types read from a column, labels), a running number; the fewest arcs that hold them apart, the
 * others 1. Undefined when the profile asks for an impossible layout.
 */
function rowIndex(table: SnmpTable, typedBy: TypedBy | undefined, row: { i?: string; type?: string; seq: number }): string | undefined {
  const fixed: Array<[number, string]> = [];
  if (!table.ordinal && !table.indexFrom && row.i !== undefined) fixed.push([table.indexPart ?? -1, String(Number(row.i) - (table.indexOffset ?? 0))]);
  if (typedBy?.part !== undefined && row.type !== undefined) fixed.push([typedBy.part, row.type]);
  const running = !!table.ordinal || !!table.indexFrom || (typedBy !== undefined && typedBy.part === undefined) || !fixed.length;
  for (let length = 1; length <= MAX_INDEX_ARCS; length++) {
    const places = fixed.map(([p]) => (p < 0 ? length + p : p));
    if (places.some((p) => p < 0 || p >= length) || new Set(places).size !== places.length) continue;
    const free = Array.from({ length }, (_, k) => k).filter((k) => !places.includes(k));
    if (running && !free.length) continue;
    const arcs = Array.from({ length }, () => '1');
    fixed.forEach(([, value], k) => (arcs[places[k]] = value));
    if (running) arcs[free[0]] = String(row.seq);
    return arcs.join('.');
  }
  return undefined;
}

const entryOf = (e: string | TypedName): TypedName => (typeof e === 'string' ? { name: e } : e);

/** The rows of a table the model has values for, with their indexes (see rowIndex). */
function tableRows(table: SnmpTable, sample: Values): Row[] {
  const typedBy = table.columns.find((c) => c.typedBy)?.typedBy;
  const specs: Array<{ i?: string; type?: string }> = [];
  if (typedBy) {
    // One row per (type, {i}) the model has a value for, types in map order, {i} ascending within a type.
    const seen = new Set<string>();
    for (const col of table.columns.filter((c) => c.typedBy)) {
      for (const [type, e] of Object.entries(col.typedBy!.map)) {
        const { name, single } = entryOf(e);
        let indices: Array<string | undefined> = name.includes('{i}') ? indicesOf(name, sample).sort((a, b) => Number(a) - Number(b)) : [];
        if (!name.includes('{i}') && modelKey(sample, name) !== undefined) indices = [undefined];
        if (!indices.length && single !== undefined && modelKey(sample, single) !== undefined) indices = [name.includes('{i}') ? '1' : undefined];
        for (const i of indices) {
          const key = `${type}|${i ?? ''}`;
          if (!seen.has(key)) specs.push({ i, type });
          seen.add(key);
        }
      }
    }
  } else if (table.indexFrom) {
    const templates = table.columns.filter((c) => c.name.includes('{i}')).map((c) => c.name);
    for (const { line } of lineLabels(table.indexFrom.pattern, (l) => templates.some((t) => modelKey(sample, t.replace('{i}', l)) !== undefined))) {
      specs.push({ i: line });
    }
  } else {
    const indices = new Set<number>();
    for (const col of table.columns) for (const i of indicesOf(col.name, sample)) indices.add(Number(i));
    const singles = table.columns.some((c) => c.single !== undefined && modelKey(sample, c.single) !== undefined);
    if (singles && [...indices].every((i) => i === 1)) indices.add(1);
    for (const i of [...indices].sort((a, b) => a - b)) specs.push({ i: String(i) });
  }
  const rows: Row[] = [];
  specs.forEach((spec, k) => {
    const index = rowIndex(table, typedBy, { ...spec, seq: k + 1 });
    if (index !== undefined) rows.push({ ...spec, index, helpers: new Map() });
  });
  return rows;
}

/** The helper OIDs a value needs and the value each gets for this NUT name. */
function helperValues(def: Scaling, name: string): Array<[string, number | string]> {
  const out: Array<[string, number | string]> = [];
  if (def.decimalsFrom) out.push([strip(def.decimalsFrom), digitsFor(name)]);
  if (def.exponentFrom) out.push([strip(def.exponentFrom.oid), exponentCode(def.exponentFrom)]);
  if (def.unitFrom) out.push([strip(def.unitFrom.oid), unitCode(def.unitFrom)]);
  return out;
}

class Layout {
  readonly placed = new Map<string, Cell>();
  /** Scalar helper OID → value: one device-wide setting for every value that reads it. */
  private readonly scalarHelpers = new Map<string, number | string>();

  add(oid: string, cell: Cell): void {
    if (!this.placed.has(oid)) this.placed.set(oid, cell); // first wins, as for the profile's alternatives
  }

  /**
   * A cell for `name` read through `def` once its helpers are known, and the helper cells it needs (the row's
   * `helpers` for column helpers, the device's for scalar ones; the first value given to a helper stays).
   */
  valueWithHelpers(name: string, candidates: string[], def: Transform & Scaling, sample: Values, row?: Row): { cell: Cell; key: string; helpers: Array<[string, Cell]> } | undefined {
    const key = candidates.map((n) => modelKey(sample, n)).find((k) => k !== undefined);
    if (key === undefined) return undefined;
    const chosen = new Map<string, number | string>();
    const helpers: Array<[string, Cell]> = [];
    for (const [oid, wanted] of helperValues(def, name)) {
      const store = isScalar(oid) ? this.scalarHelpers : row?.helpers;
      if (!store) return undefined; // a column helper on a scalar variable: nothing the reader could read
      const value = store.get(oid) ?? wanted;
      chosen.set(oid, value);
      helpers.push([isScalar(oid) ? oid : `${oid}.${row!.index}`, helperCell(value)]);
    }
    const scaled = applyScaling(def, (oid): TypedValue | undefined => {
      const v = chosen.get(strip(oid));
      return v === undefined ? undefined : { value: v, numeric: typeof v === 'number' };
    });
    const cell = scaled && valueCell(key, scaled, sample);
    if (!cell) return undefined;
    for (const [oid, value] of chosen) (isScalar(oid) ? this.scalarHelpers : row!.helpers).set(oid, value);
    return { cell, key, helpers };
  }
}

/** The cells of one table (data, then helpers, types, presence and labels) and the model keys its data carries. */
function tableCells(layout: Layout, table: SnmpTable, sample: Values): { cells: Array<[string, Cell]>; keys: Set<string>; rows: number } {
  const rows = tableRows(table, sample);
  const cells: Array<[string, Cell]> = [];
  const keys = new Set<string>();
  const used = new Set<Row>();
  const own = new Set(table.columns.map((c) => strip(c.oid)));
  for (const col of table.columns) {
    const oid = strip(col.oid);
    const planned: Array<{ row: Row; cell: Cell; key: string; helpers: Array<[string, Cell]> }> = [];
    for (const row of rows) {
      const got = columnCell(layout, col, row, rows, sample);
      if (got) planned.push({ row, ...got });
    }
    // A plain column is served only when every row has it, as on a device that implements the column; typed and
    // labelled rows each have their own meaning.
    if (!col.typedBy && !table.indexFrom && planned.length !== rows.length) continue;
    for (const p of planned) {
      cells.push([`${oid}.${p.row.index}`, p.cell], ...p.helpers);
      keys.add(p.key);
      used.add(p.row);
    }
  }
  const typedBy = table.columns.find((c) => c.typedBy?.oid)?.typedBy;
  for (const row of rows.filter((r) => used.has(r))) {
    if (typedBy?.oid && row.type !== undefined) cells.push([`${strip(typedBy.oid)}.${row.index}`, helperCell(raw(row.type))]);
    if (table.presentIf && !own.has(strip(table.presentIf.oid))) cells.push([`${strip(table.presentIf.oid)}.${row.index}`, helperCell(presentCode(table.presentIf))]);
    if (table.indexFrom && row.i !== undefined) {
      const label = lineLabels(table.indexFrom.pattern, (l) => l === row.i)[0]?.label;
      if (label !== undefined) cells.push([`${strip(table.indexFrom.oid)}.${row.index}`, constant(ObjectType.OctetString, label)]);
    }
  }
  return { cells, keys, rows: used.size };
}

/** The data cell of one column at one row, mirroring how the reader names it (single names, typed names). */
function columnCell(layout: Layout, col: SnmpColumn, row: Row, rows: Row[], sample: Values): { cell: Cell; key: string; helpers: Array<[string, Cell]> } | undefined {
  let template = col.name;
  let single: string | undefined;
  let def: Transform & Scaling = col;
  if (col.typedBy) {
    const map = col.typedBy.map;
    if (row.type === undefined || !Object.prototype.hasOwnProperty.call(map, row.type)) return undefined;
    const { name, single: typedSingle, ...transform } = entryOf(map[row.type]);
    template = name;
    def = { ...col, ...transform };
    // The reader uses a type's single name when the table has one row of that type.
    const same = rows.filter((r) => r.type !== undefined && Object.prototype.hasOwnProperty.call(map, r.type) && entryOf(map[r.type]).name === name);
    if (typedSingle !== undefined && same.length === 1) single = typedSingle;
  } else if (rows.length === 1) {
    single = col.single;
  }
  if (template.includes('{i}') && row.i === undefined) return undefined;
  const full = template.replace('{i}', row.i ?? '');
  const name = single ?? full;
  return layout.valueWithHelpers(name, [name, full], def, sample, row);
}

function systemCells(profile: SnmpProfile, name: string, sample: Values): Array<[string, Cell]> {
  const sysObjectID = profile.match.sysObjectID?.[0] ?? (profile.match.sysObjectIDPrefix?.[0] ? `${profile.match.sysObjectIDPrefix[0]}.1` : FALLBACK_SYS_OBJECT_ID);
  const uptime = valueCell('device.uptime', { convert: 'timeticks-to-s' }, sample) ?? constant(ObjectType.TimeTicks, 0);
  return [
    [`${SYS}.1.0`, constant(ObjectType.OctetString, `${profile.vendor} ${profile.id} (rackpower simulator)`)],
    [`${SYS}.2.0`, constant(ObjectType.OID, strip(sysObjectID))],
    [`${SYS}.3.0`, uptime],
    [`${SYS}.5.0`, constant(ObjectType.OctetString, name)],
  ];
}

/** Whether `oid` answers a probe: the instance itself, or (a probe naming a column or table) something beneath it. */
const answers = (placed: Map<string, Cell>, probe: string): boolean => placed.has(probe) || [...placed.keys()].some((o) => o.startsWith(probe + '.'));

/** Builds the tree for a device whose values are `sample` now; OIDs for values it lacks are not served. */
export function planMib(profile: SnmpProfile, name: string, sample: Values): MibPlan {
  const layout = new Layout();
  for (const v of profile.variables) {
    const got = layout.valueWithHelpers(v.name, [v.name], v, sample);
    if (!got) continue;
    layout.add(strip(v.oid), got.cell);
    for (const [oid, cell] of got.helpers) layout.add(oid, cell);
  }
  // Tables whose every value an earlier table already serves are left out: a profile lists the places a family keeps
  // its probes (IEM, UIO, NetBotz ...), and one device has one of them.
  const carried = new Set<string>();
  for (const table of profile.tables ?? []) {
    const { cells, keys, rows } = tableCells(layout, table, sample);
    const fresh = [...keys].some((k) => !carried.has(k));
    if (fresh) {
      for (const [oid, cell] of cells) layout.add(oid, cell);
      for (const k of keys) carried.add(k);
    }
    // A volatile table's row counter (upsAlarmsPresent) tells pollers whether to walk it at all.
    if (table.rowsOid) layout.add(strip(table.rowsOid), constant(ObjectType.Integer, fresh ? rows : 0));
  }
  for (const [oid, cell] of systemCells(profile, name, sample)) layout.add(oid, cell);
  // A probe OID the model gives no value for (EATON-SENSOR's sensor count) still answers, as on the real card, so
  // the device is recognised by what the profile says identifies it.
  const probes = (profile.match.probe ?? []).map(strip);
  const any = (profile.match.probeAny ?? []).map(strip);
  if (any.length && !any.some((p) => answers(layout.placed, p))) probes.push(any[0]);
  for (const p of probes) if (!answers(layout.placed, p)) layout.add(p, constant(ObjectType.Integer, 1));

  const sorted = [...layout.placed.keys()].sort(compareOids);
  for (let k = 1; k < sorted.length; k++) {
    if (sorted[k].startsWith(sorted[k - 1] + '.')) {
      throw new Error(`profile ${profile.id}: cannot serve both ${sorted[k - 1]} and ${sorted[k]} (one contains the other)`);
    }
  }
  return { cells: new Map(sorted.map((oid) => [oid, layout.placed.get(oid)!])) };
}

export function compareOids(a: string, b: string): number {
  const pa = a.split('.');
  const pb = b.split('.');
  for (let k = 0; k < Math.min(pa.length, pb.length); k++) {
    const d = Number(pa[k]) - Number(pb[k]);
    if (d) return d;
  }
  return pa.length - pb.length;
}
