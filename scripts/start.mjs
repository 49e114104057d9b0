#!/usr/bin/env node
// `npm start`: the demo without hardware or network. Starts the simulated rack (scenarios/demo.json) on loopback
// ports, prepares a Node-RED user dir .node-red/ (git-ignored) with this package installed by symlink and
// examples/flows/simulated-rack.json as its flow, runs Node-RED as a child, and stops both on Ctrl-C.
//   Node-RED 127.0.0.1:1880; SNMP UPS :16161, SNMP PDU :16162, Modbus TCP :16163 (sensor unit 1, meter unit 2),
//   the UPS again as a NUT server :16164 (UPS `ups`, user admin/admin) and as apcupsd's NIS :16165
// Other ports: `npm start -- --port 1881 --sim-port 17161`, or PORT=1881 RACKPOWER_SIM_PORT=17161 npm start.
import { spawn, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { copyFileSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const at = (...p) => path.join(root, ...p);
const require = createRequire(import.meta.url);
const userDir = at('.node-red');
const EXAMPLE = at('examples', 'flows', 'simulated-rack.json');
/** The demo's ports: the UPS agent, the PDU agent, the Modbus gateway, the UPS's NUT server and apcupsd NIS. */
const EXAMPLE_SIM_PORTS = [16161, 16162, 16163, 16164, 16165];
const USAGE = `usage: npm start [-- --port N] [-- --sim-port BASE]
  --port N         Node-RED editor and HTTP nodes (default 1880; or PORT=N)
  --sim-port BASE  simulated UPS on BASE (SNMP), PDU on BASE+1 (SNMP), Modbus TCP on BASE+2, the UPS as a NUT
                   server on BASE+3 and as apcupsd NIS on BASE+4 (default 16161; or RACKPOWER_SIM_PORT=BASE)
`;

const { port: EDITOR_PORT, simPort: BASE_PORT } = options();
const EDITOR = `http://127.0.0.1:${EDITOR_PORT}`;
// The simulator gives SNMP devices consecutive ports from the base, then one Modbus TCP port for all Modbus units.
const SIM_PORTS = EXAMPLE_SIM_PORTS.map((_, i) => BASE_PORT + i);

function options() {
  let values;
  try {
    ({ values } = parseArgs({ args: process.argv.slice(2), options: { port: { type: 'string' }, 'sim-port': { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (err) {
    fail(`${err.message}\n\n${USAGE}`);
  }
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const port = (text, name, max) => {
    if (text === undefined || text === '') return undefined;
    if (!/^\d+$/u.test(text) || Number(text) < 1 || Number(text) > max) fail(`${name} ${text}: a port number 1-${max}\n\n${USAGE}`);
    return Number(text);
  };
  return {
    port: port(values.port, '--port', 65535) ?? port(process.env.PORT, 'PORT', 65535) ?? 1880,
    simPort: port(values['sim-port'], '--sim-port', 65531) ?? port(process.env.RACKPOWER_SIM_PORT, 'RACKPOWER_SIM_PORT', 65531) ?? EXAMPLE_SIM_PORTS[0],
  };
}

function fail(message) {
  process.stderr.write(`npm start: ${message.trimEnd()}\n`);
  process.exit(1);
}

/** Resolves true when nothing holds the port (by binding it for a moment, as the simulator and Node-RED will). */
function free(proto, port) {
  return new Promise((resolve) => {
    const done = (ok, close) => {
      try {
        close();
      } catch {
        // already closed
      }
      resolve(ok);
    };
    if (proto === 'udp') {
      const socket = dgram.createSocket('udp4');
      socket.once('error', () => done(false, () => socket.close()));
      socket.bind(port, '127.0.0.1', () => done(true, () => socket.close()));
    } else {
      const server = net.createServer();
      server.once('error', () => done(false, () => server.close()));
      server.listen(port, '127.0.0.1', () => done(true, () => server.close()));
    }
  });
}

/** Every port npm start needs, checked before anything starts: a clear word on which one is taken, no stack trace. */
async function checkPorts() {
  const wanted = [
    ['tcp', EDITOR_PORT, 'the Node-RED editor', '--port'],
    ['udp', SIM_PORTS[0], 'the simulated UPS (SNMP)', '--sim-port'],
    ['udp', SIM_PORTS[1], 'the simulated PDU (SNMP)', '--sim-port'],
    ['tcp', SIM_PORTS[2], 'the simulated Modbus TCP gateway', '--sim-port'],
    ['tcp', SIM_PORTS[3], 'the simulated UPS (NUT server)', '--sim-port'],
    ['tcp', SIM_PORTS[4], 'the simulated UPS (apcupsd NIS)', '--sim-port'],
  ];
  const taken = [];
  for (const [proto, port, what, option] of wanted) if (!(await free(proto, port))) taken.push({ proto, port, what, option });
  if (!taken.length) return;
  const lines = taken.map((t) => `  ${t.proto.toUpperCase()} port ${t.port} (${t.what}) is in use by another program`);
  const hint = [...new Set(taken.map((t) => t.option))].map((o) => (o === '--port' ? '--port 1881' : '--sim-port 17161')).join(' ');
  fail(`${lines.join('\n')}\nStop what holds it (another npm start?), or choose other ports: npm start -- ${hint}`);
}

/** Newest modification time under the sources the build reads. */
function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }
  return t;
}

// No `prepare` script (it would ship in the package and point at scripts/ that is not shipped): build here when
// dist/ is missing or older than the sources.
const stamp = at('dist', '.build-stamp');
// resources/migrations.js is built too (git ignores it): the editor's dialogs need it.
const stale =
  !existsSync(stamp) || !existsSync(at('resources', 'migrations.js')) || statSync(stamp).mtimeMs < Math.max(...['src', 'nodes', 'profiles', 'icons', 'resources'].map((d) => newest(at(d))));
if (stale) {
  const build = spawnSync(process.execPath, [at('scripts', 'build.mjs')], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

await checkPorts();
const { startRack } = require(at('dist', 'src', 'sim', 'rack.js'));
const { loadScenario } = require(at('dist', 'src', 'sim', 'scenario.js'));
let rack;
try {
  // control: the demo PDU and UPS accept SETs, so the power-cycle and shutdown examples work against them.
  // upsServers: the UPS is also served as a USB UPS would be (NUT, apcupsd), for examples/flows/nut-usb-ups.json.
  rack = await startRack(loadScenario('demo'), { basePort: BASE_PORT, control: true, upsServers: true });
} catch (err) {
  // Taken between the check and now.
  fail(`the simulated rack could not start on ports ${SIM_PORTS.join(', ')}: ${err.message}. Choose others: npm start -- --sim-port 17161`);
}
console.log('Simulated rack (scenarios/demo.json):');
for (const d of [...rack.devices, ...rack.servers]) console.log(`  ${d.name.padEnd(8)} ${d.kind.padEnd(7)} ${d.url}`);

prepareUserDir();

const red = spawn(process.execPath, [at('node_modules', 'node-red', 'red.js'), '-u', userDir, '-p', String(EDITOR_PORT)], { stdio: 'inherit' });
console.log(`Node-RED editor: ${EDITOR}`);

let stopping = false;
async function stop(signal) {
  if (stopping) return;
  stopping = true;
  if (red.exitCode === null && red.signalCode === null) {
    const exited = new Promise((resolve) => red.once('exit', resolve));
    red.kill(signal);
    await exited;
  }
  await rack.close();
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
red.on('exit', (code) => {
  if (stopping) return;
  // Node-RED ended on its own (port 1880 taken, a crash): the simulator has no purpose left.
  stopping = true;
  void rack.close().then(() => process.exit(code ?? 1));
});

function prepareUserDir() {
  mkdirSync(path.join(userDir, 'node_modules'), { recursive: true });
  writeFileSync(
    path.join(userDir, 'settings.js'),
    `// Written by scripts/start.mjs for the local demo; edits are overwritten on the next npm start.
module.exports = {
    flowFile: 'flows.json',
    // Plain flows_cred.json: a demo with the simulator's public community, nothing to protect, no secret prompt.
    credentialSecret: false,
    uiHost: '127.0.0.1',
    uiPort: ${EDITOR_PORT},
    httpNodeRoot: '/',
    logging: { console: { level: 'info', metrics: false, audit: false } },
    editorTheme: { tours: false },
    // A local demo: no update-check prompt, nothing sent anywhere.
    telemetry: { enabled: false },
};
`,
  );
  // Installed the way npm would record it, but by symlink: no network and always the working copy.
  writeFileSync(
    path.join(userDir, 'package.json'),
    JSON.stringify({ name: 'rackpower-demo', private: true, dependencies: { 'node-red-contrib-rackpower': 'file:..' } }, null, 2) + '\n',
  );
  const link = path.join(userDir, 'node_modules', 'node-red-contrib-rackpower');
  rmSync(link, { force: true }); // removes the link itself, never the project it points to
  symlinkSync(root, link, 'dir');
  // FlowFuse Dashboard 2.0 (a devDependency) the same way, so the dashboard example deploys without missing types.
  const dashboard = path.join(userDir, 'node_modules', '@flowfuse', 'node-red-dashboard');
  mkdirSync(path.dirname(dashboard), { recursive: true });
  // One the user installed from the palette into .node-red/ stays; only our own link is renewed.
  const own = !existsSync(dashboard) || lstatSync(dashboard).isSymbolicLink();
  if (own) {
    rmSync(dashboard, { force: true });
    try {
      symlinkSync(path.dirname(require.resolve('@flowfuse/node-red-dashboard/package.json')), dashboard, 'dir');
    } catch {
      console.log('FlowFuse Dashboard 2.0 is not installed (npm install without dev dependencies?): the dashboard example needs it.');
    }
  }
  // The user's edits to the flow survive restarts; delete .node-red/flows.json to get the example back.
  const flows = path.join(userDir, 'flows.json');
  const portsFile = path.join(userDir, 'rackpower-sim-ports.json');
  if (!existsSync(flows)) {
    copyFileSync(EXAMPLE, flows);
    rmSync(portsFile, { force: true });
    const credentials = {};
    for (const n of JSON.parse(readFileSync(EXAMPLE, 'utf8'))) {
      if (n.type === 'rackpower-snmp-endpoint') credentials[n.id] = { community: 'public' };
    }
    writeFileSync(path.join(userDir, 'flows_cred.json'), JSON.stringify(credentials, null, 2) + '\n');
  }
  // The flow's simulator nodes follow the simulator to other ports (and back), leaving everything else as it is.
  const before = existsSync(portsFile) ? JSON.parse(readFileSync(portsFile, 'utf8')) : EXAMPLE_SIM_PORTS;
  if (before.join() !== SIM_PORTS.join()) {
    const nodes = JSON.parse(readFileSync(flows, 'utf8'));
    for (const n of nodes) {
      const i = before.indexOf(Number(n.port));
      if (i >= 0 && n.host === '127.0.0.1' && /^rackpower-(snmp-endpoint|modbus-connection|nut-server)$/u.test(n.type)) n.port = String(SIM_PORTS[i]);
    }
    writeFileSync(flows, JSON.stringify(nodes, null, 4) + '\n');
  }
  writeFileSync(portsFile, JSON.stringify(SIM_PORTS) + '\n');
}

