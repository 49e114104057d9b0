// The UPS dialog with a NUT or apcupsd server, in headless Chromium against a real Node-RED and the simulated rack's
// NUT server: the protocol offered for UPS nodes only, a NUT server config node added from the dialog (password
// field, apcupsd switch), Discover listing the server's UPS units and filling the UPS name, deploy and the status.
// @module-tag peer: upsd, a node-red process and chromium
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ensureBuilt } from '../nodes/harness';
import { afterEditorStep, deployFromEditor, dragFromPalette, openEditorSession, openNodeDialog, startNodeRed, startSimRack, statusText, until, type Browser, type NodeRed, type SimRack } from './harness.cjs';

let rack: SimRack;
let red: NodeRed;
let browser: Browser;
let page: Page;
const ids: Record<string, string> = {};
const nutPort = (): string => new URL(rack.servers.find((d) => d.profile === 'nut')!.url).port;

beforeAll(async () => {
  ensureBuilt();
  rack = await startSimRack({ upsServers: true });
  red = await startNodeRed();
  browser = await openEditorSession(red);
  page = browser.page;
}, 240_000); // Node-RED and Chromium start slowly on a loaded 2-core machine

afterAll(async () => {
  await browser?.close();
  await red?.stop();
  await rack?.close();
});

afterEach((ctx) => afterEditorStep(browser, 'nut-dialog', ctx.task));

async function type(selector: string, text: string): Promise<void> {
  await page.locator(selector).fill(text);
  await page.locator(selector).dispatchEvent('change');
}

describe('a UPS on USB behind the simulated NUT server', () => {
  it('offers the NUT / apcupsd protocol on UPS nodes only', async () => {
    ids.pdu = await dragFromPalette(page, 'rackpower-pdu', 500, 400);
    await openNodeDialog(page, ids.pdu);
    expect(await page.locator('#node-input-protocol option[value="nut"]').count()).toBe(0);
    await page.locator('#node-dialog-cancel').click();
    await page.locator('#node-dialog-cancel').waitFor({ state: 'detached' });
    // Gone again: an unconfigured PDU would hold up the deploy below.
    await page.locator(`g.red-ui-flow-node-group[id="${ids.pdu}"] rect.red-ui-flow-node`).click();
    await page.keyboard.press('Delete');
    await page.locator(`g.red-ui-flow-node-group[id="${ids.pdu}"]`).waitFor({ state: 'detached' });

    ids.ups = await dragFromPalette(page, 'rackpower-ups', 500, 220);
    await openNodeDialog(page, ids.ups);
    await page.locator('#node-input-protocol').selectOption('nut');
    await page.locator('#node-input-ups').waitFor({ state: 'visible' });
    expect(await page.locator('#node-input-profile').isVisible()).toBe(false);
    expect(await page.locator('#node-input-agent').isVisible()).toBe(false);
  });

  it('adds a NUT server: password field for NUT, none for apcupsd', async () => {
    await page.locator('#node-input-btn-server-add').click();
    await page.locator('#node-config-dialog-ok').waitFor({ state: 'visible' });
    expect(await page.locator('#node-config-input-port').inputValue()).toBe('3493');
    await page.locator('#node-config-input-protocol').selectOption('apcupsd');
    expect(await page.locator('#node-config-input-port').inputValue()).toBe('3551');
    expect(await page.locator('#node-config-input-password').isVisible()).toBe(false);
    await page.locator('#node-config-input-protocol').selectOption('nut');
    expect(await page.locator('#node-config-input-password').isVisible()).toBe(true);
    await type('#node-config-input-host', '127.0.0.1');
    await type('#node-config-input-port', nutPort());
    await page.locator('#node-config-dialog-ok').click();
    await page.locator('#node-config-dialog-ok').waitFor({ state: 'detached' });
    expect(await page.locator('#node-input-server').inputValue()).not.toBe('_ADD_');
  });

  it('Discover lists the server\u2019s UPS units and fills the UPS name', async () => {
    expect(await page.locator('#node-input-ups').inputValue()).toBe('');
    await page.locator('#rp-discover').click();
    const result = page.locator('#rp-discover-result');
    await result.locator('.rp-discover-values').waitFor({ state: 'visible' });
    const text = await result.textContent();
    expect(text).toContain('SIM-UPS 3000');
    expect(text).toContain('UPS units on this server: ups');
    expect(text).toMatch(/battery\.charge\s*\d+(\.\d+)? %/u);
    expect(await page.locator('#node-input-ups').inputValue()).toBe('ups');
  });

  it('deploys, and the status under the node shows the UPS read through NUT', async () => {
    await page.locator('#node-dialog-ok').click();
    await page.locator('#node-dialog-ok').waitFor({ state: 'detached' });
    await deployFromEditor(page);
    await until('the UPS status', async () => /^OL/u.test(await statusText(page, ids.ups)));
    expect(red.problems()).toEqual([]);
  });
});
