// src/device.ts is the one place where a connection and a profile become a device reader (assembleReader): the
// CLI, the device nodes, Discover, control detection and the fuzzers all go through it. A reader class built, or
// imported to be built, anywhere else in src/, nodes/, bench/ or scripts/ is named here. Tests of the readers
// themselves (test/) construct them directly on purpose.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
const ASSEMBLY = 'src/device.ts';
const SOURCES = ['src', 'nodes', 'bench', 'scripts'];

/** Every class in src/polling/ that implements DeviceReader: a new reader is covered without editing this test. */
function readerClasses(): string[] {
  const dir = path.join(root, 'src/polling');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .flatMap((f) => [...readFileSync(path.join(dir, f), 'utf8').matchAll(/class (\w+) implements DeviceReader\b/gu)].map((m) => m[1]));
}

/** What in `source` builds a reader itself: `new X(` or a value import of X (which could be renamed and built). */
export function assemblyViolations(source: string, classes: string[]): string[] {
  const found: string[] = [];
  for (const name of classes) {
    if (new RegExp(`\\bnew\\s+${name}\\b`, 'u').test(source)) found.push(`new ${name}`);
    for (const m of source.matchAll(/^import\s+(type\s+)?\{([^}]*)\}\s+from/gmu)) {
      if (m[1]) continue;
      const values = m[2].split(',').map((s) => s.trim()).filter((s) => s && !s.startsWith('type '));
      if (values.some((s) => s.split(/\s+as\s+/u)[0] === name)) found.push(`import ${name}`);
    }
  }
  return found;
}

function sourceFiles(): string[] {
  return SOURCES.flatMap((dir) =>
    readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' })
      .map((f) => `${dir}/${f.split(path.sep).join('/')}`)
      .filter((f) => /\.(ts|mts|cts|mjs|js)$/u.test(f)),
  );
}

describe('one assembly', () => {
  const classes = readerClasses();

  it('knows the reader classes', () => {
    expect(classes).toEqual(expect.arrayContaining(['SnmpDeviceReader', 'ModbusDeviceReader', 'NutDeviceReader', 'ApcupsdDeviceReader']));
  });

  it('finds a reader built or imported outside the assembly, and not a type import', () => {
    expect(assemblyViolations("import { SnmpDeviceReader } from '../polling/snmp-reader';\nnew SnmpDeviceReader(c, {});\n", classes)).toEqual([
      'new SnmpDeviceReader',
      'import SnmpDeviceReader',
    ]);
    expect(assemblyViolations("import { NutDeviceReader as R } from '../polling/nut-reader';\n", classes)).toEqual(['import NutDeviceReader']);
    expect(assemblyViolations("import { nutIdentity, type NutDeviceReader } from './nut-reader';\n", classes)).toEqual([]);
    expect(assemblyViolations("import type { ModbusDeviceReader } from './modbus-reader';\n", classes)).toEqual([]);
  });

  it(`no file in ${SOURCES.join(', ')} but ${ASSEMBLY} builds a reader`, () => {
    const files = sourceFiles().filter((f) => f !== ASSEMBLY && !f.startsWith('src/polling/'));
    expect(files.length).toBeGreaterThan(100);
    const found = files.flatMap((f) => assemblyViolations(readFileSync(path.join(root, f), 'utf8'), classes).map((v) => `${f}: ${v}`));
    expect(found).toEqual([]);
    expect(assemblyViolations(readFileSync(path.join(root, ASSEMBLY), 'utf8'), classes).length).toBeGreaterThan(0);
  });
});
