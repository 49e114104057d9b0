// Every node's texts come from its message catalog (Node-RED's i18n), so translations can be added beside
// locales/en-US: for each node type package.json registers, the built catalog exists, and every key the node's
// editor file (data-i18n, this._, t('...')) and runtime files (RED._, t('...')) name is in it. The files are read as
// text and the keys found with regexes; keys built at run time from a variable are listed here by hand.
// The English texts are checked too where tests of the nodes cannot: the test runtime's RED._ returns the key.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FAILURE_KEYS } from '../../nodes/lib/status';
import { ROOT, ensureBuilt } from '../harness/build';

type Catalog = Record<string, unknown>;

const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { 'node-red': { nodes: Record<string, string> } };
/** [node type, file name without extension], as package.json registers them. */
const NODES = Object.entries(pkg['node-red'].nodes).map(([type, js]) => [type, path.basename(js, '.js')] as const);
const DEVICE_KINDS = ['ups', 'pdu', 'sensor', 'meter'];
const DISCOVER_CODES = ['TIMEOUT', 'AUTH', 'UNKNOWN_DEVICE', 'UNREACHABLE', 'PROTOCOL', 'UNSUPPORTED', 'CONFIG', 'BAD_REQUEST', 'BUSY', 'FORBIDDEN', 'HTTP'];

/** Keys a node builds from a variable (`t('kind.' + k)`), relative to the node type. */
function dynamicKeys(file: string): string[] {
  if (DEVICE_KINDS.includes(file)) {
    return [
      ...Object.values(FAILURE_KEYS).map((k) => `status.${k}`),
      ...DISCOVER_CODES.map((c) => `discover.errors.${c}`),
      'outputs.readings',
      'outputs.events',
    ];
  }
  if (file === 'alarm') return [...['above', 'below', 'outside', 'rate', 'stale'].map((k) => `kind.${k}`), ...['info', 'warning', 'critical'].map((s) => `severity.${s}`)];
  return [];
}

const dist = (...p: string[]): string => path.join(ROOT, 'dist', 'nodes', ...p);
const catalogOf = (file: string): Catalog => JSON.parse(readFileSync(dist('locales', 'en-US', `${file}.json`), 'utf8')) as Catalog;

beforeAll(() => ensureBuilt());

/** A dotted key in a catalog object, or undefined. */
function lookup(catalog: Catalog, key: string): unknown {
  return key.split('.').reduce<unknown>((at, part) => (at && typeof at === 'object' ? (at as Catalog)[part] : undefined), catalog);
}

/** The English text for a key with its __name__ substitutions filled in, as Node-RED's i18next does. */
function english(catalog: Catalog, key: string, subs: Record<string, string | number> = {}): string {
  const text = lookup(catalog, key);
  if (typeof text !== 'string') throw new Error(`${key} is not in the catalog`);
  return text.replace(/__(\w+)__/gu, (m, name: string) => (name in subs ? String(subs[name]) : m));
}

/** The node's .ts and the files under nodes/ it imports, recursively (src/ is the engine: its messages stay English). */
function runtimeFiles(file: string): string[] {
  const nodesDir = path.join(ROOT, 'nodes');
  const seen = new Set<string>();
  const visit = (f: string): void => {
    if (seen.has(f) || !existsSync(f)) return;
    seen.add(f);
    for (const m of readFileSync(f, 'utf8').matchAll(/^import [^;]*? from '(\.[^']+)';/gmu)) {
      const target = path.resolve(path.dirname(f), `${m[1]}.ts`);
      if (target.startsWith(nodesDir + path.sep)) visit(target);
    }
  };
  visit(path.join(nodesDir, `${file}.ts`));
  return [...seen];
}

/** Variables that hold the node type in the editor and runtime files: const T / TYPE / type. */
const TYPE_VARS = new Set(['T', 'TYPE', 'type']);

/**
 * Every literal message key a file names, as full keys (`rackpower-outlet.status.ready`). Keys ending in '.' or
 * built from anything but the node type are run-time keys: dynamicKeys lists those.
 */
function usedKeys(text: string, type: string): string[] {
  const keys: string[] = [];
  // data-i18n="key", "[placeholder]key", "[html]key;[title]other"
  for (const m of text.matchAll(/data-i18n="([^"]+)"/gu)) {
    for (const part of m[1].split(';')) keys.push(part.replace(/^\[\w+\]/u, ''));
  }
  // RED._('full.key'), this._("full.key"), node._(`full.key`), definition._('full.key')
  for (const m of text.matchAll(/\b(?:RED|this|node|definition)\._\(\s*(['"`])([\w.-]+)\1\s*[,)]/gu)) keys.push(m[2]);
  // this._(T + '.key') and RED._(`${TYPE}.key`)
  for (const m of text.matchAll(/\._\(\s*(\w+)\s*\+\s*'([\w.-]+)'\s*[,)]/gu)) if (TYPE_VARS.has(m[1])) keys.push(type + m[2]);
  for (const m of text.matchAll(/\._\(\s*`\$\{(\w+)\}([\w.-]+)`\s*[,)]/gu)) if (TYPE_VARS.has(m[1])) keys.push(type + m[2]);
  // t('key'): relative to what the file's own t prefixes (the editor's `function t(key) { return definition._(T +
  // '.errors.' + key) }`); in the runtime files t is the node's catalog under its type (nodes/lib/status.ts).
  // The shared editor script's E.t (resources/editor.js) is relative to the node type: `return E.t('errors.' + key)`.
  const def = /function t\(\w+[^)]*\)\s*\{\s*return\s+[\w.]+\._\(\s*(\w+)\s*\+\s*'([^']*)'\s*\+/u.exec(text);
  const shared = /function t\(\w+\)\s*\{\s*return\s+E\.t\(\s*'([^']*)'\s*\+/u.exec(text);
  const scope = shared ? `${type}.${shared[1]}` : def ? (TYPE_VARS.has(def[1]) ? type + def[2] : undefined) : `${type}.`;
  if (scope !== undefined) {
    for (const m of text.matchAll(/(?<![\w$])(?:this\.)?t\(\s*'([\w.-]+)'\s*[,)]/gu)) if (!m[1].endsWith('.')) keys.push(scope + m[1]);
  }
  // Validator factories with the error key as their last argument: count('rateCount'), intIn(1, 65535, 'port'),
  // when('tcp', V.isHost, 'host'), number('voltage'): messages under errors.
  for (const m of text.matchAll(/\b(?:count|number|intIn|when)\((?:[^()]*?,\s*)?'(\w+)'\)/gu)) keys.push(`${type}.errors.${m[1]}`);
  // E.configChosen('agent', 'errors.agent', ...): the message key, relative to the node type.
  for (const m of text.matchAll(/\bconfigChosen\(\s*'\w+',\s*'([\w.]+)'/gu)) keys.push(`${type}.${m[1]}`);
  // Registered through resources/editor.js: the palette label, and the port labels the node does not set itself.
  if (/rackpowerEditor\.node\(/u.test(text)) {
    keys.push(`${type}.paletteLabel`);
    if (/\binputs: 1\b/u.test(text) && !/\binputLabels:/u.test(text)) keys.push(`${type}.inputs`);
    if (/\boutputs: [1-9]\b/u.test(text) && !/\boutputLabels:/u.test(text)) keys.push(`${type}.outputs`);
  }
  return keys;
}

/** The dialog template (<script type="text/html" data-template-name=...>) of an editor file. */
function template(html: string, type: string): string {
  const m = new RegExp(`<script type="text/html" data-template-name="${type}">([\\s\\S]*?)</script>`, 'u').exec(html);
  if (!m) throw new Error(`no dialog template for ${type}`);
  return m[1];
}

describe.each(NODES)('%s', (type, file) => {
  it('has a built en-US catalog, under its own namespace', () => {
    const json = dist('locales', 'en-US', `${file}.json`);
    expect(existsSync(json), json).toBe(true);
    const catalog = catalogOf(file);
    expect(Object.keys(catalog).filter((k) => k !== 'palette')).toEqual([type]);
    expect(lookup(catalog, `${type}.paletteLabel`), 'paletteLabel').toBeTypeOf('string');
    // The palette category's label, whichever node set creates the category first.
    if (!/-(snmp-endpoint|modbus-connection)$/u.test(type)) expect(lookup(catalog, 'palette.label.rackpower')).toBe('rackpower');
    expect(readFileSync(dist('locales', 'en-US', `${file}.html`), 'utf8')).toContain(`data-help-name="${type}"`);
  });

  it('finds every key its editor and runtime files use in that catalog', () => {
    const catalog = catalogOf(file);
    const html = readFileSync(dist(`${file}.html`), 'utf8');
    const sources = runtimeFiles(file);
    expect(sources[0]).toBe(path.join(ROOT, 'nodes', `${file}.ts`));
    const editorKeys = usedKeys(html, type);
    const runtimeKeys = sources.flatMap((f) => usedKeys(readFileSync(f, 'utf8'), type));
    const keys = [...editorKeys, ...runtimeKeys, ...dynamicKeys(file).map((k) => `${type}.${k}`)];
    // The dialog has labels and the palette label comes from the catalog; each key is checked, not just counted.
    expect(editorKeys.length, 'editor keys').toBeGreaterThan(2);
    expect(editorKeys).toContain(`${type}.paletteLabel`);
    expect([...new Set(keys)].filter((key) => typeof lookup(catalog, key) !== 'string'), 'keys missing from the catalog').toEqual([]);
  });

  it('has no hard-coded English in its dialog and palette entry', () => {
    const html = readFileSync(dist(`${file}.html`), 'utf8');
    // Palette and port labels are functions reading the catalog, not strings.
    expect(html).not.toMatch(/\b(?:paletteLabel|inputLabels|outputLabels):\s*['"[]/u);
    expect(html).toMatch(/paletteLabel: function|rackpowerEditor\.node\(/u);
    // Text set from script goes through t(...); a quoted English sentence in .text('...') or a notification would not.
    expect(html).not.toMatch(/\.text\('[A-Za-z]+ [a-z]/u);
    expect(html).not.toMatch(/RED\.notify\('[A-Za-z]/u);
    const tpl = template(html, type)
      // Product names (MD5, SHA-1, "APC Rack PDU 2G (rPDU2)") are the same in every language; a lower-case word
      // in an option (none, detect) is not.
      .replace(/<option value="[^"]*">([^<]*)<\/option>/gu, (m, text: string) => (/^[a-z]+( [a-z]+)*$/u.test(text) ? m : ''));
    // What is left between tags: units (s, %, °C, A ×) and punctuation, no words.
    for (const m of tpl.matchAll(/>([^<>]*)</gu)) expect(m[1].replace(/&\w+;/gu, '').trim(), `text in the ${type} dialog`).not.toMatch(/[A-Za-z]{2}/u);
    // Placeholders in words come from the catalog ([placeholder]key); example values (input.realpower, /metrics) stay.
    for (const m of tpl.matchAll(/placeholder="([^"]*)"/gu)) expect(m[1], `placeholder in the ${type} dialog`).not.toMatch(/[a-z]{2,} [a-z]{2,}/u);
  });

  it('sets no English status text in its runtime files', () => {
    for (const f of runtimeFiles(file)) {
      const text = readFileSync(f, 'utf8');
      expect(text, path.relative(ROOT, f)).not.toMatch(/\btext:\s*(['"])[^'"]*[A-Za-z]{2}[^'"]*\1/u);
      expect(text, path.relative(ROOT, f)).not.toMatch(/\btext:\s*`[^`$]*[A-Za-z]{2}/u);
    }
  });
});

describe('English texts', () => {
  // What the nodes showed before their texts moved to the catalogs: they read the same.
  it('action and control nodes', () => {
    for (const file of ['outlet', 'ups-command']) {
      const c = catalogOf(file);
      const type = `rackpower-${file}`;
      expect(english(c, `${type}.status.noAgent`)).toBe('no SNMP agent selected');
      expect(english(c, `${type}.status.ready`)).toBe('ready');
      expect(english(c, `${type}.status.dryRun`)).toBe('dry run');
      expect(english(c, `${type}.status.disabled`)).toBe('control not enabled');
    }
    expect(english(catalogOf('outlet'), 'rackpower-outlet.defaultNameDryRun')).toBe('outlet (dry run)');
    expect(english(catalogOf('ups-command'), 'rackpower-ups-command.defaultNameDryRun')).toBe('ups command (dry run)');

    const alarm = catalogOf('alarm');
    expect(english(alarm, 'rackpower-alarm.status.raised', { count: 2 })).toBe('2 raised');
    expect(english(alarm, 'rackpower-alarm.status.clear')).toBe('all clear');

    const traps = catalogOf('trap-receiver');
    expect(english(traps, 'rackpower-trap-receiver.status.trap', { last: 'onBattery' })).toBe('1 trap · last: onBattery');
    expect(english(traps, 'rackpower-trap-receiver.status.traps', { count: 3, last: 'onLine' })).toBe('3 traps · last: onLine');
    expect(english(traps, 'rackpower-trap-receiver.status.listening', { host: '0.0.0.0', port: 1162 })).toBe('listening on 0.0.0.0:1162');
    expect(english(traps, 'rackpower-trap-receiver.defaultName', { port: 1162 })).toBe('traps :1162');

    const budget = catalogOf('budget');
    expect(english(budget, 'rackpower-budget.status.power', { power: 3000, budget: 2944 })).toBe('3000 / 2944 W');
    expect(english(budget, 'rackpower-budget.status.powerHot', { power: 3000, budget: 2944, temperature: 27.5 })).toBe('3000 / 2944 W · 27.5 °C');

    const shutdown = catalogOf('shutdown');
    expect(english(shutdown, 'rackpower-shutdown.status.armed')).toBe('armed');
    expect(english(shutdown, 'rackpower-shutdown.status.armedDrill')).toBe('armed (drill mode)');
    expect(english(shutdown, 'rackpower-shutdown.status.event', { event: 'cancel' })).toBe('cancel');
    expect(english(shutdown, 'rackpower-shutdown.status.eventStage', { event: 'stage', stage: 'storage' })).toBe('stage: storage');
    expect(english(shutdown, 'rackpower-shutdown.log.audit', { event: 'trigger', reason: 'ups-a on battery' })).toBe('trigger: ups-a on battery');
    expect(english(shutdown, 'rackpower-shutdown.log.auditStage', { event: 'stage', stage: 'storage', reason: 'after 120 s' })).toBe('stage "storage": after 120 s');
    expect(english(shutdown, 'rackpower-shutdown.errors.actionsJson', { stage: 'ups' })).toBe('stage "ups": actions are not valid JSON');
  });
});
