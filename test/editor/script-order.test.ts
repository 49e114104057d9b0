// Node-RED's editor loads a module's <script src> files in parallel and runs each as it arrives (appendConfig in
// @node-red/editor-client), then the dialogs' own scripts. So resources/editor.js may run before migrations.js:
// it must not read the migrations while it loads, only when a dialog registers. Seen as "Cannot read properties of
// undefined (reading 'currentVersion')" and an empty palette in Chromium when editor.js won the race.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { ensureBuilt } from '../nodes/harness';

const ROOT = path.resolve(__dirname, '..', '..');
const read = (name: string): string => readFileSync(path.join(ROOT, 'resources', name), 'utf8');

/** A browser window with just what a dialog registration touches: RED.nodes.registerType. */
function editorWindow(): { context: vm.Context; registered: Map<string, { defaults: Record<string, { value: unknown }> }> } {
  const registered = new Map();
  const window: Record<string, unknown> = {};
  const context = vm.createContext({ window, RED: { nodes: { registerType: (type: string, def: unknown) => registered.set(type, def) } } });
  window.RED = context.RED;
  return { context, registered };
}

describe('the editor scripts in either load order', () => {
  it.each([
    ['editor.js first', ['editor.js', 'migrations.js']],
    ['migrations.js first', ['migrations.js', 'editor.js']],
  ])('%s: a dialog registers with its configVersion', (_, order) => {
    ensureBuilt();
    const { context, registered } = editorWindow();
    for (const file of order) vm.runInContext(read(file), context, { filename: file });
    vm.runInContext(`window.rackpowerEditor.node('rackpower-outlet').register({ defaults: { name: { value: '' } } });`, context);
    const version = (vm.runInContext(`window.rackpowerMigrations.currentVersion('rackpower-outlet')`, context) as number);
    expect(version).toBeGreaterThanOrEqual(1);
    expect(registered.get('rackpower-outlet')?.defaults.configVersion.value).toBe(version);
  });
});
