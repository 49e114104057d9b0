// Device packages (profiles/<protocol>/<id>/): found by listing folders, their expect.json validated against
// schema/expect.schema.json, and their Modbus register dumps parsed into what the test Modbus server answers.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { PACKAGE_PROFILE, PACKAGE_ROOT } from '../../src/profiles/load';
import type { Answer } from './modbus-server';

export const EXPECT_SCHEMA = path.join(PACKAGE_ROOT, 'schema', 'expect.schema.json');
/** The files a package may hold besides its recordings. */
export const PACKAGE_FILES = [PACKAGE_PROFILE, 'expect.json', 'SOURCE.md'];
export const RECORDING = /\.(snmprec|modbus)$/u;

export type NameValue = number | string | null;

export interface ExpectCheck {
  source: string;
  note?: string;
  digits?: number;
  values?: Record<string, NameValue>;
  absent?: string[];
}

export interface ExpectRecording {
  detect?: string | null;
  detectByKind?: Record<string, string | null>;
  alsoMatches?: string[];
  unit?: number;
  modelNames?: string[];
  identity?: Record<string, string | null>;
  requests?: { first?: number; steady?: number };
  checks?: ExpectCheck[];
  knownWrong?: Record<string, string>;
  note?: string;
}

export interface DevicePackage {
  id: string;
  protocol: 'snmp' | 'modbus';
  dir: string;
  /** Every file in the folder, by name. */
  files: string[];
  /** Recording file names (*.snmprec, *.modbus). */
  recordings: string[];
}

/** Every package folder (one holding profile.json) under a profiles root, as the loader finds them. */
export function listPackages(root: string): DevicePackage[] {
  const out: DevicePackage[] = [];
  for (const protocol of ['snmp', 'modbus'] as const) {
    const dir = path.join(root, protocol);
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const pkg = path.join(dir, entry.name);
      if (!entry.isDirectory() || !existsSync(path.join(pkg, PACKAGE_PROFILE))) continue;
      const files = readdirSync(pkg).sort();
      out.push({ id: entry.name, protocol, dir: pkg, files, recordings: files.filter((f) => RECORDING.test(f)) });
    }
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

let validator: ReturnType<Ajv['compile']> | undefined;

/** A package's expect.json, validated: throws with the file and the first schema error named. */
export function readExpect(pkg: DevicePackage): Record<string, ExpectRecording> {
  const file = path.join(pkg.dir, 'expect.json');
  const data: unknown = JSON.parse(readFileSync(file, 'utf8'));
  validator ??= new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(EXPECT_SCHEMA, 'utf8')));
  if (!validator(data)) {
    const errors = (validator.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'invalid'} ${JSON.stringify(e.params)}`);
    throw new Error(`${file}: ${errors.join('; ')}`);
  }
  return (data as { recordings: Record<string, ExpectRecording> }).recordings;
}

/** `*` any run of characters, `[..]` one of a set; everything else literal. */
export function namePattern(glob: string): RegExp {
  const body = glob.replace(/[.+?^${}()|\\]/gu, '\\$&').replace(/\*/gu, '.+');
  return new RegExp(`^${body}$`, 'u');
}

/** unit → function code → register address → word. */
export type RegisterDump = Map<number, Map<number, Map<number, number>>>;

/**
 * Parses a register dump: one line per run of registers, `unit,function,address,word word …` (address decimal or
 * 0x hex; words four hex digits each; `#` starts a comment). See docs/profiles.md.
 */
export function parseRegisterDump(text: string, file = 'dump'): RegisterDump {
  const dump: RegisterDump = new Map();
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*$/u, '').trim();
    if (!line) return;
    const m = /^(\d{1,3}),([34]),(0x[0-9a-fA-F]{1,4}|\d{1,5}),((?:[0-9a-fA-F]{4})(?: +[0-9a-fA-F]{4})*)$/u.exec(line);
    if (!m) throw new Error(`${file}:${i + 1}: not "unit,function,address,word word …": ${raw}`);
    const [unit, fn, address] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (unit > 255 || address > 0xffff) throw new Error(`${file}:${i + 1}: unit or address out of range`);
    const byFn = dump.get(unit) ?? new Map<number, Map<number, number>>();
    dump.set(unit, byFn);
    const regs = byFn.get(fn) ?? new Map<number, number>();
    byFn.set(fn, regs);
    m[4].split(/ +/u).forEach((w, k) => {
      if (regs.has(address + k)) throw new Error(`${file}:${i + 1}: register ${address + k} given twice`);
      regs.set(address + k, parseInt(w, 16));
    });
  });
  return dump;
}

export function readRegisterDump(file: string): RegisterDump {
  return parseRegisterDump(readFileSync(file, 'utf8'), path.basename(file));
}

/**
 * What the test Modbus server answers from a dump: the registers of a unit and function it lists, 0 for addresses
 * the dump leaves out (unused registers, as these devices answer them); illegal function for a unit or function
 * code the dump does not list. `log` collects every request.
 */
export function dumpAnswer(dump: RegisterDump, log?: Array<{ fn: number; unit: number; address: number; count: number }>): Answer {
  return async (fn, unit, address, count) => {
    log?.push({ fn, unit, address, count });
    const regs = dump.get(unit)?.get(fn);
    if (!regs) throw Object.assign(new Error('illegal function'), { modbusErrorCode: 1 });
    return Array.from({ length: count }, (_, i) => regs.get(address + i) ?? 0);
  };
}
