// The outlet and UPS command dialogs in headless Chromium against a real Node-RED started with a user profile folder
// (RACKPOWER_PROFILES): their profile lists are exactly what /rackpower/profiles says can switch outlets or command a
// UPS, so a user's own profile with a control section appears with no other change, and a hand-written <option>
// would show up as a difference. A saved profile this Node-RED lacks stays selected, marked as not installed.
// @module-tag peer: a node-red process and chromium
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { SnmpProfile } from '../../src/profiles/types';
import { copyOfShipped, userProfileDir } from '../harness/user-profiles';
import { ensureBuilt } from '../nodes/harness';
import { afterEditorStep, openEditorSession, openNodeDialog, startNodeRed, type Browser, type NodeRed } from './harness.cjs';

const Z = 'c7e1000000000001';
const OUTLET = 'c7e1000000000002';
const UPS = 'c7e1000000000003';
let red: NodeRed;
let browser: Browser;
let page: Page;

interface Listed {
  id: string;
  control?: { outlet: boolean; ups: string[] };
}

beforeAll(async () => {
  ensureBuilt();
  const pdu = copyOfShipped('apc-rpdu2', 'acme-pdu') as SnmpProfile;
  Object.assign(pdu, { vendor: 'Acme', models: ['Acme Switch 8'] });
  const ups = copyOfShipped('ietf-ups', 'acme-ups') as SnmpProfile;
  Object.assign(ups, { vendor: 'Acme', models: ['Acme UPS 1500'], control: { ups: { 'beeper.mute': ups.control!.ups!['beeper.mute'] } } });
  const flows = [
    { id: Z, type: 'tab', label: 'control' },
    { id: OUTLET, type: 'rackpower-outlet', z: Z, name: 'acme outlets', profile: 'acme-pdu', x: 200, y: 100, wires: [[]] },
    { id: UPS, type: 'rackpower-ups-command', z: Z, name: 'old ups', profile: 'gone-ups', x: 200, y: 200, wires: [[]] },
  ];
  red = await startNodeRed({ flows, env: { RACKPOWER_PROFILES: userProfileDir([pdu, ups]) } });
  browser = await openEditorSession(red);
  page = browser.page;
}, 240_000); // Node-RED and Chromium start slowly on a loaded 2-core machine

afterEach((ctx) => afterEditorStep(browser, 'control-dialogs', ctx.task));

afterAll(async () => {
  await browser?.close();
  await red?.stop();
});

/** The route's profiles that can do this, in the dialog's order (vendor, then id). */
async function fromRoute(can: (p: Listed & { control: { outlet: boolean; ups: string[] } }) => boolean): Promise<string[]> {
  const res = await red.request('GET', '/rackpower/profiles');
  expect(res.status).toBe(200);
  const listed = res.body as (Listed & { vendor: string })[];
  return listed
    .filter((p): p is Listed & { vendor: string; control: { outlet: boolean; ups: string[] } } => !!p.control && can(p as never))
    .sort((a, b) => a.vendor.localeCompare(b.vendor) || a.id.localeCompare(b.id))
    .map((p) => p.id);
}

/** The select's option values once the list has arrived (more than the "detect" option). */
async function options(): Promise<string[]> {
  await page.locator('#node-input-profile option').nth(2).waitFor({ state: 'attached' });
  return page.locator('#node-input-profile option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
}

describe('the control dialogs list what the profiles route offers', () => {
  it('outlet: every profile with outlet switching, the user’s own included, and nothing else', async () => {
    const expected = await fromRoute((p) => p.control.outlet);
    expect(expected).toEqual(expect.arrayContaining(['acme-pdu', 'apc-rpdu2', 'servertech-sentry4']));
    await openNodeDialog(page, OUTLET);
    expect(await options()).toEqual(['auto', ...expected]);
    expect(await page.locator('#node-input-profile').inputValue()).toBe('acme-pdu');
    expect(await page.locator('#node-input-profile option[value="acme-pdu"]').textContent()).toBe('Acme Acme Switch 8 (acme-pdu)');
    await page.locator('#node-dialog-cancel').click();
  });

  it('UPS command: every profile with UPS commands, the user’s own included; a saved profile not installed stays, marked', async () => {
    const expected = await fromRoute((p) => p.control.ups.length > 0);
    expect(expected).toEqual(expect.arrayContaining(['acme-ups', 'ietf-ups', 'eaton-xups']));
    expect(expected).not.toContain('apc-rpdu2');
    await openNodeDialog(page, UPS);
    expect(await options()).toEqual(['auto', ...expected, 'gone-ups']);
    expect(await page.locator('#node-input-profile').inputValue()).toBe('gone-ups');
    expect(await page.locator('#node-input-profile option[value="gone-ups"]').textContent()).toBe('gone-ups (not installed)');
    expect(await page.locator('#node-input-profile option[value="acme-ups"]').getAttribute('title')).toBe('beeper.mute');
    // The Commands field suggests what the chosen profile carries.
    await page.locator('#node-input-profile').selectOption('acme-ups');
    expect(await page.locator('#node-input-allow').getAttribute('placeholder')).toBe('beeper.mute');
    await page.locator('#node-input-profile').selectOption('gone-ups');
    expect(await page.locator('#node-input-allow').getAttribute('placeholder')).toBe('test.battery.start, beeper.mute, shutdown.return, shutdown.stop');
    await page.locator('#node-dialog-ok').click();
    const saved = await page.evaluate((id) => (globalThis as unknown as { RED: { nodes: { node(id: string): { profile: string } } } }).RED.nodes.node(id).profile, UPS);
    expect(saved).toBe('gone-ups');
    // The two nodes have no SNMP agent on purpose (only their lists are under test): each says so, nothing else does.
    const problems = red.problems();
    expect(problems.filter((line) => !/\] Error: no SNMP agent selected$/u.test(line))).toEqual([]);
    expect(problems.filter((line) => /\[rackpower-(outlet|ups-command):/u.test(line))).toHaveLength(2);
  });
});
