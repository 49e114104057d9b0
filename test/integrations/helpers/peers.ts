// The real servers the integration tests talk to, started by the tests on free loopback ports with temporary
// configs and data directories, and killed after: Mosquitto (MQTT 5), InfluxDB 1.x, and promtool to lint metrics.
// All are Debian packages (mosquitto, influxdb, prometheus); a missing one fails the test with the package to install.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freeTcpPort } from '../../harness/ports';

/** A program from PATH or the sbin folders (mosquitto is in /usr/sbin, outside a normal user's PATH). */
export function findProgram(name: string, debianPackage: string): string {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/sbin', '/usr/bin'];
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  throw new Error(`${name} not found: install the Debian package "${debianPackage}" (apt-get install -y ${debianPackage}); this test needs the real ${name}`);
}

export interface Peer {
  port: number;
  /** Kills the process and removes its temporary directory. */
  stop(): Promise<void>;
}

async function waitForPort(port: number, child: ChildProcess, what: string, output: () => string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}: ${output()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`${what} did not listen on ${port}: ${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function stopper(child: ChildProcess, dir: string): () => Promise<void> {
  return async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
}

function start(program: string, args: string[], dir: string): { child: ChildProcess; output: () => string } {
  const child = spawn(program, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout!.on('data', (b: Buffer) => (text = (text + b.toString()).slice(-4000)));
  child.stderr!.on('data', (b: Buffer) => (text = (text + b.toString()).slice(-4000)));
  return { child, output: () => text };
}

/** Mosquitto on 127.0.0.1:<free port>, anonymous, no persistence: every test run starts with an empty broker. */
export async function startMosquitto(): Promise<Peer> {
  const program = findProgram('mosquitto', 'mosquitto');
  for (let attempt = 0; ; attempt++) {
    const port = await freeTcpPort();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'rackpower-mosquitto-'));
    const conf = path.join(dir, 'mosquitto.conf');
    writeFileSync(conf, [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', 'log_dest stderr', 'log_type error', ''].join('\n'));
    const { child, output } = start(program, ['-c', conf], dir);
    try {
      await waitForPort(port, child, 'mosquitto', output);
      return { port, stop: stopper(child, dir) };
    } catch (err) {
      await stopper(child, dir)();
      // Another process may have taken the free port between the check and the listen.
      if (attempt >= 3) throw err;
    }
  }
}

/** InfluxDB 1.x (Debian's influxd) with its data in a temporary directory, HTTP API on a free loopback port. */
export async function startInfluxd(): Promise<Peer> {
  const program = findProgram('influxd', 'influxdb');
  for (let attempt = 0; ; attempt++) {
    const [port, rpc] = [await freeTcpPort(), await freeTcpPort()];
    const dir = mkdtempSync(path.join(os.tmpdir(), 'rackpower-influxd-'));
    const conf = path.join(dir, 'influxdb.conf');
    writeFileSync(
      conf,
      `reporting-disabled = true
bind-address = "127.0.0.1:${rpc}"
[meta]
  dir = "${dir}/meta"
[data]
  dir = "${dir}/data"
  wal-dir = "${dir}/wal"
  query-log-enabled = false
[monitor]
  store-enabled = false
[continuous_queries]
  enabled = false
[http]
  enabled = true
  bind-address = "127.0.0.1:${port}"
  log-enabled = false
`,
    );
    const { child, output } = start(program, ['-config', conf], dir);
    try {
      await waitForPort(port, child, 'influxd', output, 30_000);
      return { port, stop: stopper(child, dir) };
    } catch (err) {
      await stopper(child, dir)();
      if (attempt >= 3) throw err;
    }
  }
}

/** `promtool check metrics` on a scrape page: its complaints, empty when the page is clean. */
export function promtoolCheck(page: string): { status: number | null; output: string } {
  const program = findProgram('promtool', 'prometheus');
  const r = spawnSync(program, ['check', 'metrics'], { input: page, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}`.trim() };
}
