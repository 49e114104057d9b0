// The editor as a person uses it, in headless Chromium against a real Node-RED with this package installed and the
// simulated rack: the palette, a node dragged in and opened by double-click, the dialog flagging bad settings,
// Discover (for a config node not deployed yet, then with the stored credentials of a deployed one), deploy, the
// status under the node, and the help panel. Waits are on DOM conditions only. The rack's SNMP agents answer a
// community that is not "public", so a discovery that works proves which credentials it used.
// @module-tag peer: a node-red process and chromium
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ensureBuilt } from '../nodes/harness';
import {
  afterEditorStep,
  deployFromEditor,
  dragFromPalette,
  openEditorSession,
  openNodeDialog,
  startNodeRed,
  startSimRack,
  statusText,
  until,
  type Browser,
  type NodeRed,
  type SimRack,
} from './harness.cjs';

/**
 * The editor's globals as page.evaluate callbacks see them (in the browser). The tests compile without the DOM
 * library, so the callbacks reach them through globalThis with these few types.
 */
interface EditorGlobals {
  RED: {
    nodes: { getType(type: string): unknown; node(id: string): { credentials?: Record<string, unknown> } };
    sidebar: { show(id: string): void };
  };
  document: { querySelector(s: string): { textContent: string | null } | null; querySelectorAll(s: string): ArrayLike<object> };
  getComputedStyle(el: object): { backgroundImage: string };
}
const COMMUNITY = 'rack-7';
const KINDS = ['ups', 'pdu', 'sensor', 'meter'];
let rack: SimRack;
let red: NodeRed;
let browser: Browser;
let page: Page;
const ids: Record<string, string> = {};

beforeAll(async () => {
  ensureBuilt();
  rack = await startSimRack({ community: COMMUNITY });
  // What users install: the packed tarball's content, not the working tree.
  red = await startNodeRed({ packed: true });
  browser = await openEditorSession(red);
  page = browser.page;
}, 240_000); // Node-RED and Chromium start slowly on a loaded 2-core machine

afterAll(async () => {
  await browser?.close();
  await red?.stop();
  await rack?.close();
});

afterEach((ctx) => afterEditorStep(browser, 'editor', ctx.task));

const hasError = (selector: string) => page.locator(selector).evaluate((el) => el.classList.contains('input-error'));

/** Types into a field as a person does (the dialog validates on change and keyup). */
async function type(selector: string, text: string): Promise<void> {
  await page.locator(selector).fill(text);
  await page.locator(selector).dispatchEvent('change');
}

describe('palette', () => {
  it('has a rackpower category with the four device nodes, their labels and icons', async () => {
    expect((await page.locator('#red-ui-palette-header-rackpower span').textContent())?.trim()).toBe('rackpower');
    const labels = await page.evaluate((kinds) => kinds.map((k) => (globalThis as unknown as EditorGlobals).document.querySelector(`#red-ui-palette-container-rackpower .red-ui-palette-node[data-palette-type="rackpower-${k}"]`)?.textContent?.replace(/\s+/g, ' ').trim()), KINDS);
    expect(labels).toEqual(['UPS', 'PDU', 'rack sensor', 'energy meter']);
    const icons = await page.evaluate(() => {
      const g = globalThis as unknown as EditorGlobals;
      return Array.from(g.document.querySelectorAll('#red-ui-palette-container-rackpower .red-ui-palette-icon')).map((el) => g.getComputedStyle(el).backgroundImage);
    });
    for (const kind of KINDS) expect(icons.some((i) => i.includes(`node-red-contrib-rackpower/${kind}.svg`)), kind).toBe(true);
    for (const kind of KINDS) expect((await red.request('GET', `/icons/node-red-contrib-rackpower/${kind}.svg`)).status).toBe(200);
    // The config nodes are registered (they live in the config sidebar, not the palette).
    // Node-RED loaded each of the package's six node sets without an error.
    const sets = (await red.request('GET', '/nodes', undefined, { Accept: 'application/json' })).body as { id: string; module: string; types: string[]; err?: string }[];
    for (const type of [...KINDS.map((k) => `rackpower-${k}`), 'rackpower-snmp-endpoint', 'rackpower-modbus-connection']) {
      const set = sets.find((s) => s.module === 'node-red-contrib-rackpower' && s.types.includes(type));
      expect(set, type).toBeDefined();
      expect(set!.err, type).toBeUndefined();
    }
    const registered = await page.evaluate(() => ['rackpower-snmp-endpoint', 'rackpower-modbus-connection'].map((t) => !!(globalThis as unknown as EditorGlobals).RED.nodes.getType(t)));
    expect(registered).toEqual([true, true]);
  });
});

describe('a UPS over SNMP', () => {
  it('dragged from the palette, opens its dialog on double-click', async () => {
    ids.ups = await dragFromPalette(page, 'rackpower-ups', 500, 220);
    await openNodeDialog(page, ids.ups);
    expect(await page.locator('#node-input-protocol').inputValue()).toBe('snmp');
    expect(await page.locator('#node-input-profile').inputValue()).toBe('auto');
  });

  it('flags an invalid interval before deploy', async () => {
    await type('#node-input-interval', '0');
    await until('the interval flagged', () => hasError('#node-input-interval'));
    await type('#node-input-interval', '2');
    await until('the interval accepted', async () => !(await hasError('#node-input-interval')));
  });

  it('adds an SNMP agent, flagging an invalid host and port', async () => {
    await page.locator('#node-input-btn-agent-add').click();
    await page.locator('#node-config-dialog-ok').waitFor({ state: 'visible' });
    await type('#node-config-input-host', 'not a host!');
    await until('the host flagged', () => hasError('#node-config-input-host'));
    await type('#node-config-input-port', '70000');
    await until('the port flagged', () => hasError('#node-config-input-port'));
    await type('#node-config-input-host', '127.0.0.1');
    await type('#node-config-input-port', String(rack.ports.ups));
    await until('host and port accepted', async () => !(await hasError('#node-config-input-host')) && !(await hasError('#node-config-input-port')));
    await type('#node-config-input-community', COMMUNITY);
    await type('#node-config-input-timeout', '1000');
    await type('#node-config-input-retries', '0');
    await page.locator('#node-config-dialog-ok').click();
    await page.locator('#node-config-dialog-ok').waitFor({ state: 'detached' });
    ids.agent = await page.locator('#node-input-agent').inputValue();
    expect(ids.agent).not.toBe('_ADD_');
  });

  it('discovers the simulated UPS with the agent not deployed yet', async () => {
    await page.locator('#rp-discover').click();
    const result = page.locator('#rp-discover-result');
    await result.locator('.rp-discover-values').waitFor({ state: 'visible' });
    const text = await result.textContent();
    expect(text).toContain('ietf-ups');
    expect(text).toContain('SIM-UPS 3000');
    expect(text).toContain('Rackpower');
    expect(text).toMatch(/battery\.charge\s*\d+(\.\d+)? %/u);
    // Pin the detected profile: no detection on each start.
    await page.locator('#rp-discover-use').click();
    expect(await page.locator('#node-input-profile').inputValue()).toBe('ietf-ups');
  });

  it('completes variable names from the profile', async () => {
    await page.locator('#node-input-variables').fill('');
    await page.locator('#node-input-variables').pressSequentially('battery.ch');
    const option = page.locator('.red-ui-autoComplete-container .red-ui-autoComplete-completion', { hasText: /^battery\.charge$/u });
    await option.first().waitFor({ state: 'visible' });
    await option.first().click();
    expect(await page.locator('#node-input-variables').inputValue()).toBe('battery.charge');
    await page.locator('#node-input-variables').fill('');
  });

  it('deploys, and the status under the node shows status, charge and voltage', async () => {
    await page.locator('#node-dialog-ok').click();
    await page.locator('#node-dialog-ok').waitFor({ state: 'detached' });
    await deployFromEditor(page);
    const text = await until('the UPS status', async () => {
      const s = await statusText(page, ids.ups);
      // Then what battery learning shows, from the catalog: what it waits for, or the measured health.
      return /^OL.* · \d+(\.\d)? % · \d+(\.\d)? V · (battery: .+|health \d+ %)$/u.test(s) ? s : '';
    });
    expect(text).toMatch(/^OL/u);
  });

  it('discovers again with the deployed agent’s stored community (the editor no longer holds it)', async () => {
    expect(await page.evaluate((id) => (globalThis as unknown as EditorGlobals).RED.nodes.node(id).credentials?.community, ids.agent)).toBeUndefined();
    await openNodeDialog(page, ids.ups);
    await page.locator('#node-input-profile optgroup').first().waitFor({ state: 'attached' });
    expect(await page.locator('#node-input-profile').inputValue()).toBe('ietf-ups');
    await page.locator('#rp-discover').click();
    await page.locator('#rp-discover-result .rp-discover-values').waitFor({ state: 'visible' });
    expect(await page.locator('#rp-discover-result').textContent()).toContain('SIM-UPS 3000');
    await page.locator('#node-dialog-cancel').click();
    await page.locator('#node-dialog-cancel').waitFor({ state: 'detached' });
  });

  it('shows its help in the help panel, in Node-RED’s sections', async () => {
    await page.locator(`g.red-ui-flow-node-group[id="${ids.ups}"] rect.red-ui-flow-node`).click();
    await page.evaluate(() => (globalThis as unknown as EditorGlobals).RED.sidebar.show('help'));
    // The help sidebar's node section: the one holding this node's Inputs heading.
    const help = page.locator('.red-ui-help', { has: page.locator('h3', { hasText: 'Inputs' }) }).last();
    await help.locator('h3', { hasText: 'References' }).waitFor({ state: 'visible' });
    const headings = await help.locator('h3').allTextContents();
    expect(headings).toEqual(expect.arrayContaining(['Inputs', 'Outputs', 'Details', 'References']));
    const text = await help.textContent();
    expect(text).toContain('msg.payload["battery.charge"]');
    expect(text).toContain('ups.status');
  });

  it('labels its ports', async () => {
    await page.locator(`g.red-ui-flow-node-group[id="${ids.ups}"] .red-ui-flow-port-output`).first().hover();
    await page.locator('.red-ui-flow-port-tooltip', { hasText: 'readings' }).waitFor({ state: 'visible' });
    await page.mouse.move(10, 10);
  });
});

describe('a rack sensor over Modbus', () => {
  it('gets a Modbus link, a unit id (flagged when out of range) and a profile found with the filter box', async () => {
    ids.sensor = await dragFromPalette(page, 'rackpower-sensor', 500, 360);
    await openNodeDialog(page, ids.sensor);
    expect(await page.locator('#node-input-protocol').inputValue()).toBe('modbus');
    await page.locator('#node-input-btn-link-add').click();
    await page.locator('#node-config-dialog-ok').waitFor({ state: 'visible' });
    await type('#node-config-input-host', '127.0.0.1.');
    await type('#node-config-input-host', '127.0.0.1');
    await type('#node-config-input-port', String(rack.ports.modbus));
    await type('#node-config-input-timeout', '1000');
    await page.locator('#node-config-dialog-ok').click();
    await page.locator('#node-config-dialog-ok').waitFor({ state: 'detached' });

    await type('#node-input-unit', '300');
    await until('the unit id flagged', () => hasError('#node-input-unit'));
    await type('#node-input-unit', '1');
    await until('the unit id accepted', async () => !(await hasError('#node-input-unit')));

    // The Modbus profile is required: flagged until one is chosen; typing narrows the vendor-grouped list.
    await page.locator('#rp-profile-filter').pressSequentially('xy-md');
    await until('the filtered profile list', async () => (await page.locator('#node-input-profile').inputValue()) === 'xy-md02');
    expect(await page.locator('#node-input-profile optgroup').count()).toBeGreaterThan(0);
    expect(await page.locator('#node-input-profile option').count()).toBe(1);
  });

  it('discovers the sensor and deploys; the status shows temperature and humidity', async () => {
    await page.locator('#rp-discover').click();
    await page.locator('#rp-discover-result .rp-discover-values').waitFor({ state: 'visible' });
    expect(await page.locator('#rp-discover-result').textContent()).toMatch(/ambient\.1\.temperature\s*\d+(\.\d+)? °C/u);
    await page.locator('#node-dialog-ok').click();
    await page.locator('#node-dialog-ok').waitFor({ state: 'detached' });
    await deployFromEditor(page);
    await until('the sensor status', async () => /^\d+(\.\d)? °C · \d+(\.\d)? %$/u.test(await statusText(page, ids.sensor)));
  });

  it('keeps its settings when the dialog opens again', async () => {
    await openNodeDialog(page, ids.sensor);
    await page.locator('#node-input-profile optgroup').first().waitFor({ state: 'attached' });
    expect(await page.locator('#node-input-profile').inputValue()).toBe('xy-md02');
    expect(await page.locator('#node-input-unit').inputValue()).toBe('1');
    expect(await page.locator('#node-input-link').inputValue()).not.toBe('_ADD_');
    await page.locator('#node-dialog-cancel').click();
    await page.locator('#node-dialog-cancel').waitFor({ state: 'detached' });
  });
});

describe('Discover explains failures', () => {
  it('tells a PDU node pointed at a UPS card what the device is', async () => {
    ids.pdu = await dragFromPalette(page, 'rackpower-pdu', 500, 480);
    await openNodeDialog(page, ids.pdu);
    await page.locator('#node-input-agent').selectOption(ids.agent);
    await page.locator('#rp-discover').click();
    const error = page.locator('#rp-discover-result.rp-discover-error');
    await error.waitFor({ state: 'visible' });
    expect(await error.textContent()).toMatch(/No matching profile.*this is a ups, not a pdu/su);
    await page.locator('#node-dialog-cancel').click();
  });

  it('deploys without errors in the runtime log', () => {
    expect(red.problems()).toEqual([]);
  });
});
