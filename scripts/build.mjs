#!/usr/bin/env node
// Builds the package: TypeScript → dist/, then lays out the Node-RED editor files beside the compiled nodes, where
// Node-RED looks for them (icons/ and locales/ next to each node's .js):
//   nodes/*.html                 → dist/nodes/*.html             (config nodes, and any other node's editor file)
//   nodes/lib/device-editor.html → dist/nodes/{ups,pdu,sensor,meter}.html  (one template: the four dialogs are the same)
//   nodes/locales/<lang>/*       → dist/nodes/locales/<lang>/*   (copied, except the device templates below)
//     device.json                → {ups,pdu,sensor,meter}.json  (one catalog per device node: common + kind)
//     device-help.html + help/<kind>.html → <kind>.html          (the shared help with each kind's sections)
//   icons/*.svg                  → dist/nodes/icons/*.svg
// In every editor HTML, <!-- @RACKPOWER_VALIDATE@ --> becomes a <script> defining window.rackpowerValidate from the
// compiled nodes/lib/validate.ts, so the dialogs check settings with the runtime's own code.
// resources/migrations.js (ignored by git) is nodes/lib/migrations.ts compiled, as window.rackpowerMigrations: Node-RED
// serves resources/ to the editor, where resources/editor.js migrates an old node when its dialog opens.
// Finally writes dist/.build-stamp, which tests compare with the sources to rebuild only when something changed.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const at = (...p) => path.join(root, ...p);
const out = at('dist', 'nodes');
const require = createRequire(import.meta.url);
const KINDS = ['ups', 'pdu', 'sensor', 'meter'];
/** Locale files that are templates for the device nodes, not files Node-RED reads. */
const DEVICE_TEMPLATES = new Set(['device.json', 'device-help.html', 'help']);
const VALIDATE_MARKER = '<!-- @RACKPOWER_VALIDATE@ -->';

const tsc = spawnSync(process.execPath, [at('node_modules', 'typescript', 'bin', 'tsc'), '-p', root], { stdio: 'inherit' });
if (tsc.status !== 0) {
  console.error('build: tsc failed');
  process.exit(tsc.status ?? 1);
}

mkdirSync(at('dist', 'nodes', 'icons'), { recursive: true });

// validate.js is CommonJS with no imports: wrapped in a function with its own `exports`, it runs in the browser.
const validateJs = readFileSync(path.join(out, 'lib', 'validate.js'), 'utf8').replace(/\n\/\/# sourceMappingURL=.*$/u, '');
const validateScript = `<script type="text/javascript">
// nodes/lib/validate.ts, compiled: the runtime's own setting checks for the dialogs (inlined by scripts/build.mjs).
window.rackpowerValidate = window.rackpowerValidate || (function () { var exports = {};
${validateJs}
return exports; })();
</script>`;
const editorHtml = (text) => text.replaceAll(VALIDATE_MARKER, validateScript);

// migrations.js, the same way, as a file Node-RED serves (each node's HTML loads it with a <script src>).
const migrationsJs = readFileSync(path.join(out, 'lib', 'migrations.js'), 'utf8').replace(/\n\/\/# sourceMappingURL=.*$/u, '');
writeFileSync(
  at('resources', 'migrations.js'),
  `// nodes/lib/migrations.ts, compiled by scripts/build.mjs (do not edit): the runtime's own config migrations.
window.rackpowerMigrations = window.rackpowerMigrations || (function () { var exports = {};
${migrationsJs}
return exports; })();
`,
);

for (const f of readdirSync(at('nodes')).filter((f) => f.endsWith('.html'))) {
  writeFileSync(path.join(out, f), editorHtml(readFileSync(at('nodes', f), 'utf8')));
}
const editor = editorHtml(readFileSync(at('nodes', 'lib', 'device-editor.html'), 'utf8'));
for (const kind of KINDS) writeFileSync(path.join(out, `${kind}.html`), editor.replaceAll('@KIND@', kind));

// After tsc: the NUT names each kind's shipped profiles emit, for the generated help.
const { shippedProfiles } = require(at('dist', 'src', 'profiles', 'load.js'));
const { candidateVariables } = require(at('dist', 'nodes', 'lib', 'profiles.js'));
const protocols = [...new Set(shippedProfiles().map((p) => p.protocol))];

for (const lang of readdirSync(at('nodes', 'locales'))) {
  const src = at('nodes', 'locales', lang);
  const dst = path.join(out, 'locales', lang);
  mkdirSync(dst, { recursive: true });
  for (const f of readdirSync(src)) {
    if (!DEVICE_TEMPLATES.has(f) && statSync(path.join(src, f)).isFile()) copyFileSync(path.join(src, f), path.join(dst, f));
  }
  // device.json: {catalog: {...}, common: {...}, kinds: {ups: {...}}} → ups.json: {...catalog, "rackpower-ups": common
  // merged with kinds.ups}. `catalog` holds keys outside the node's own (the palette category's label).
  const device = path.join(src, 'device.json');
  if (existsSync(device)) {
    const { catalog = {}, common, kinds } = JSON.parse(readFileSync(device, 'utf8'));
    for (const kind of KINDS) {
      const messages = { ...catalog, [`rackpower-${kind}`]: merge(common, kinds[kind] ?? {}) };
      writeFileSync(path.join(dst, `${kind}.json`), JSON.stringify(messages, null, 2) + '\n');
    }
  }
  const help = path.join(src, 'device-help.html');
  if (existsSync(help)) {
    const template = readFileSync(help, 'utf8').replace(/^<!--[\s\S]*?-->\s*/u, '');
    for (const kind of KINDS) {
      const slots = helpSlots(path.join(src, 'help', `${kind}.html`));
      slots.variables = variableList(kind);
      const text = template.replaceAll('@KIND@', kind).replace(/\{\{(\w+)\}\}/gu, (_m, name) => {
        if (!(name in slots)) throw new Error(`build: ${lang}/help/${kind}.html has no "${name}" section`);
        return slots[name];
      });
      writeFileSync(path.join(dst, `${kind}.html`), text);
    }
  }
}

for (const f of readdirSync(at('icons')).filter((f) => f.endsWith('.svg'))) copyFileSync(at('icons', f), path.join(out, 'icons', f));

const cli = at('dist', 'src', 'cli', 'main.js');
if (existsSync(cli)) chmodSync(cli, 0o755);

// tsc never deletes: output of a removed or renamed .ts would otherwise be packed and published.
prune(at('dist', 'src'), at('src'));
prune(at('dist', 'nodes'), at('nodes'));

writeFileSync(at('dist', '.build-stamp'), new Date().toISOString() + '\n');

/** Removes compiled files whose .ts source is gone (not the whole of dist/: tests may be loading it). */
function prune(dir, srcDir) {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!['icons', 'locales'].includes(e.name)) prune(p, path.join(srcDir, e.name));
      continue;
    }
    const m = /^(.*?)(\.d\.ts|\.js\.map|\.js)$/u.exec(e.name);
    if (m && !existsSync(path.join(srcDir, `${m[1]}.ts`))) rmSync(p);
    // JSON a module imported is copied as is: gone from the sources, gone from the package.
    if (e.name.endsWith('.json') && !existsSync(path.join(srcDir, e.name))) rmSync(p);
  }
  if (!readdirSync(dir).length) rmSync(dir, { recursive: true });
}

/** `<!-- slot: name -->` starts a section that runs to the next one; text before the first is a comment. */
function helpSlots(file) {
  const slots = {};
  const parts = readFileSync(file, 'utf8').split(/^<!-- slot: (\w+) -->\n/mu);
  for (let i = 1; i < parts.length; i += 2) slots[parts[i]] = parts[i + 1].trimEnd();
  return slots;
}

/** `<code>a</code>, <code>b</code>`: every name any shipped profile of the kind emits, over any protocol. */
function variableList(kind) {
  const names = [...new Set(protocols.flatMap((protocol) => candidateVariables(kind, protocol)))].sort();
  return names.map((n) => `<code>${n}</code>`).join(', ') || '<i>none yet</i>';
}

/** Deep merge of plain objects; `extra` wins. */
function merge(base, extra) {
  const result = { ...base };
  for (const [k, v] of Object.entries(extra)) {
    result[k] = v && typeof v === 'object' && !Array.isArray(v) && typeof base[k] === 'object' ? merge(base[k], v) : v;
  }
  return result;
}
