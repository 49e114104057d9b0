// Lays out the SNMP tree of one simulated device from its profile: which OIDs exist, their SNMP types, and how
// each reads its value from the device's NUT values. Scalars (`.0`) become scalar providers; every other OID is a
// table cell `<entry>.<column>.<index>` (including rPDU2's one-row `...26.2.1.8.1` identity "scalars"), so
// GETNEXT/GETBULK walk rows in true lexicographic order.
import { ObjectType } from 'net-snmp';
import { clampInt32, encodeSim } from './encode';
import type { SnmpProfile, SnmpTable, Transform } from '../profiles/types';
import type { Values } from '../types';

export interface Cell {
  type: ObjectType;
  /** The raw value now, already of the JS type net-snmp expects for `type`; undefined = no such instance. */
  read(values: Values): number | string | undefined;
}

export interface TablePlan {
  /** Entry OID (`<table>.1`), where net-snmp registers a table provider. */
  oid: string;
  /** Column carrying the row index, added when the profile does not read one (walks expect it). */
  indexColumn: number;
  columns: Array<{ number: number; type: ObjectType }>;
  /** Row index → column → cell. */
  rows: Map<number, Map<number, Cell>>;
}

export interface MibPlan {
  /** Scalar provider OID (without `.0`) → cell. */
  scalars: Map<string, Cell>;
  tables: TablePlan[];
  /** Every served instance OID → its cell (index columns excluded: their value never changes). */
  cells: Map<string, Cell>;
}

const SYS = '1.3.6.1.2.1.1';
/** Agents without a vendor sysObjectID usually report net-snmp's Linux one; matching then relies on probes. */
const FALLBACK_SYS_OBJECT_ID = '1.3.6.1.4.1.8072.3.2.10';
const TIMETICKS_WRAP = 2 ** 32;

function cellFor(name: string, t: Transform, sample: Values): Cell | undefined {
  const value = sample[name];
  if (value === undefined) return undefined;
  const raw = encodeSim(value, t);
  if (raw === undefined) return undefined;
  const type = typeof raw === 'string' ? ObjectType.OctetString : t.convert === 'timeticks-to-s' ? ObjectType.TimeTicks : ObjectType.Integer;
  return {
    type,
    read(values) {
      const now = values[name];
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

/** Profile table rows present in the values: NUT indices found in column names, or row 1 for `single` names. */
function tableCells(table: SnmpTable, sample: Values): Array<[string, Cell]> {
  const indices = new Set<number>();
  for (const col of table.columns) {
    if (!col.name.includes('{i}')) continue;
    const escaped = col.name.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&');
    const pattern = new RegExp(`^${escaped.replace('\\{i\\}', '(\\d+)')}$`, 'u');
    for (const key of Object.keys(sample)) {
      const m = pattern.exec(key);
      if (m) indices.add(Number(m[1]));
    }
  }
  const singles = table.columns.some((c) => c.single !== undefined && sample[c.single] !== undefined);
  if (singles && [...indices].every((i) => i === 1)) indices.add(1);
  const rows = [...indices].sort((a, b) => a - b);
  const out: Array<[string, Cell]> = [];
  for (const col of table.columns) {
    const cells = rows.map((i) => {
      const name = rows.length === 1 && col.single !== undefined && sample[col.single] !== undefined ? col.single : col.name.replace('{i}', String(i));
      return cellFor(name, col, sample);
    });
    // A column is served only when every row has it, as on a device that implements the column.
    if (cells.some((c) => c === undefined)) continue;
    rows.forEach((i, k) => out.push([`${col.oid}.${i - (table.indexOffset ?? 0)}`, cells[k]!]));
  }
  return out;
}

function systemCells(profile: SnmpProfile, name: string, sample: Values): Array<[string, Cell]> {
  const sysObjectID = profile.match.sysObjectID?.[0] ?? (profile.match.sysObjectIDPrefix?.[0] ? `${profile.match.sysObjectIDPrefix[0]}.1` : FALLBACK_SYS_OBJECT_ID);
  const uptime = cellFor('device.uptime', { convert: 'timeticks-to-s' }, sample) ?? constant(ObjectType.TimeTicks, 0);
  return [
    [`${SYS}.1.0`, constant(ObjectType.OctetString, `${profile.vendor} ${profile.id} (rackpower simulator)`)],
    [`${SYS}.2.0`, constant(ObjectType.OID, sysObjectID)],
    [`${SYS}.3.0`, uptime],
    [`${SYS}.5.0`, constant(ObjectType.OctetString, name)],
  ];
}

const isPrefix = (a: string, b: string): boolean => b.startsWith(a + '.');

/** Builds the tree for a device whose values are `sample` now; OIDs for values it lacks are not served. */
export function planMib(profile: SnmpProfile, name: string, sample: Values): MibPlan {
  // A profile table's cells stay tabular even at index 0 (a 0-based table), where the OID alone looks scalar.
  const placed = new Map<string, { cell: Cell; tabular: boolean }>();
  const add = (oid: string, cell: Cell, tabular: boolean): void => {
    if (!placed.has(oid)) placed.set(oid, { cell, tabular }); // first wins, as for the profile's alternatives
  };
  for (const v of profile.variables) {
    const cell = cellFor(v.name, v, sample);
    if (cell) add(v.oid, cell, !v.oid.endsWith('.0'));
  }
  for (const table of profile.tables ?? []) {
    const cells = tableCells(table, sample);
    for (const [oid, cell] of cells) add(oid, cell, true);
    // A volatile table's row counter (upsAlarmsPresent) tells pollers whether to walk it at all.
    if (table.rowsOid) add(table.rowsOid, constant(ObjectType.Integer, new Set(cells.map(([oid]) => oid.split('.').pop())).size), false);
  }
  for (const [oid, cell] of systemCells(profile, name, sample)) add(oid, cell, false);

  const scalars = new Map<string, Cell>();
  const tables = new Map<string, TablePlan>();
  for (const [oid, { cell, tabular }] of placed) {
    const arcs = oid.split('.');
    if (!tabular) {
      scalars.set(arcs.slice(0, -1).join('.'), cell);
      continue;
    }
    if (arcs.length < 3) throw new Error(`profile ${profile.id}: cannot serve ${oid}: too short for a table cell <entry>.<column>.<index>`);
    const entryOid = arcs.slice(0, -2).join('.');
    const column = Number(arcs[arcs.length - 2]);
    const index = Number(arcs[arcs.length - 1]);
    let table = tables.get(entryOid);
    if (!table) {
      table = { oid: entryOid, indexColumn: 0, columns: [], rows: new Map() };
      tables.set(entryOid, table);
    }
    if (!table.columns.some((c) => c.number === column)) table.columns.push({ number: column, type: cell.type });
    let row = table.rows.get(index);
    if (!row) table.rows.set(index, (row = new Map()));
    row.set(column, cell);
  }

  const providers = [...scalars.keys(), ...tables.keys()];
  for (const a of providers) {
    const inner = providers.find((b) => isPrefix(a, b));
    if (inner) throw new Error(`profile ${profile.id}: cannot serve both ${a} and ${inner} (one contains the other)`);
  }
  for (const table of tables.values()) {
    table.columns.sort((a, b) => a.number - b.number);
    const used = new Set(table.columns.map((c) => c.number));
    table.indexColumn = used.has(1) ? Math.max(...used) + 1 : 1;
  }
  const cells = new Map([...placed].map(([oid, { cell }]) => [oid, cell]));
  return { scalars, tables: [...tables.values()], cells };
}
