// What the schema cannot say about a profile: sane sizes (a profile is a device's map, not a data dump, and every
// variable costs requests on each poll) and Modbus registers claimed by two variables at once, which can only be a
// typo in an address or a type. Each refusal names the field at fault, like the schema's own.
import { controlProblem } from './control-checks';
import type { ModbusVariable, Profile } from './types';

/** Largest profile file read (the biggest shipped one is about 13 kB). */
export const MAX_PROFILE_BYTES = 1024 * 1024;
/** Variables of one profile (SNMP scalars or Modbus values; the biggest shipped one has 76). */
export const MAX_VARIABLES = 1000;
export const MAX_TABLES = 64;
export const MAX_COLUMNS = 256;

const WIDTH: Record<ModbusVariable['type'], number> = { int16: 1, uint16: 1, bits16: 1, int32: 2, uint32: 2, float32: 2, bits32: 2, string: 0 };
const TABLE = { 3: 'holding', 4: 'input' } as const;

/** Registers a variable occupies. */
function registers(v: ModbusVariable): number {
  return v.type === 'string' ? (v.length ?? 1) : WIDTH[v.type];
}

function span(v: ModbusVariable): string {
  const last = v.register + registers(v) - 1;
  return `${TABLE[v.function]} register${last > v.register ? `s ${v.register}-${last}` : ` ${v.register}`}`;
}

/** The first problem as `field: reason`, or undefined. */
export function profileLimitProblem(profile: Profile): string | undefined {
  if (profile.variables.length > MAX_VARIABLES) return `variables: ${profile.variables.length} variables, at most ${MAX_VARIABLES}`;
  if (profile.protocol === 'snmp') {
    const tables = profile.tables ?? [];
    if (tables.length > MAX_TABLES) return `tables: ${tables.length} tables, at most ${MAX_TABLES}`;
    const wide = tables.findIndex((t) => t.columns.length > MAX_COLUMNS);
    if (wide >= 0) return `tables/${wide}/columns: ${tables[wide].columns.length} columns, at most ${MAX_COLUMNS}`;
    return controlProblem(profile);
  }
  // Sorted by table and first register, an overlap is always with the previous variable that reaches furthest.
  const order = profile.variables.map((v, i) => ({ v, i })).sort((a, b) => a.v.function - b.v.function || a.v.register - b.v.register);
  let reach: { v: ModbusVariable; i: number } | undefined;
  for (const cur of order) {
    const end = cur.v.register + registers(cur.v) - 1;
    if (end > 65_535) return `variables/${cur.i}/register: ${span(cur.v)} runs past register 65535`;
    const prev = reach;
    if (prev && prev.v.function === cur.v.function && cur.v.register <= prev.v.register + registers(prev.v) - 1) {
      const [first, second] = prev.i < cur.i ? [prev, cur] : [cur, prev];
      return `variables/${second.i}/register: ${second.v.name} (${span(second.v)}) overlaps variables/${first.i} ${first.v.name} (${span(first.v)})`;
    }
    if (!prev || prev.v.function !== cur.v.function || end > prev.v.register + registers(prev.v) - 1) reach = cur;
  }
  return undefined;
}
