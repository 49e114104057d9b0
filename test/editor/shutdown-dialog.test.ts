// The shutdown node's dialog in headless Chromium against a real Node-RED: the restore plan (off by default, its
// per-stage restore actions shown only when it is on) and the context store are edited and saved with the node.
// @module-tag peer: a node-red process and chromium
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ensureBuilt } from '../nodes/harness';
import { afterEditorStep, openEditorSession, openNodeDialog, startNodeRed, type Browser, type NodeRed } from './harness.cjs';

const Z = 'a11d000000000001';
const ID = 'a11d000000000002';
let red: NodeRed;
let browser: Browser;
let page: Page;

interface Saved {
  restore: boolean;
  restoreStableS: string;
  store: string;
  stages: { name: string; restore?: unknown[] }[];
}
interface EditorGlobals {
  RED: { nodes: { node(id: string): Saved } };
}

beforeAll(async () => {
  ensureBuilt();
  const shutdown = {
    id: ID, type: 'rackpower-shutdown', z: Z, name: 'plan', supplies: 'ups', redundancy: 'all', x: 300, y: 200, wires: [[], []],
    stages: [{ name: 'batch', delayS: 0, actions: [{ name: 'outlet 7 off', payload: { action: 'off', outlet: 7 } }] }],
  };
  red = await startNodeRed({ flows: [{ id: Z, type: 'tab', label: 'plan' }, shutdown] });
  browser = await openEditorSession(red);
  page = browser.page;
}, 240_000); // Node-RED and Chromium start slowly on a loaded 2-core machine

afterAll(async () => {
  await browser?.close();
  await red?.stop();
});

afterEach((ctx) => afterEditorStep(browser, 'shutdown-dialog', ctx.task));

describe('the shutdown dialog', () => {
  it('restore is off for a flow saved before it existed; turning it on shows each stage’s restore actions, saved with the node', async () => {
    await openNodeDialog(page, ID);
    expect(await page.locator('#node-input-restore').isChecked()).toBe(false);
    expect(await page.locator('.rp-restore-actions').first().isVisible()).toBe(false);
    await page.locator('#node-input-restore').check();
    expect(await page.locator('.rp-restore-actions').first().isVisible()).toBe(true);
    await page.locator('#node-input-restoreStableS').fill('90');
    await page.locator('.rp-restore-actions').first().fill('[{"name": "outlet 7 on", "payload": {"action": "on", "outlet": 7}}]');
    await page.locator('#node-input-store').fill('disk');
    await page.locator('#node-dialog-ok').click();
    const saved = await page.evaluate((id) => (globalThis as unknown as EditorGlobals).RED.nodes.node(id), ID);
    expect(saved).toMatchObject({ restore: true, restoreStableS: '90', store: 'disk' });
    expect(saved.stages[0]).toMatchObject({ name: 'batch', restore: [{ name: 'outlet 7 on', payload: { action: 'on', outlet: 7 } }] });
  });

  it('keeps the restore actions when the dialog opens again', async () => {
    await openNodeDialog(page, ID);
    expect(await page.locator('#node-input-restore').isChecked()).toBe(true);
    expect(JSON.parse(await page.locator('.rp-restore-actions').first().inputValue())).toEqual([{ name: 'outlet 7 on', payload: { action: 'on', outlet: 7 } }]);
    await page.locator('#node-dialog-cancel').click();
    expect(red.problems()).toEqual([]);
  });
});
