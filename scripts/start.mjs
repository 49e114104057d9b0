#!/usr/bin/env node
// `npm start`: the demo without hardware or network. Starts the simulated rack (scenarios/demo.json) on fixed
// loopback ports, prepares a Node-RED user dir .node-red/ (git-ignored) with this package installed by symlink and
// examples/flows/simulated-rack.json as its flow, runs Node-RED as a child, and stops both on Ctrl-C.
//   SNMP UPS 127.0.0.1:16161, SNMP PDU :16162, Modbus TCP :16163 (sensor unit 1, meter unit 2),
//   the UPS again as a NUT server :16164 (UPS `ups`, user admin/admin) and as apcupsd's NIS :16165
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const at = (...p) => path.join(root, ...p);
const require = createRequire(import.meta.url);
const userDir = at('.node-red');
const EDITOR = 'http://127.0.0.1:1880';
// The simulator gives SNMP devices consecutive ports from the base, then one Modbus TCP port for all Modbus units.
const BASE_PORT = 16161;
const EXAMPLE = at('examples', 'flows', 'simulated-rack.json');

if (!existsSync(at('dist', 'nodes', 'ups.js')) || !existsSync(at('dist', 'src', 'sim', 'rack.js'))) {
  const build = spawnSync(process.execPath, [at('scripts', 'build.mjs')], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const { startRack } = require(at('dist', 'src', 'sim', 'rack.js'));
const { loadScenario } = require(at('dist', 'src', 'sim', 'scenario.js'));
// control: the demo PDU and UPS accept SETs, so the power-cycle and shutdown examples work against them.
// upsServers: the UPS also as a USB UPS is served (NUT, apcupsd), for examples/flows/nut-usb-ups.json.
const rack = await startRack(loadScenario('demo'), { basePort: BASE_PORT, control: true, upsServers: true });
console.log('Simulated rack (scenarios/demo.json):');
for (const d of [...rack.devices, ...rack.servers]) console.log(`  ${d.name.padEnd(8)} ${d.kind.padEnd(7)} ${d.url}`);

prepareUserDir();

const red = spawn(process.execPath, [at('node_modules', 'node-red', 'red.js'), '-u', userDir], { stdio: 'inherit' });
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
    uiPort: 1880,
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
  // The user's edits to the flow survive restarts; delete .node-red/flows.json to get the example back.
  const flows = path.join(userDir, 'flows.json');
  if (!existsSync(flows)) {
    copyFileSync(EXAMPLE, flows);
    const credentials = {};
    for (const n of JSON.parse(readFileSync(EXAMPLE, 'utf8'))) {
      if (n.type === 'rackpower-snmp-endpoint') credentials[n.id] = { community: 'public' };
    }
    writeFileSync(path.join(userDir, 'flows_cred.json'), JSON.stringify(credentials, null, 2) + '\n');
  }
}

