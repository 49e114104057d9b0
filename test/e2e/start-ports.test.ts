// `npm start`'s ports: changeable (--port, --sim-port, PORT, RACKPOWER_SIM_PORT), checked before anything starts,
// and a taken one named in one clear sentence, never a stack trace. Runs scripts/start.mjs itself on ports the OS
// says are free (never the fixed defaults); each case here ends before a Node-RED or a simulator is started.
import dgram from 'node:dgram';
import net from 'node:net';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, ROOT } from '../harness/build';
import { freeTcpPort, freeUdpPort } from '../harness/ports';
import { run, type Result } from '../harness/process';

const START = path.join(ROOT, 'scripts', 'start.mjs');
const held: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (held.length) await held.pop()!();
});

function holdTcp(port: number): Promise<void> {
  const server = net.createServer();
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      held.push(() => new Promise((done) => server.close(() => done())));
      resolve();
    });
  });
}

function holdUdp(port: number): Promise<void> {
  const socket = dgram.createSocket('udp4');
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, '127.0.0.1', () => {
      held.push(() => new Promise((done) => socket.close(() => done())));
      resolve();
    });
  });
}

/** A base port whose two UDP and one TCP successors are free now. */
async function freeSimBase(): Promise<number> {
  for (;;) {
    const base = await freeUdpPort();
    if (base > 65_000) continue;
    const ok = await Promise.all([
      new Promise<boolean>((resolve) => {
        const s = dgram.createSocket('udp4');
        s.once('error', () => resolve(false));
        s.bind(base + 1, '127.0.0.1', () => s.close(() => resolve(true)));
      }),
      new Promise<boolean>((resolve) => {
        const s = net.createServer();
        s.once('error', () => resolve(false));
        s.listen(base + 2, '127.0.0.1', () => s.close(() => resolve(true)));
      }),
    ]);
    if (ok.every(Boolean)) return base;
  }
}

/** start.mjs with these arguments and environment; killed after 20 s (a start that went ahead instead of refusing). */
const start = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<Result> => {
  const clean = { ...process.env };
  delete clean.PORT;
  delete clean.RACKPOWER_SIM_PORT;
  return run(process.execPath, [START, ...args], { ...clean, ...env }, 20_000);
};

/** Refused: exit 1, a short reason on stderr naming what to do, no stack trace, nothing started. */
function refused(r: Result): string {
  expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(1);
  expect(r.stdout).not.toContain('Node-RED editor');
  expect(r.stderr).toMatch(/^npm start: /);
  expect(r.stderr).not.toMatch(/^\s+at |EADDRINUSE|Error:/m);
  return r.stderr;
}

beforeAll(() => ensureBuilt(), 180_000);

describe('npm start with its ports taken', () => {
  it('names the editor port that is taken, and how to choose another', async () => {
    const port = await freeTcpPort();
    await holdTcp(port);
    const text = refused(await start(['--port', String(port), '--sim-port', String(await freeSimBase())]));
    expect(text).toContain(`TCP port ${port} (the Node-RED editor) is in use by another program`);
    expect(text).toContain('npm start -- --port');
  });

  it('PORT and RACKPOWER_SIM_PORT choose the ports too; a taken simulator port is named with its device', async () => {
    const base = await freeSimBase();
    await holdUdp(base + 1);
    await holdTcp(base + 2);
    const text = refused(await start([], { PORT: String(await freeTcpPort()), RACKPOWER_SIM_PORT: String(base) }));
    expect(text).toContain(`UDP port ${base + 1} (the simulated PDU (SNMP)) is in use`);
    expect(text).toContain(`TCP port ${base + 2} (the simulated Modbus TCP gateway) is in use`);
    expect(text).not.toContain(`port ${base} `);
    expect(text).toContain('--sim-port');
  });

  it('refuses a port that is not one, with the usage', async () => {
    for (const args of [['--port', 'abc'], ['--sim-port', '70000'], ['--bogus']]) {
      const text = refused(await start(args));
      expect(text).toContain('usage: npm start');
    }
  });

  it('--help prints the options and exits 0', async () => {
    const r = await start(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--sim-port BASE');
    expect(r.stdout).toContain('PORT=N');
  });
});
