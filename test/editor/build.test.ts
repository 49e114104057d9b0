// What scripts/build.mjs lays out for the editor: help in Node-RED's style for every node (generated for the device
// nodes from one shared partial and a per-kind part), every message key the dialogs use present in the English
// catalogs, icons that exist, and no template markers left over.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { candidateVariables } from '../../nodes/lib/profiles';
import { ROOT, ensureBuilt } from '../nodes/harness';

const dist = (...p: string[]): string => path.join(ROOT, 'dist', 'nodes', ...p);
const read = (...p: string[]): string => readFileSync(dist(...p), 'utf8');
const KINDS = ['ups', 'pdu', 'sensor', 'meter'] as const;
const CONFIGS = ['snmp-endpoint', 'modbus-connection'] as const;

beforeAll(() => ensureBuilt());

/** A dotted key in a catalog object, or undefined. */
function lookup(catalog: Record<string, unknown>, key: string): unknown {
  return key.split('.').reduce<unknown>((at, part) => (at && typeof at === 'object' ? (at as Record<string, unknown>)[part] : undefined), catalog);
}

describe('help', () => {
  it.each([...KINDS, ...CONFIGS])('%s has help in Node-RED’s style', (name) => {
    const help = read('locales', 'en-US', `${name}.html`);
    expect(help).toContain(`data-help-name="rackpower-${name}"`);
    expect(help).not.toMatch(/\{\{\w+\}\}|@KIND@|<!-- slot:/u);
    for (const section of KINDS.includes(name as never) ? ['Inputs', 'Outputs', 'Details', 'References'] : ['Details', 'References']) {
      expect(help, section).toContain(`<h3>${section}</h3>`);
    }
  });

  it.each(KINDS)('%s lists the message properties and the NUT variables its profiles emit', (kind) => {
    const help = read('locales', 'en-US', `${kind}.html`);
    for (const prop of ['payload', 'topic', 'device', 'timestamp', 'changes', 'flags', 'event', 'interval', 'pause', 'resume']) {
      expect(help, prop).toMatch(new RegExp(`<dt( class="optional")?>${prop} <span class="property-type">`, 'u'));
    }
    const names = [...candidateVariables(kind, 'snmp'), ...candidateVariables(kind, 'modbus')];
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(help, name).toContain(`<code>${name}</code>`);
  });

  it('keeps the shared sections in one place: no per-kind help files in the sources', () => {
    for (const kind of KINDS) expect(existsSync(path.join(ROOT, 'nodes', 'locales', 'en-US', `${kind}.html`)), kind).toBe(false);
  });
});

describe('message catalogs', () => {
  /** Keys the HTML names literally: data-i18n attributes and t('...') calls (the latter relative to `scope`). */
  function usedKeys(html: string, scope: string): string[] {
    const keys = [...html.matchAll(/data-i18n="(?:\[\w+\])?([^"]+)"/gu)].map((m) => m[1]);
    // t('discover.errors.' + code) names a prefix, not a key: the codes are checked one by one below.
    for (const m of html.matchAll(/\bt\('([\w.-]+)'/gu)) if (!m[1].endsWith('.')) keys.push(`${scope}.${m[1]}`);
    // Config dialogs: the error key is the last argument of intIn(min, max, 'key') / when(mode, check, 'key').
    for (const m of html.matchAll(/\b(?:intIn|when)\([^()]*?,\s*'(\w+)'\)/gu)) keys.push(`${scope}.${m[1]}`);
    return keys;
  }

  it.each(KINDS)('%s: every key its dialog uses exists, and the palette category has a label', (kind) => {
    const catalog = JSON.parse(read('locales', 'en-US', `${kind}.json`));
    const html = read(`${kind}.html`);
    const keys = usedKeys(html, `rackpower-${kind}`);
    // Built from a code at run time: the error codes the discover endpoint answers with.
    for (const code of ['TIMEOUT', 'AUTH', 'UNKNOWN_DEVICE', 'UNREACHABLE', 'PROTOCOL', 'UNSUPPORTED', 'CONFIG', 'BAD_REQUEST', 'BUSY', 'FORBIDDEN', 'HTTP']) {
      keys.push(`rackpower-${kind}.discover.errors.${code}`);
    }
    for (const key of ['paletteLabel', 'kindName', 'inputs.commands', 'outputs.readings', 'outputs.events']) keys.push(`rackpower-${kind}.${key}`);
    expect(keys.length).toBeGreaterThan(40);
    for (const key of keys) expect(lookup(catalog, key), key).toBeTypeOf('string');
    expect(lookup(catalog, 'palette.label.rackpower')).toBe('rackpower');
  });

  it.each(CONFIGS)('%s: every key its dialog uses exists', (name) => {
    const catalog = JSON.parse(read('locales', 'en-US', `${name}.json`));
    const keys = usedKeys(read(`${name}.html`), `rackpower-${name}.errors`).map((k) => k.replace(`rackpower-${name}.errors.rackpower-${name}.`, `rackpower-${name}.`));
    expect(keys.length).toBeGreaterThan(10);
    for (const key of keys) expect(lookup(catalog, key), key).toBeTypeOf('string');
  });

  it('uses no hard-coded English in the dialogs’ scripts: labels come from the catalogs', () => {
    for (const file of [...KINDS.map((k) => `${k}.html`), ...CONFIGS.map((c) => `${c}.html`)]) {
      const html = read(file);
      // Text set from script is t(...)/this._(...); a quoted English sentence inside .text('...') would bypass i18n.
      expect(html, file).not.toMatch(/\.text\('[A-Z][a-z]+ [a-z]/u);
      expect(html, file).not.toMatch(/RED\.notify\('[A-Za-z]/u);
    }
  });
});

describe('icons', () => {
  it('has an SVG for every node, referenced by the dialogs, with a viewBox Node-RED can scale', () => {
    for (const name of [...KINDS, 'snmp', 'modbus']) {
      const svg = read('icons', `${name}.svg`);
      expect(svg, name).toMatch(/^<svg [^>]*viewBox="0 0 40 60"/u);
    }
    for (const kind of KINDS) expect(read(`${kind}.html`)).toContain("icon: KIND + '.svg'");
    expect(read('snmp-endpoint.html')).toContain("icon: 'snmp.svg'");
    expect(read('modbus-connection.html')).toContain("icon: 'modbus.svg'");
  });
});
