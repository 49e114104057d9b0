#!/usr/bin/env node
// Regenerates the README's pictures in docs/img/ with the editor tests' harness (test/editor/harness.cjs): a real
// Node-RED with this package and Dashboard 2.0, the simulated rack, headless Chromium.
//   palette.png          the rackpower palette category
//   dialog-discover.png  a UPS node's dialog after Discover
//   flow-status.png      the "simulated rack" example deployed, readings under each node, the debug sidebar
//   dashboard.png        the Dashboard 2.0 example through the simulated power cut
// Needs a build first: `npm run screenshots` is `node scripts/build.mjs && node scripts/screenshots.mjs`.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import harness from '../test/editor/harness.cjs';

const { launchChromium, openEditor, openNodeDialog, readExample, retarget, startNodeRed, startSimRack, statusText, until } = harness;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'docs', 'img');
const shot = (name) => path.join(out, `${name}.png`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
mkdirSync(out, { recursive: true });

// Speed 0: the rack's clock moves only when this script advances it, so the pictures show chosen moments.
const rack = await startSimRack();
const example = retarget(readExample('simulated-rack'), rack);
// The dashboard's devices poll every second here, so its charts fill while the script moves the clock.
const dashboard = retarget(readExample('dashboard-simulated-rack'), rack)
  .filter((n) => !example.some((e) => e.id === n.id))
  .map((n) => (/^rackpower-(ups|pdu|sensor|meter)$/u.test(n.type) ? { ...n, interval: '1', outputMode: 'per-variable' } : n));
const credentials = Object.fromEntries(example.filter((n) => n.type === 'rackpower-snmp-endpoint').map((n) => [n.id, { community: 'public' }]));
const red = await startNodeRed({ dashboard: true, flows: [...example, ...dashboard], credentials });
let browser;
try {
  browser = await launchChromium({ viewport: { width: 1360, height: 820 }, deviceScaleFactor: 2 });
  const { page } = browser;
  page.setDefaultTimeout(30000);
  // First the dashboard, through the demo's power cut (60-150 s) and back: 8 simulated seconds per second, while its
  // devices poll every second. The editor pictures come after, at 170 s, with the UPS back on mains.
  const dash = await browser.context.newPage();
  await dash.setViewportSize({ width: 1280, height: 900 });
  await dash.goto(`${red.url}/dashboard/rack`);
  await dash.locator('canvas').first().waitFor({ state: 'visible' });
  for (let t = 0; t < 170; t += 2) {
    rack.model.advance(2);
    await sleep(250);
  }
  await dash.locator('text=/^OL/').first().waitFor({ state: 'visible' });
  await sleep(1500); // the last readings reach the charts
  await dash.screenshot({ path: shot('dashboard'), fullPage: true });
  await dash.close();
  console.log('docs/img/dashboard.png');

  await openEditor(page, red);
  const tab = example.find((n) => n.type === 'tab');
  await page.evaluate((id) => RED.workspaces.show(id), tab.id); // eslint-disable-line no-undef -- in the browser
  const devices = example.filter((n) => /^rackpower-(ups|pdu|sensor|meter)$/u.test(n.type));

  // The deployed example: every device's status under it, and the debug sidebar with readings. The example sends
  // readings that changed: deployed again now, the first readings reach this editor's debug sidebar.
  await page.evaluate(() => RED.sidebar.show('debug')); // eslint-disable-line no-undef -- in the browser
  const withCredentials = (n) => (credentials[n.id] ? { ...n, credentials: credentials[n.id] } : n);
  await red.deploy([...example, ...dashboard].map(withCredentials));
  for (const d of devices) await until(`${d.name}'s status`, async () => (await statusText(page, d.id)) !== '');
  await page.locator('.red-ui-debug-msg').nth(3).waitFor({ state: 'visible' });
  await page.mouse.move(5, 400);
  await page.screenshot({ path: shot('flow-status') });
  console.log('docs/img/flow-status.png');

  // The palette: the rackpower category.
  await page.locator('#red-ui-palette-container-rackpower').scrollIntoViewIfNeeded();
  await page.locator('#red-ui-palette-container-rackpower').screenshot({ path: shot('palette') });
  console.log('docs/img/palette.png');

  // A UPS node's dialog with what Discover found.
  const ups = devices.find((d) => d.type === 'rackpower-ups');
  await openNodeDialog(page, ups.id);
  await page.locator('#rp-discover').click();
  await page.locator('#rp-discover-result .rp-discover-values').waitFor({ state: 'visible' });
  await page.locator('#red-ui-editor-stack .red-ui-tray').first().screenshot({ path: shot('dialog-discover') });
  console.log('docs/img/dialog-discover.png');
  await page.locator('#node-dialog-cancel').click();

} finally {
  await browser?.close();
  await red.stop();
  await rack.close();
}
