// The editor on both Node-RED releases users run, 4.1 (Node.js 20) and 5.0 (Node.js 22, installed by
// test/e2e/harness.ts nodeRed5()), in headless Chromium with the packed package: every rackpower node type is in the
// palette (the config nodes registered), every type's dialog opens with its form rows labelled and no browser error
// (page error, console error, or the editor's "oneditprepare …" report of a dialog that threw). On 5.0, which the other
// editor tests never open, also: an old-shape device node (v0 `transport`/`endpoint`/`connection`) opens with its
// config node selected, and the simulated rack example deploys from the editor with every device status green.
// @module-tag peer: node-red processes (4.1 and 5.0) and chromium
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { NODE_TYPES, nodeRed4, nodeRed5, type Runtime } from '../e2e/harness';
import { ensureBuilt } from '../nodes/harness';
import {
  afterEditorStep,
  deployFromEditor,
  dragFromPalette,
  openEditorSession,
  openNodeDialog,
  readExample,
  retarget,
  startNodeRed,
  startSimRack,
  until,
  type Browser,
  type NodeRed,
  type SimRack,
} from './harness.cjs';

/** The editor's globals as page.evaluate callbacks see them (the tests compile without the DOM library). */
interface EditorGlobals {
  RED: {
    nodes: {
      getType(type: string): { category?: string } | undefined;
      node(id: string): (Record<string, unknown> & { status?: { fill?: string; text?: string } }) | undefined;
      remove(id: string): void;
    };
    view: { importNodes(nodes: object[], options?: object): void; redraw(updateActive?: boolean): void };
  };
}

/** Config node types have no palette entry: their dialog opens from a UPS node's dialog, on the protocol using them. */
const CONFIG_FROM_UPS: Record<string, { protocol: string; field: string }> = {
  'rackpower-snmp-endpoint': { protocol: 'snmp', field: 'agent' },
  'rackpower-modbus-connection': { protocol: 'modbus', field: 'link' },
  'rackpower-nut-server': { protocol: 'nut', field: 'server' },
};
const IN_PALETTE = NODE_TYPES.filter((type) => !(type in CONFIG_FROM_UPS));

const Z = 'a11e500000000001';
const AGENT = 'a11e5000000000a1';
const LINK = 'a11e5000000000b1';
const OLD_UPS = 'a11e500000000011';
const OLD_SENSOR = 'a11e500000000012';
/** Nodes saved before configVersion existed; nothing answers on port 9 (discard), and nothing here polls them. */
const OLD_FLOW = [
  { id: Z, type: 'tab', label: 'saved long ago' },
  { id: AGENT, type: 'rackpower-snmp-endpoint', name: 'old agent', host: '127.0.0.1', port: '9', version: '2c', timeout: '200', retries: '0' },
  { id: LINK, type: 'rackpower-modbus-connection', name: 'old link', mode: 'tcp', host: '127.0.0.1', port: '9', timeout: '200', delay: '' },
  { id: OLD_UPS, type: 'rackpower-ups', z: Z, name: 'old ups', transport: 'snmp', endpoint: AGENT, connection: '', profile: 'auto', interval: '30', x: 200, y: 100, wires: [[], []] },
  { id: OLD_SENSOR, type: 'rackpower-sensor', z: Z, name: 'old sensor', transport: 'modbus', endpoint: '', connection: LINK, profile: 'xy-md02', unit: '2', x: 200, y: 180, wires: [[], []] },
];

describe.each([
  { name: 'Node-RED 4.1', runtime: (): Promise<Runtime> => Promise.resolve(nodeRed4()), full: false },
  { name: 'Node-RED 5.0', runtime: nodeRed5, full: true },
])('the editor on $name', ({ runtime, full }) => {
  let rack: SimRack | undefined;
  let red: NodeRed;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ensureBuilt();
    const [rt, simRack] = await Promise.all([runtime(), full ? startSimRack() : undefined]);
    rack = simRack;
    red = await startNodeRed({ packed: true, runtime: rt, flows: OLD_FLOW });
    browser = await openEditorSession(red);
    page = browser.page;
    // A clean clone installs Node-RED 5 first (up to 240 s, or waiting up to 300 s for another file's install under the
    // same lock); then Node-RED and Chromium start slowly on a loaded 2-core machine (up to 240 s).
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await red?.stop();
    await rack?.close();
  });

  // Any browser error during a test fails it, with what the browser said.
  afterEach((ctx) => afterEditorStep(browser, `runtimes-${full ? 'nr5' : 'nr4'}`, ctx.task));

  /** The open dialog's form (the innermost tray): its visible rows, and any text still an untranslated catalog key. */
  async function formRows(config: boolean): Promise<{ rows: number; keys: string[] }> {
    const form = page.locator(config ? '#node-config-dialog-edit-form' : '#dialog-form').last();
    await form.waitFor({ state: 'visible' });
    const rows = await form.locator('.form-row:visible').count();
    const text = (await form.innerText()) + ' ' + (await form.locator('input[placeholder]').evaluateAll((els) => els.map((e) => (e as unknown as { placeholder: string }).placeholder).join(' ')));
    return { rows, keys: text.match(/\brackpower-[a-z-]+\.[A-Za-z][\w.]*/gu) ?? [] };
  }

  async function cancel(button: string): Promise<void> {
    await page.locator(button).click();
    await page.locator(button).waitFor({ state: 'detached' });
  }

  it('lists every rackpower node type in the palette, the config nodes registered', async () => {
    for (const type of IN_PALETTE) await page.locator(`.red-ui-palette-node[data-palette-type="${type}"]`).waitFor({ state: 'attached' });
    const categories = await page.evaluate((types) => types.map((t) => (globalThis as unknown as EditorGlobals).RED.nodes.getType(t)?.category ?? 'unregistered'), NODE_TYPES);
    expect(Object.fromEntries(NODE_TYPES.map((t, i) => [t, categories[i]]))).toEqual(
      Object.fromEntries(NODE_TYPES.map((t) => [t, t in CONFIG_FROM_UPS ? 'config' : 'rackpower'])),
    );
  });

  /** Removes a dropped node again: unconfigured, it would stop the deploy below with the "invalid nodes" question.
   * (Not by a click and the Delete key: the editor takes a click soon after the double-click for another one.) */
  async function remove(id: string): Promise<void> {
    await page.evaluate((nodeId) => {
      const { RED } = globalThis as unknown as EditorGlobals;
      RED.nodes.remove(nodeId);
      RED.view.redraw(true);
    }, id);
    await page.locator(`g.red-ui-flow-node-group[id="${id}"]`).waitFor({ state: 'detached' });
  }

  it.each(IN_PALETTE)('%s: dragged from the palette, its dialog opens with its form rows labelled', async (type) => {
    const id = await dragFromPalette(page, type, 600, 400);
    await openNodeDialog(page, id);
    const form = await formRows(false);
    expect(form.rows).toBeGreaterThan(0);
    expect(form.keys).toEqual([]);
    await cancel('#node-dialog-cancel');
    await remove(id);
  });

  it('flags a new UPS node’s missing SNMP agent with the validator’s reason as the tooltip', async () => {
    const id = await dragFromPalette(page, 'rackpower-ups', 600, 400);
    await openNodeDialog(page, id);
    await until('the agent flagged', () => page.locator('#node-input-agent').evaluate((el) => el.classList.contains('input-error')), 15_000);
    await page.locator('#node-input-agent').hover();
    await page.locator('.red-ui-popover', { hasText: 'Choose or add the SNMP agent' }).waitFor({ state: 'visible' });
    await page.mouse.move(10, 10);
    await cancel('#node-dialog-cancel');
    await remove(id);
  });

  it.each(Object.keys(CONFIG_FROM_UPS))('%s: its dialog opens from a UPS node’s add button with its form rows labelled', async (type) => {
    const { protocol, field } = CONFIG_FROM_UPS[type];
    await openNodeDialog(page, OLD_UPS);
    await page.locator('#node-input-protocol').selectOption(protocol);
    await page.locator(`#node-input-btn-${field}-add`).click();
    await page.locator('#node-config-dialog-cancel').waitFor({ state: 'visible' });
    const form = await formRows(true);
    expect(form.rows).toBeGreaterThan(0);
    expect(form.keys).toEqual([]);
    await cancel('#node-config-dialog-cancel');
    await cancel('#node-dialog-cancel');
  });

  if (!full) return;

  it('opens an old-shape UPS node (v0: transport, endpoint) with its SNMP agent selected', async () => {
    await openNodeDialog(page, OLD_UPS);
    expect(await page.locator('#node-input-protocol').inputValue()).toBe('snmp');
    expect(await page.locator('#node-input-agent').inputValue()).toBe(AGENT);
    expect(await page.locator('#node-input-agent option:checked').textContent()).toBe('old agent');
    expect(await page.locator('#node-input-interval').inputValue()).toBe('30');
    await cancel('#node-dialog-cancel');
  });

  it('opens an old-shape sensor node (v0: connection) with its Modbus link selected', async () => {
    await openNodeDialog(page, OLD_SENSOR);
    expect(await page.locator('#node-input-protocol').inputValue()).toBe('modbus');
    expect(await page.locator('#node-input-link').inputValue()).toBe(LINK);
    expect(await page.locator('#node-input-unit').inputValue()).toBe('2');
    await cancel('#node-dialog-cancel');
  });

  it('deploys the simulated rack example from the editor, every device status green', async () => {
    const flow = retarget(readExample('simulated-rack'), rack!);
    await page.evaluate((nodes) => (globalThis as unknown as EditorGlobals).RED.view.importNodes(nodes), flow);
    const devices = flow.filter((n) => /^rackpower-(ups|pdu|sensor|meter)$/u.test(n.type)).map((n) => n.id);
    expect(devices).toHaveLength(4);
    await deployFromEditor(page);
    const fills = (): Promise<(string | undefined)[]> => page.evaluate((ids) => ids.map((id) => (globalThis as unknown as EditorGlobals).RED.nodes.node(id)?.status?.fill), devices);
    await until('every device status green', async () => (await fills()).every((f) => f === 'green'), 60_000).catch(async (err: Error) => {
      err.message += `\nstatuses: ${JSON.stringify(await fills())}`;
      throw err;
    });
    expect(red.problems().filter((l) => !l.includes('old '))).toEqual([]);
  }, 90_000);
});
