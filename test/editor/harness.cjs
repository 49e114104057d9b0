/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS on purpose, see below */
// A real Node-RED (node_modules/node-red/red.js in a temporary user dir where this package is installed by symlink,
// as scripts/start.mjs does), the simulated rack, and headless Chromium, for the editor tests (test/editor/*.test.ts)
// and scripts/screenshots.mjs. Plain CommonJS so that both a vitest file and a plain node script can load it; the
// types are in harness.d.cts. It uses the built package (dist/): callers build first.
/* global fetch, document, getComputedStyle, RED -- Node.js 20's fetch; the others inside page.evaluate, in the browser */
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const PACKAGE = 'node-red-contrib-rackpower';
const CHROMIUM = '/usr/bin/chromium';
const DASHBOARD = '@flowfuse/node-red-dashboard';
/** The Dashboard 2.0 release the example was written against, when it is not a devDependency. */
const DASHBOARD_RANGE = '~1.31.0';
const DASHBOARD_CACHE = path.join(ROOT, 'node_modules', '.cache', 'rackpower-dashboard');

function freeTcpPort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Polls `check` until it returns something truthy; the last error or falsy result explains a timeout. */
async function until(what, check, timeoutMs = 30000, everyMs = 100) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const result = await check();
      if (result) return result;
      last = undefined;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** The demo scenario's rack on free ports; speed 0 keeps its values still until a test advances `rack.model`. */
async function startSimRack(options = {}) {
  const { startRack } = require(path.join(ROOT, 'dist', 'src', 'sim', 'rack.js'));
  const { loadScenario } = require(path.join(ROOT, 'dist', 'src', 'sim', 'scenario.js'));
  const rack = await startRack(loadScenario('demo'), { speed: 0, ...options });
  const port = (name) => Number(new URL(rack.devices.find((d) => d.name === name).url).port);
  return Object.assign(rack, { ports: { ups: port('ups'), pdu: port('pdu'), modbus: port('sensor') } });
}

/**
 * The example flows use the simulator's fixed ports (scripts/start.mjs); here the rack has free ones. Config nodes
 * are matched by name ("sim UPS card" ...), as in test/nodes/example-flow.test.ts.
 */
function retarget(flow, rack) {
  const ports = { 'sim UPS card': rack.ports.ups, 'sim PDU card': rack.ports.pdu, 'sim Modbus gateway': rack.ports.modbus };
  return flow.map((n) => (n.name in ports && /^rackpower-(snmp-endpoint|modbus-connection)$/u.test(n.type) ? { ...n, port: String(ports[n.name]) } : n));
}

function readExample(name) {
  return JSON.parse(readFileSync(path.join(ROOT, 'examples', 'flows', `${name}.json`), 'utf8'));
}

/**
 * Where @flowfuse/node-red-dashboard is: the project's node_modules when it is a devDependency, else a cache folder
 * it is installed into once from the npm registry (node_modules/.cache: ignored by git, kept between runs).
 */
function dashboardDir() {
  try {
    return path.dirname(require.resolve(`${DASHBOARD}/package.json`, { paths: [ROOT] }));
  } catch {
    // not a devDependency: the cache below
  }
  const dir = path.join(DASHBOARD_CACHE, 'node_modules', ...DASHBOARD.split('/'));
  if (existsSync(path.join(dir, 'package.json'))) return dir;
  mkdirSync(DASHBOARD_CACHE, { recursive: true });
  writeFileSync(path.join(DASHBOARD_CACHE, 'package.json'), JSON.stringify({ name: 'rackpower-dashboard-cache', private: true }) + '\n');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['install', '--no-audit', '--no-fund', '--ignore-scripts', `${DASHBOARD}@${DASHBOARD_RANGE}`], {
    cwd: DASHBOARD_CACHE,
    encoding: 'utf8',
    timeout: 300000,
  });
  if (r.status !== 0) throw new Error(`npm install ${DASHBOARD} failed:\n${r.stdout}${r.stderr}`);
  return dir;
}

function link(target, at) {
  mkdirSync(path.dirname(at), { recursive: true });
  rmSync(at, { force: true, recursive: false });
  symlinkSync(target, at, 'dir');
}

/**
 * The package as npm would publish it: `npm pack` of the built tree, unpacked, with the repository's node_modules
 * beside it for its dependencies (no network). Made once per build (keyed by dist/.build-stamp) and reused.
 */
function packedPackage() {
  const stamp = readFileSync(path.join(ROOT, 'dist', '.build-stamp'), 'utf8').trim().replace(/[^0-9A-Za-z]/g, '');
  const dir = path.join(ROOT, 'node_modules', '.cache', 'rackpower-packed', stamp);
  const pkg = path.join(dir, 'package');
  if (existsSync(path.join(pkg, 'package.json'))) return pkg;
  const tmp = `${dir}.${process.pid}`;
  mkdirSync(tmp, { recursive: true });
  // --ignore-scripts: the build already ran; `prepare` would rewrite dist/ under parallel test files.
  const packed = spawnSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], { cwd: ROOT, encoding: 'utf8' });
  if (packed.status !== 0) throw new Error(`npm pack failed:\n${packed.stdout}${packed.stderr}`);
  const tarball = path.join(tmp, JSON.parse(packed.stdout)[0].filename);
  const untar = spawnSync('tar', ['-xzf', tarball, '-C', tmp], { encoding: 'utf8' });
  if (untar.status !== 0) throw new Error(`tar failed: ${untar.stderr}`);
  link(path.join(ROOT, 'node_modules'), path.join(tmp, 'package', 'node_modules'));
  rmSync(dir, { recursive: true, force: true });
  require('node:fs').renameSync(tmp, dir);
  return pkg;
}

/**
 * Starts Node-RED on a free port with this package (and optionally Dashboard 2.0) installed by symlink, an optional
 * flow and its credentials, and optional adminAuth. Resolves once the editor answers and the flows have started.
 */
async function startNodeRed(options = {}) {
  const userDir = mkdtempSync(path.join(os.tmpdir(), 'rackpower-nr-'));
  const port = await freeTcpPort();
  const settings = {
    flowFile: 'flows.json',
    credentialSecret: false,
    uiHost: '127.0.0.1',
    uiPort: port,
    httpNodeRoot: '/',
    logging: { console: { level: 'info', metrics: false, audit: false } },
    editorTheme: { tours: false, palette: { catalogues: [] }, projects: { enabled: false } },
    telemetry: { enabled: false },
    externalModules: { palette: { allowInstall: false } },
    ...(options.settings || {}),
  };
  writeFileSync(path.join(userDir, 'settings.js'), `module.exports = ${JSON.stringify(settings, null, 2)};\n`);
  writeFileSync(
    path.join(userDir, 'package.json'),
    JSON.stringify({ name: 'rackpower-test', private: true, dependencies: { [PACKAGE]: `file:${ROOT}` } }, null, 2) + '\n',
  );
  link(options.packed ? packedPackage() : ROOT, path.join(userDir, 'node_modules', PACKAGE));
  if (options.dashboard) link(dashboardDir(), path.join(userDir, 'node_modules', ...DASHBOARD.split('/')));
  writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(options.flows || [], null, 2));
  if (options.credentials) writeFileSync(path.join(userDir, 'flows_cred.json'), JSON.stringify(options.credentials, null, 2));

  // options.runtime: another Node-RED and the Node.js it runs on (test/e2e/harness.ts nodeRed5() installs 5.0).
  const node = options.runtime ? options.runtime.node : process.execPath;
  const redJs = options.runtime ? options.runtime.redJs : path.join(ROOT, 'node_modules', 'node-red', 'red.js');
  const child = spawn(node, [redJs, '-u', userDir, '-s', path.join(userDir, 'settings.js')], {
    cwd: userDir,
    env: { ...process.env, NODE_RED_ENABLE_PROJECTS: 'false', ...(options.env || {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const url = `http://127.0.0.1:${port}`;

  const red = {
    url,
    userDir,
    child,
    /** Everything Node-RED printed so far. */
    log: () => log,
    /** Log lines at [error] level (a node failing, a flow refused), and the lines saying a node type is missing. */
    problems: () => log.split('\n').filter((l) => /\[error\]|missing types|Missing node types/u.test(l)),
    async request(method, route, body, headers = {}) {
      const res = await fetch(url + route, {
        method,
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      let json;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: res.status, body: json, text };
    },
    /** A full deploy, as the editor's Deploy button does; credentials travel inline on their nodes. */
    async deploy(flows, headers = {}) {
      const before = (log.match(/Started flows/gu) || []).length;
      const res = await red.request('POST', '/flows', flows, { 'Node-RED-Deployment-Type': 'full', ...headers });
      if (res.status !== 204 && res.status !== 200) throw new Error(`deploy failed: ${res.status} ${res.text}`);
      await until('the flows to start', () => (log.match(/Started flows/gu) || []).length > before || /Flows stopped due to missing node types/u.test(log), 30000);
      return res;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGINT');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(userDir, { recursive: true, force: true });
    },
  };
  try {
    await Promise.race([
      until('Node-RED to start', async () => (await fetch(`${url}/settings`)).status < 500 && /Started flows|Flows stopped/u.test(log), 60000, 200),
      exited.then((code) => {
        throw new Error(`Node-RED exited (${code}) while starting:\n${log}`);
      }),
    ]);
  } catch (err) {
    await red.stop();
    throw err;
  }
  return red;
}

/**
 * The editor's websocket (/comms), subscribed to debug messages and node statuses, as the editor receives them.
 * Node.js 20 has no WebSocket client: `ws` comes with Node-RED.
 */
async function comms(red) {
  const WebSocket = require(require.resolve('ws', { paths: [path.join(ROOT, 'node_modules', 'node-red')] }));
  const ws = new WebSocket(red.url.replace(/^http/u, 'ws') + '/comms');
  const debug = [];
  const status = {};
  ws.on('message', (data) => {
    for (const m of [].concat(JSON.parse(String(data)))) {
      if (m.topic === 'debug') debug.push(m.data);
      else if (m.topic && m.topic.startsWith('status/')) status[m.topic.slice('status/'.length)] = m.data;
    }
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  ws.send(JSON.stringify({ subscribe: 'debug' }));
  ws.send(JSON.stringify({ subscribe: 'status/#' }));
  return { debug, status, close: () => ws.close() };
}

/**
 * Headless Chromium from Debian (/usr/bin/chromium) through playwright-core, with a fresh profile folder. Missing
 * Chromium is an error naming the package to install: the editor tests must not pass without a browser.
 */
async function launchChromium(options = {}) {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install the Debian package "chromium" (apt-get install chromium); the editor tests need a real browser`);
  }
  const { chromium } = require('playwright-core');
  const profile = mkdtempSync(path.join(os.tmpdir(), 'rackpower-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    viewport: options.viewport || { width: 1400, height: 900 },
    deviceScaleFactor: options.deviceScaleFactor || 1,
  });
  const page = context.pages()[0] || (await context.newPage());
  // Every script error and console error of the session, for takeBrowserErrors. The editor catches what a node's
  // oneditprepare (oneditsave, oneditcancel …) throws and only console.logs it, "oneditprepare <id> <type> <error>":
  // the dialog opens half filled in, so that line counts as an error too.
  const errors = [];
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' || /^onedit[a-z]+ /u.test(m.text())) errors.push(`console ${m.type()}: ${m.text()}`);
  });
  return {
    context,
    page,
    errors,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

// ---- the Node-RED editor, as a person uses it ----

/** Opens the editor and waits for the palette to list the rackpower nodes. */
async function openEditor(page, red) {
  // A palette that never shows our nodes is usually a script error in a node's editor code: say which.
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(red.url + '/');
  try {
    await page.locator('.red-ui-palette-node[data-palette-type="rackpower-ups"]').waitFor({ state: 'visible', timeout: 120000 });
  } catch (e) {
    e.message += `\nbrowser errors so far: ${errors.length ? errors.join('\n') : 'none'}`;
    throw e;
  }
  // Close anything that greets a first visit (welcome or update notices), so it covers nothing.
  await page.evaluate(() => document.querySelectorAll('.red-ui-notification .red-ui-notification-close, .red-ui-notification button').forEach((b) => b.click()));
}

/**
 * Chromium with the editor of `red` open and ready; a step that cannot happen fails within 15 s, naming the element,
 * rather than at the test's timeout.
 */
async function openEditorSession(red) {
  const browser = await launchChromium();
  browser.page.setDefaultTimeout(15000);
  await openEditor(browser.page, red);
  return browser;
}

/** The browser errors recorded since the last call (see launchChromium), and clears them. */
function takeBrowserErrors(browser) {
  return browser.errors.splice(0);
}

/** Drags a node type from the palette onto the workspace at (x, y) of the page; resolves to the new node's id. */
async function dragFromPalette(page, type, x, y) {
  const before = await page.evaluate(() => RED.nodes.filterNodes({ z: RED.workspaces.active() }).map((n) => n.id));
  // The editor shades the palette while a dialog is open or a deploy finishes; a drag would start on the shade.
  await page.locator('#red-ui-palette-shade').waitFor({ state: 'hidden' });
  const item = page.locator(`.red-ui-palette-node[data-palette-type="${type}"]`);
  await item.scrollIntoViewIfNeeded();
  const box = await item.boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  // jQuery UI's draggable starts after a few pixels of movement; steps give it the intermediate events.
  await page.mouse.move(box.x + box.width / 2 + 20, box.y + box.height / 2, { steps: 5 });
  await page.mouse.move(x, y, { steps: 20 });
  await page.mouse.up();
  return until(`a ${type} node on the workspace`, () =>
    page.evaluate(
      ({ type, before }) => RED.nodes.filterNodes({ z: RED.workspaces.active(), type }).map((n) => n.id).find((id) => !before.includes(id)),
      { type, before },
    ),
  );
}

/** Double-clicks a node on the workspace and waits for its edit dialog. */
async function openNodeDialog(page, id) {
  await page.locator(`g.red-ui-flow-node-group[id="${id}"] rect.red-ui-flow-node`).dblclick();
  await page.locator('#red-ui-editor-stack .red-ui-tray').first().waitFor({ state: 'visible' });
  await page.locator('#node-dialog-ok').waitFor({ state: 'visible' });
  // The tray slides in (a CSS transition on `right`): a click before it stops can land beside a button.
  await page.waitForFunction(() => {
    const trays = document.querySelectorAll('#red-ui-editor-stack .red-ui-tray');
    return trays.length > 0 && getComputedStyle(trays[trays.length - 1]).right === '0px';
  });
}

async function deployFromEditor(page) {
  await page.locator('#red-ui-header-button-deploy').click();
  await page.locator('.red-ui-notification-success').first().waitFor({ state: 'visible', timeout: 30000 });
}

/**
 * After a failed step: what the browser showed, in test-results/ (git-ignored) for whoever reads the CI log, and any
 * dialog the step left open closed, the innermost first, so the following steps do not fail on it too.
 */
async function afterFailedStep(page, prefix, testName) {
  const dir = path.join(ROOT, 'test-results');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${prefix}-${testName.replace(/\W+/gu, '-').slice(0, 60)}.png`) }).catch(() => undefined);
  for (const cancel of ['#node-config-dialog-cancel', '#node-dialog-cancel']) {
    if (await page.locator(cancel).isVisible()) await page.locator(cancel).click();
  }
}

/**
 * Every editor test's afterEach: a failed step is kept and cleared (afterFailedStep), and any browser error of the
 * step fails it, since a dialog that throws still opens and only the browser's report shows it.
 */
async function afterEditorStep(browser, prefix, task) {
  if (!browser) return;
  if (task.result?.state === 'fail') await afterFailedStep(browser.page, prefix, task.name);
  const errors = takeBrowserErrors(browser);
  if (errors.length) throw new Error(`the browser reported errors during "${task.name}":\n${errors.join('\n')}`);
}

/** The status text under a node on the workspace ('' while it has none). */
function statusText(page, id) {
  return page.evaluate((id) => {
    const label = document.querySelector(`g.red-ui-flow-node-group[id="${id}"] .red-ui-flow-node-status-label`);
    return label ? label.textContent : '';
  }, id);
}

module.exports = {
  afterEditorStep,
  ROOT,
  PACKAGE,
  CHROMIUM,
  freeTcpPort,
  until,
  startSimRack,
  retarget,
  readExample,
  dashboardDir,
  startNodeRed,
  comms,
  launchChromium,
  openEditor,
  openEditorSession,
  takeBrowserErrors,
  dragFromPalette,
  openNodeDialog,
  deployFromEditor,
  afterFailedStep,
  statusText,
};
