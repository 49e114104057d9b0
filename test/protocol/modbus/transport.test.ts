// ModbusTransport against real Modbus servers on loopback: modbus-serial's ServerTCP, a raw TCP server for malformed
// replies, and ServerSerial over a socat pty pair for RTU.
// @module-tag peer: socat
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { ServerSerial, type ServerTCP } from 'modbus-serial';
import { afterEach, describe, expect, it } from 'vitest';
import { RackpowerError } from '../../../src/errors';
import { ModbusTransport } from '../../../src/protocol/modbus/transport';
import { startModbusServer, vectorFor, type Answer } from '../../harness/modbus-server';
import { freeTcpPort as freePort } from '../../harness/ports';

/** Register value = unit × 1000 + address (16 bits), so a reply proves which unit and address it came from. */
const echo: Answer = async (_fn, unit, address, count) =>
  Array.from({ length: count }, (_, i) => (unit * 1000 + address + i) & 0xffff);
const expected = (unit: number, address: number, count: number) => echo(4, unit, address, count);
const never = () => new Promise<number[]>(() => undefined);
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, what: string, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await delay(10);
  }
}

// Everything a test opens is closed after it, pass or fail.
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startTcpServer(answer: Answer): Promise<{ server: ServerTCP; port: number }> {
  const started = await startModbusServer(answer);
  cleanups.push(() => started.close());
  return started;
}

function tcpTransport(port: number, options: { timeoutMs?: number; maxQueue?: number } = {}): ModbusTransport {
  const transport = new ModbusTransport({ kind: 'tcp', host: '127.0.0.1', port, ...options });
  cleanups.push(() => transport.close());
  return transport;
}

async function rejection(promise: Promise<unknown>): Promise<RackpowerError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RackpowerError);
  return err as RackpowerError;
}

describe('ModbusTransport over TCP', () => {
  it('reads holding and input registers of several units over one connection, lazily connected', async () => {
    const { server, port } = await startTcpServer(async (fn, unit, address, count) =>
      (await echo(fn, unit, address, count)).map((r) => (fn === 3 ? r + 500 : r)),
    );
    const transport = tcpTransport(port);
    expect(transport.describe()).toBe(`modbus-tcp://127.0.0.1:${port}`);
    await delay(20);
    expect(server.socks.size).toBe(0); // nothing opened before the first read
    expect(await transport.read(1, 4, 10, 3)).toEqual([1010, 1011, 1012]);
    expect(await transport.read(2, 3, 0, 1)).toEqual([2500]);
    expect(await transport.read(7, 4, 65534, 2)).toEqual(await expected(7, 65534, 2));
    expect(transport.requestCount).toBe(3);
    expect(server.socks.size).toBe(1);
  });

  it('keeps exactly one request in flight, in FIFO order', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const seen: number[] = [];
    const { port } = await startTcpServer(async (fn, unit, address, count) => {
      seen.push(address);
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await delay(15);
      inFlight--;
      return echo(fn, unit, address, count);
    });
    const transport = tcpTransport(port);
    const reads = Array.from({ length: 8 }, (_, i) => transport.read(1 + (i % 3), 4, i * 10, 2));
    const results = await Promise.all(reads);
    expect(results).toEqual(await Promise.all(Array.from({ length: 8 }, (_, i) => expected(1 + (i % 3), i * 10, 2))));
    expect(maxInFlight).toBe(1);
    expect(seen).toEqual([0, 10, 20, 30, 40, 50, 60, 70]);
  });

  it('times out a dead unit id without failing the others; the timed-out connection is replaced, not reused', async () => {
    const { server, port } = await startTcpServer((fn, unit, address, count) => (unit === 9 ? never() : echo(fn, unit, address, count)));
    const transport = tcpTransport(port, { timeoutMs: 300 });
    expect(await transport.read(1, 4, 0, 1)).toEqual([1000]);
    const socket = [...server.socks.keys()][0];

    const started = Date.now();
    const dead = transport.read(9, 4, 0, 1);
    const alive = transport.read(2, 4, 5, 1).then((r) => ({ r, at: Date.now() - started }));
    const err = await rejection(dead);
    expect(err.code).toBe('TIMEOUT');
    expect(err.message).toBe(`modbus-tcp://127.0.0.1:${port} unit 9: no answer within 300 ms`);
    const { r, at } = await alive;
    expect(r).toEqual([2005]);
    expect(at).toBeLessThan(300 + 200); // waited for unit 9's timeout only

    // A late reply for unit 9 could still come down the old stream: it was dropped and a fresh one carries the rest.
    await until(() => socket.destroyed, 'the timed-out connection to close');
    expect(server.socks.size).toBe(1);
    expect([...server.socks.keys()][0]).not.toBe(socket);
    expect(await transport.read(1, 4, 1, 1)).toEqual([1001]);
    expect(transport.faults()).toMatchObject({ timeouts: 1, resyncs: 1 });
  });

  it('reports a Modbus exception by its name', async () => {
    const { port } = await startTcpServer(() => Promise.reject(Object.assign(new Error('no such register'), { modbusErrorCode: 2 })));
    const transport = tcpTransport(port);
    const err = await rejection(transport.read(1, 3, 4000, 2));
    expect(err.code).toBe('PROTOCOL');
    expect(err.message).toBe(`modbus-tcp://127.0.0.1:${port} unit 1: Modbus exception 2: illegal data address`);
  });

  it('reports a reply of the wrong length as PROTOCOL', async () => {
    // A raw server that answers every read with one register fewer than asked for.
    const raw = net.createServer((sock) =>
      sock.on('data', (req) => {
        const count = req.readUInt16BE(10) - 1;
        const reply = Buffer.alloc(9 + count * 2);
        req.copy(reply, 0, 0, 4); // transaction and protocol id
        reply.writeUInt16BE(3 + count * 2, 4);
        reply.writeUInt8(req[6], 6);
        reply.writeUInt8(req[7], 7);
        reply.writeUInt8(count * 2, 8);
        sock.write(reply);
      }),
    );
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => raw.close(resolve)));
    const transport = tcpTransport((raw.address() as AddressInfo).port);
    const err = await rejection(transport.read(1, 4, 0, 4));
    expect(err.code).toBe('PROTOCOL');
    expect(err.message).toBe(`modbus-tcp://127.0.0.1:${(raw.address() as AddressInfo).port} unit 1: byte count 6 where 8 was asked for`);
  });

  it('reports a refused connection as UNREACHABLE in one line', async () => {
    const port = await freePort(); // nothing listens there any more
    const transport = tcpTransport(port);
    const err = await rejection(transport.read(1, 4, 0, 1));
    expect(err.code).toBe('UNREACHABLE');
    expect(err.message).toBe(`modbus-tcp://127.0.0.1:${port}: connection refused`);
  });

  it('fails the request in flight when the device drops the connection, and reconnects on the next read', async () => {
    let drop = false;
    const { server, port } = await startTcpServer(async (fn, unit, address, count) => {
      if (drop) {
        drop = false;
        for (const sock of server.socks.keys()) sock.destroy();
        return never();
      }
      return echo(fn, unit, address, count);
    });
    const transport = tcpTransport(port, { timeoutMs: 1500 });
    expect(await transport.read(1, 4, 0, 1)).toEqual([1000]);
    drop = true;
    const started = Date.now();
    const err = await rejection(transport.read(1, 4, 0, 1));
    expect(err.code).toBe('UNREACHABLE');
    expect(Date.now() - started).toBeLessThan(1000); // not left to its timeout
    expect(await transport.read(3, 4, 2, 1)).toEqual([3002]);
  });

  it('refuses requests beyond maxQueue', async () => {
    const { port } = await startTcpServer(async (fn, unit, address, count) => {
      await delay(30);
      return echo(fn, unit, address, count);
    });
    const transport = tcpTransport(port, { maxQueue: 2 });
    const accepted = [transport.read(1, 4, 0, 1), transport.read(1, 4, 1, 1), transport.read(1, 4, 2, 1)]; // 1 in flight, 2 waiting
    const err = await rejection(transport.read(1, 4, 3, 1));
    expect(err.code).toBe('PROTOCOL');
    expect(err.message).toBe(`queue full (2 requests waiting) on modbus-tcp://127.0.0.1:${port}`);
    expect(await Promise.all(accepted)).toEqual([[1000], [1001], [1002]]);
  });

  it('refuses requests the protocol cannot carry', async () => {
    const transport = tcpTransport(1);
    expect((await rejection(transport.read(1, 4, 0, 126))).code).toBe('CONFIG');
    expect((await rejection(transport.read(256, 4, 0, 1))).code).toBe('CONFIG');
    expect((await rejection(transport.read(1, 4, 65535, 2))).code).toBe('CONFIG');
  });

  it('close() fails queued requests, closes the socket, leaves no handle or timer, and is idempotent', async () => {
    const handles = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'Timeout').length;
    await delay(20); // libuv releases the handles of the previous test's sockets a turn after their 'close'
    const before = handles();
    const { server, port } = await startTcpServer((fn, unit, address, count) => (address === 0 ? echo(fn, unit, address, count) : never()));
    const transport = new ModbusTransport({ kind: 'tcp', host: '127.0.0.1', port, timeoutMs: 5000 });
    expect(await transport.read(1, 4, 0, 1)).toEqual([1000]);
    const pending = [transport.read(1, 4, 1, 1), transport.read(1, 4, 2, 1)];
    const settled = Promise.allSettled(pending);
    await delay(20);

    await transport.close();
    for (const result of await settled) {
      expect(result.status).toBe('rejected');
      expect((result as PromiseRejectedResult).reason).toMatchObject({ code: 'UNREACHABLE', message: `modbus-tcp://127.0.0.1:${port}: transport closed` });
    }
    await until(() => server.socks.size === 0, 'the server to see the socket close');
    await transport.close();
    expect((await rejection(transport.read(1, 4, 0, 1))).message).toMatch(/transport closed/);
    await delay(10);
    expect(handles()).toBe(before); // no socket, no request timer
  });
});

/** Two linked pseudo-terminals: a serial line on which ServerSerial plays the devices. */
async function startPtyPair(): Promise<{ a: string; b: string }> {
  const tag = Math.random().toString(36).slice(2, 10);
  const a = `/tmp/rp-ptyA-${tag}`;
  const b = `/tmp/rp-ptyB-${tag}`;
  const socat: ChildProcess = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => socat.once('exit', () => resolve()));
  const failed = new Promise<never>((_, reject) =>
    socat.once('error', (err: NodeJS.ErrnoException) =>
      reject(new Error(err.code === 'ENOENT' ? 'socat is required for the RTU test: apt-get install socat' : `socat: ${err.message}`)),
    ),
  );
  cleanups.push(async () => {
    if (socat.exitCode === null && socat.pid !== undefined) {
      socat.kill('SIGTERM');
      await exited;
    }
  });
  await Promise.race([failed, until(() => existsSync(a) && existsSync(b), 'socat to create its ptys', 5000)]);
  return { a, b };
}

describe('ModbusTransport over RTU', () => {
  it('shares one bus between units; a dead unit id costs only its own timeout', async () => {
    const { a, b } = await startPtyPair();
    const answer: Answer = (fn, unit, address, count) => (unit === 9 ? never() : echo(fn, unit, address, count));
    // interval: the silence that ends a frame at the server (its default, 30 ms, is longer than 3.5 characters needs).
    const options = { path: a, baudRate: 9600, interval: 5 } as ConstructorParameters<typeof ServerSerial>[1];
    const server = new ServerSerial(vectorFor(answer), options);
    server.on('error', () => undefined);
    await new Promise((resolve) => server.on('initialized', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));

    const transport = new ModbusTransport({ kind: 'rtu', path: b, baudRate: 9600, parity: 'none', stopBits: 1, dataBits: 8, timeoutMs: 400 });
    cleanups.push(() => transport.close());
    expect(transport.describe()).toBe(`modbus-rtu:${b}?baud=9600`);
    expect(await transport.read(1, 4, 1, 2)).toEqual([1001, 1002]);

    const started = Date.now();
    const at = <T>(p: Promise<T>) => p.then((r) => ({ r, ms: Date.now() - started }));
    const one = at(transport.read(1, 4, 0, 2));
    const dead = transport.read(9, 4, 0, 2);
    const two = at(transport.read(2, 3, 7, 1));
    expect((await one).r).toEqual([1000, 1001]);
    expect((await one).ms).toBeLessThan(400);
    const err = await rejection(dead);
    expect(err.code).toBe('TIMEOUT');
    expect(err.message).toBe(`modbus-rtu:${b}?baud=9600 unit 9: no answer within 400 ms`);
    expect((await two).r).toEqual([2007]);
    expect((await two).ms).toBeLessThan(400 + 400); // queued behind unit 9's timeout, nothing more
    expect(await transport.read(1, 4, 3, 1)).toEqual([1003]); // the bus still works
  });

  it('reports a missing serial port as UNREACHABLE', async () => {
    const path = `/tmp/rp-missing-${process.pid}`;
    const transport = new ModbusTransport({ kind: 'rtu', path, baudRate: 9600, parity: 'none', stopBits: 1, dataBits: 8 });
    cleanups.push(() => transport.close());
    const err = await rejection(transport.read(1, 4, 0, 1));
    expect(err.code).toBe('UNREACHABLE');
    expect(err.message).toBe(`modbus-rtu:${path}?baud=9600: No such file or directory, cannot open ${path}`);
  });
});
