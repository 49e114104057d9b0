#!/usr/bin/env node
// Builds the package: TypeScript → dist/, then lays out the Node-RED editor files beside the compiled nodes, where
// Node-RED looks for them (icons/ and locales/ next to each node's .js):
//   nodes/*.html                 → dist/nodes/*.html             (config nodes)
//   nodes/lib/device-editor.html → dist/nodes/{ups,pdu,sensor,meter}.html  (one template: the four dialogs are the same)
//   nodes/locales/en-US/*        → dist/nodes/locales/en-US/*    (device.json expands to one catalog per device node)
//   icons/*.svg                  → dist/nodes/icons/*.svg
// and writes dist/.build-stamp, which tests compare with the sources to rebuild only when something changed.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const at = (...p) => path.join(root, ...p);
const out = at('dist', 'nodes');
const KINDS = ['ups', 'pdu', 'sensor', 'meter'];

const tsc = spawnSync(process.execPath, [at('node_modules', 'typescript', 'bin', 'tsc'), '-p', root], { stdio: 'inherit' });
if (tsc.status !== 0) {
  console.error('build: tsc failed');
  process.exit(tsc.status ?? 1);
}

mkdirSync(at('dist', 'nodes', 'icons'), { recursive: true });
for (const f of readdirSync(at('nodes')).filter((f) => f.endsWith('.html'))) copyFileSync(at('nodes', f), path.join(out, f));

const editor = readFileSync(at('nodes', 'lib', 'device-editor.html'), 'utf8');
for (const kind of KINDS) writeFileSync(path.join(out, `${kind}.html`), editor.replaceAll('@KIND@', kind));

for (const lang of readdirSync(at('nodes', 'locales'))) {
  const src = at('nodes', 'locales', lang);
  const dst = path.join(out, 'locales', lang);
  mkdirSync(dst, { recursive: true });
  for (const f of readdirSync(src).filter((f) => f !== 'device.json')) copyFileSync(path.join(src, f), path.join(dst, f));
  // device.json: {common: {...}, kinds: {ups: {...}}} → ups.json: {"rackpower-ups": common merged with kinds.ups}.
  const device = path.join(src, 'device.json');
  if (!existsSync(device)) continue;
  const { common, kinds } = JSON.parse(readFileSync(device, 'utf8'));
  for (const kind of KINDS) {
    const catalog = { [`rackpower-${kind}`]: merge(common, kinds[kind] ?? {}) };
    writeFileSync(path.join(dst, `${kind}.json`), JSON.stringify(catalog, null, 2) + '\n');
  }
}

for (const f of readdirSync(at('icons')).filter((f) => f.endsWith('.svg'))) copyFileSync(at('icons', f), path.join(out, 'icons', f));

const cli = at('dist', 'src', 'cli', 'main.js');
if (existsSync(cli)) chmodSync(cli, 0o755);

writeFileSync(at('dist', '.build-stamp'), new Date().toISOString() + '\n');

/** Deep merge of plain objects; `extra` wins. */
function merge(base, extra) {
  const result = { ...base };
  for (const [k, v] of Object.entries(extra)) {
    result[k] = v && typeof v === 'object' && !Array.isArray(v) && typeof base[k] === 'object' ? merge(base[k], v) : v;
  }
  return result;
}
