// Reads one SNMP device with one profile: detection, a learned request plan, static values cached, raw values
// turned into NUT names and units.
import { RackpowerError } from '../errors';
import type { SnmpClient, TypedValue } from '../protocol/snmp/client';
import { chooseProfile, probeOids } from '../profiles/detect';
import type { SnmpColumn, SnmpProfile, SnmpVariable, Transform } from '../profiles/types';
import { isTextVariable, joinStatus } from '../normalize/nut';
import { decodeValue } from '../normalize/transform';
import type { Value, Values } from '../types';
import { identityOf } from './identity';
import { SnmpPlan } from './snmp-plan';
import type { DeviceReader, Identification } from './types';

export interface SnmpReaderOptions {
  /** A fixed profile; without it the device is detected among `profiles`. */
  profile?: SnmpProfile;
  profiles?: SnmpProfile[];
  now?: () => number;
}

const DEFAULT_STATIC_REFRESH_S = 3600;

/** Decodes one answer for a variable; undefined when absent, a sentinel, or the wrong type for a number. */
function decodeAnswer(name: string, def: Transform, answer: TypedValue): Value | undefined {
  if (def.enum) return decodeValue(String(answer.value), def);
  if (isTextVariable(name)) return String(answer.value);
  let raw = answer.value;
  if (!answer.numeric) {
    // Some firmware sends numbers as text ("23.5"); anything else is not a reading.
    const text = String(raw).trim();
    raw = text !== '' && Number.isFinite(Number(text)) ? Number(text) : NaN;
  }
  return decodeValue(raw as number, def);
}

export class SnmpDeviceReader implements DeviceReader {
  private plan: SnmpPlan | undefined;
  private staticValues: Values = {};
  private staticReadAt = -Infinity;
  private readonly now: () => number;
  private readonly startRequests: number;

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

  get profile(): SnmpProfile | undefined {
    return this.plan?.profile;
  }

  async identify(): Promise<Identification> {
    const profile = this.options.profile ?? (await this.detect());
    this.plan = new SnmpPlan(profile);
    await this.learn();
    return identityOf(profile, this.staticValues);
  }

  private async detect(): Promise<SnmpProfile> {
    const candidates = this.options.profiles ?? [];
    const system = await this.client.system();
    const probes = probeOids(candidates);
    const answered = new Set((await this.client.get(probes)).keys());
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
    const answers = await this.client.get(profile.variables.map((v) => v.oid));
    plan.learnScalars(answers);
    plan.tables = [];
    for (const table of profile.tables ?? []) {
      const columns = await this.client.columns(table.columns.map((c) => c.oid), 0);
      plan.learnTable(table, columns);
    }
    if (!plan.scalars.length && plan.tables.every((t) => !t.rows.length)) {
      throw new RackpowerError('UNKNOWN_DEVICE', `${this.client.describe()} answers none of the OIDs of profile ${profile.id}`);
    }
    this.staticValues = {};
    this.staticReadAt = this.now();
    const values = await this.readWith(true);
    for (const v of [...plan.scalars, ...plan.tables.flatMap((t) => t.columns)]) {
      if (!v.static) continue;
      for (const [name, value] of Object.entries(values)) if (matchesName(v, name)) this.staticValues[name] = value;
    }
    Object.assign(this.staticValues, profile.constants ?? {});
  }

  async read(): Promise<Values> {
    if (!this.plan) await this.identify();
    const refresh = (this.plan!.profile.staticRefresh ?? DEFAULT_STATIC_REFRESH_S) * 1000;
    // Rediscovery re-reads statics and table sizes (an outlet added, a probe plugged in).
    if (this.now() - this.staticReadAt >= refresh) await this.learn();
    const dynamic = await this.readWith(false);
    if (Object.keys(dynamic).length === 0) {
      // It answered, but nothing it said was usable (wrong types, all sentinels): not a reading to publish.
      throw new RackpowerError('PROTOCOL', `${this.client.describe()} answered without one usable value (malformed replies)`);
    }
    return { ...this.staticValues, ...dynamic };
  }

  private async readWith(includeStatic: boolean): Promise<Values> {
    const plan = this.plan!;
    const values: Values = {};
    const status: string[] = [];
    const answers = await this.client.get(plan.getOids(includeStatic));
    for (const v of plan.scalars) {
      if (!includeStatic && v.static) continue;
      const answer = answers.get(v.oid);
      if (!answer) continue;
      const value = decodeAnswer(v.name, v, answer);
      if (value === undefined) continue;
      if (v.name === 'ups.status') status.push(String(value));
      else values[v.name] = value;
    }
    const bulk = new Map<string, { index: string; value: TypedValue }[]>();
    for (const b of plan.bulkTables(includeStatic, answers)) {
      for (const [col, rows] of await this.client.columns(b.columns, b.rows)) bulk.set(col, rows);
    }
    for (const t of plan.tables) {
      if (t.table.count) values[t.table.count] = t.rows.length;
      const limit = t.table.rowsLimit ? Number(values[t.table.rowsLimit] ?? this.staticValues[t.table.rowsLimit]) : NaN;
      const usedRows = Number.isInteger(limit) && limit > 0 ? Math.min(limit, t.rows.length) : t.rows.length;
      const used = new Set(t.rows.slice(0, usedRows));
      for (const col of t.columns) {
        if (!includeStatic && col.static) continue;
        const rows = bulk.get(col.oid) ?? t.rows.map((index) => ({ index, value: answers.get(`${col.oid}.${index}`) }));
        for (const { index, value: answer } of rows) {
          if (!answer || (!t.table.volatile && !used.has(index))) continue;
          const name = cellName(col, index, t.table.indexPart, t.table.indexOffset, usedRows);
          const value = decodeAnswer(name, col, answer);
          if (value === undefined) continue;
          if (name === 'ups.status') status.push(String(value));
          else values[name] = value;
        }
      }
    }
    const joined = joinStatus(status);
    if (status.length) values['ups.status'] = joined;
    return values;
  }

  async close(): Promise<void> {
    // The client belongs to whoever opened it (a config node shares it between device nodes).
  }
}

function cellName(col: SnmpColumn, index: string, indexPart?: number, indexOffset?: number, rowCount?: number): string {
  if (col.single && rowCount === 1) return col.single;
  const arcs = index.split('.');
  const part = indexPart === undefined ? arcs[arcs.length - 1] : arcs[indexPart];
  return col.name.replace('{i}', String(Number(part) + (indexOffset ?? 0)));
}

function matchesName(v: SnmpVariable | SnmpColumn, name: string): boolean {
  if (!v.name.includes('{i}')) return v.name === name;
  const [head, tail] = v.name.split('{i}');
  return (name.startsWith(head) && name.endsWith(tail) && /^\d+$/u.test(name.slice(head.length, name.length - tail.length))) || ('single' in v && v.single === name);
}
