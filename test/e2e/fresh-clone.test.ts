// The README's first command from a fresh clone of the committed HEAD (only what is committed: that is the point):
// `npm install` and `npm start` (which builds: there is no `prepare` script to ship), which must bring up the
// simulated rack and a Node-RED with the example flow deployed and reading, and stop cleanly on Ctrl-C.
//
// npm start's ports are moved to ones the OS says are free (PORT, RACKPOWER_SIM_PORT), so the test never meets a
// developer's own npm start on the defaults (Node-RED 1880, SNMP UDP 16161 and 16162, Modbus TCP 16163, NUT 16164 and
// apcupsd NIS 16165).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeTcpPort, freeUdpPort } from '../harness/ports';
import { NODE_TYPES, PACKAGE, ROOT, npmEnv, portInUse, runOk, until } from './harness';

let EDITOR = '';
let PORTS: Array<['tcp' | 'udp', number, string]> = [];
let startEnv: NodeJS.ProcessEnv = {};
const busy = (): string[] => PORTS.filter(([proto, port]) => portInUse(proto, port)).map(([proto, port, what]) => `${proto} ${port} (${what})`);

/** Ports for the editor and the simulator (base, base+1 UDP; base+2 to base+4 TCP) that are free now. */
async function choosePorts(): Promise<void> {
  const editor = await freeTcpPort();
  let base = await freeUdpPort();
  const taken = (b: number): boolean => [2, 3, 4].some((i) => portInUse('tcp', b + i) || b + i === editor);
  while (base > 65_000 || portInUse('udp', base + 1) || taken(base)) base = await freeUdpPort();
  EDITOR = `http://127.0.0.1:${editor}`;
  PORTS = [
    ['tcp', editor, 'Node-RED editor'],
    ['udp', base, 'simulated UPS (SNMP)'],
    ['udp', base + 1, 'simulated PDU (SNMP)'],
    ['tcp', base + 2, 'simulated Modbus TCP gateway'],
    ['tcp', base + 3, 'simulated UPS (NUT server)'],
    ['tcp', base + 4, 'simulated UPS (apcupsd NIS)'],
  ];
  startEnv = { ...npmEnv(), PORT: String(editor), RACKPOWER_SIM_PORT: String(base) };
}

const work = mkdtempSync(path.join(os.tmpdir(), 'rackpower-clone-'));
const clone = path.join(work, 'clone');
let start: ChildProcess | undefined;
let output = '';
let exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

/** Whether any process of `npm start`'s process group (npm, start.mjs, Node-RED) is still alive. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function get(urlPath: string): Promise<{ status: number; body: unknown } | undefined> {
  try {
    const res = await fetch(EDITOR + urlPath, { headers: { Accept: 'application/json' }, signal: AbortSignal.timeout(5000) });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, body };
  } catch {
    return undefined;
  }
}

describe('a fresh clone: npm install && npm start', { timeout: 300_000 }, () => {
  beforeAll(async () => {
    await choosePorts();
    await runOk('git clone', 'git', ['clone', '--quiet', ROOT, clone], { timeoutMs: 120_000 });
    await runOk('npm install in the fresh clone', 'npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], {
      cwd: clone,
      env: npmEnv(),
      timeoutMs: 240_000,
    });
    // No `prepare`: npm install leaves the build to npm start (the published package carries no build script).
    expect(existsSync(path.join(clone, 'dist', '.build-stamp')), 'npm install built: is a prepare script back?').toBe(false);
  }, 300_000);

  afterAll(async () => {
    // Whatever happened above, nothing of npm start outlives the test.
    if (start?.pid && groupAlive(start.pid)) {
      process.kill(-start.pid, 'SIGKILL');
      await until(() => !groupAlive(start!.pid!), 5000);
    }
    rmSync(work, { recursive: true, force: true });
  }, 120_000);

  it('starts the simulated rack and Node-RED with the example flow deployed and reading', async () => {
    // Its own process group, like a terminal's foreground job: Ctrl-C below reaches npm, start.mjs and Node-RED.
    start = spawn('npm', ['start'], { cwd: clone, env: startEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    start.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    start.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    exit = new Promise((resolve) => start!.once('exit', (code, signal) => resolve({ code, signal })));
    const ended = (): boolean => start!.exitCode !== null || start!.signalCode !== null;

    expect(await until(() => output.includes(`Node-RED editor: ${EDITOR}`) || ended(), 240_000), output).toBe(true);
    expect(ended(), `npm start ended early:\n${output}`).toBe(false);
    for (const device of ['ups', 'pdu', 'sensor', 'meter']) expect(output).toMatch(new RegExp(`^\\s+${device}\\s`, 'm'));

    // Node-RED answers with the example flow (the user dir is new in a fresh clone).
    let flows: Array<{ id: string; type: string }> = [];
    const deadline = Date.now() + 60_000;
    while (!flows.some((n) => n.type === 'rackpower-ups') && Date.now() < deadline && !ended()) {
      const r = await get('/flows');
      if (r?.status === 200 && Array.isArray(r.body)) flows = r.body as typeof flows;
      else await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(flows.map((n) => n.type), output).toEqual(expect.arrayContaining(['rackpower-ups', 'rackpower-pdu', 'rackpower-sensor', 'rackpower-meter']));
    const sets = (await get('/nodes'))?.body as Array<{ module: string; enabled: boolean; err?: unknown; types: string[] }>;
    const ours = sets.filter((s) => s.module === PACKAGE);
    expect(ours).toHaveLength(NODE_TYPES.length);
    expect(ours.filter((s) => s.err || !s.enabled)).toEqual([]);
    // The dashboard example imports without "missing types": npm start brings FlowFuse Dashboard 2.0 along.
    const registered = new Set(sets.filter((s) => s.enabled && !s.err).flatMap((s) => s.types));
    const dashboardExample = JSON.parse(readFileSync(path.join(clone, 'examples', 'flows', 'dashboard-simulated-rack.json'), 'utf8')) as Array<{ type: string }>;
    const missing = [...new Set(dashboardExample.map((n) => n.type))].filter((t) => t !== 'tab' && !registered.has(t));
    expect(missing, 'types the dashboard example needs that the demo lacks').toEqual([]);

    // The demo does what the README says: the device nodes read the simulator (a green status under each).
    const WebSocket = createRequire(path.join(clone, 'node_modules', 'node-red', 'red.js'))('ws');
    const ws = new WebSocket(`${EDITOR.replace('http', 'ws')}/comms`);
    const statuses = new Map<string, string>();
    ws.on('message', (raw: Buffer) => {
      try {
        for (const m of JSON.parse(raw.toString()) as Array<{ topic: string; data: { fill?: string } }>) {
          if (m.topic.startsWith('status/') && m.data?.fill) statuses.set(m.topic.slice('status/'.length), m.data.fill);
        }
      } catch {
        // not ours
      }
    });
    await new Promise<void>((resolve, reject) => {
      ws.on('open', () => resolve());
      ws.on('error', reject);
    });
    ws.send(JSON.stringify({ subscribe: 'status/#' }));
    const devices = flows.filter((n) => /^rackpower-(ups|pdu|sensor|meter)$/.test(n.type)).map((n) => n.id);
    const green = await until(() => devices.every((id) => statuses.get(id) === 'green'), 30_000);
    ws.terminate();
    expect(green, `statuses ${JSON.stringify([...statuses])}\n${output}`).toBe(true);
    expect(output).not.toMatch(/\[error\]/);
  });

  it('stops on Ctrl-C: exits 0 and frees its ports', async () => {
    expect(start?.pid, 'npm start did not run').toBeDefined();
    const pgid = start!.pid!;
    process.kill(-pgid, 'SIGINT');
    const timer = setTimeout(() => groupAlive(pgid) && process.kill(-pgid, 'SIGKILL'), 15_000);
    const result = await exit;
    clearTimeout(timer);
    // npm re-raises the signal its script's shell died of, as after Ctrl-C in a terminal (status 130): that, or 0.
    expect([JSON.stringify({ code: 0, signal: null }), JSON.stringify({ code: null, signal: 'SIGINT' })], output).toContain(JSON.stringify(result));
    // start.mjs waits for Node-RED and closes the rack before it exits; npm may be first to go, the rest must follow.
    expect(await until(() => !groupAlive(pgid), 10_000), 'processes of npm start still running').toBe(true);
    expect(await until(() => busy().length === 0, 5000), `still taken: ${busy().join(', ')}`).toBe(true);
    expect(output).toContain('Stopped flows');
    const afterStop = output.slice(output.lastIndexOf('Stopped flows'));
    expect(afterStop, 'errors while stopping').not.toMatch(/error|exception|unhandled/i);
  });
});
