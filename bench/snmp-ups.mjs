// A second real peer: NUT's snmp-ups driver (Debian's nut-snmp) polling the first few simulated UPS of the UPS
// pairs, each driver through a UDP relay in this process that counts its requests and its polls. The drivers poll
// on their own clock, so they are stopped (SIGSTOP) outside their windows and continued (SIGCONT) for them; their CPU
// time comes from /proc/<pid>/task/*/schedstat (nanoseconds on the CPU, all threads), so a few dozen polls give an
// exact figure where /proc's 10 ms ticks would not.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** upsOutputSource: the ietf MIB's ups.status source, asked once in every poll (a full poll with pollfreq = interval). */
const POLL_OID = '1.3.6.1.2.1.33.1.4.1.0';

/** Why the driver cannot run here, or null when it can. */
export function snmpUpsProblem(binary) {
  if (!existsSync(binary)) return `${binary} is not installed (apt-get install nut-snmp)`;
  if (process.getuid?.() !== 0) return 'NUT drivers drop privileges to a user of their own unless started as root with -u root: run the bench as root';
  return null;
}

/**
 * Starts one driver per device (RFC 1628 UPS), each with `-s` (no ups.conf), its own state directory, poll interval
 * and pollfreq = the bench rate, v2c, the bench's timeout and retries. Resolves once every driver has polled once,
 * with the drivers stopped; `window(seconds)` continues them for one window and returns its figures.
 */
export async function startSnmpUps(binary, devices, { community, intervalS, timeoutMs, retries }) {
  const { startUdpProxy } = require('../dist/src/fuzz/udp-proxy.js');
  const { decodeMessage, oidText } = require('../dist/src/fuzz/ber.js');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rackpower-bench-nut-'));
  const env = { ...process.env, NUT_STATEPATH: dir, NUT_CONFPATH: dir, NUT_ALTPIDPATH: dir };
  const count = { requests: 0, polls: 0 };
  const pollsOf = [];
  const drivers = [];
  const stop = async () => {
    for (const d of drivers) {
      d.child.kill('SIGCONT');
      d.child.kill('SIGTERM');
    }
    await Promise.all(drivers.map((d) => (d.child.exitCode === null && d.child.signalCode === null ? new Promise((r) => d.child.once('exit', r)) : null)));
    await Promise.all(drivers.map((d) => d.relay.close()));
    rmSync(dir, { recursive: true, force: true });
  };
  for (const [i, device] of devices.entries()) {
    const url = new URL(device.url);
    pollsOf[i] = 0;
    const relay = await startUdpProxy(
      { host: url.hostname, port: Number(url.port) },
      {
        intercept(request) {
          count.requests++;
          try {
            if (decodeMessage(request).varbinds.some((vb) => oidText(vb.oid) === POLL_OID)) {
              count.polls++;
              pollsOf[i]++;
            }
          } catch {
            // not for us to judge: it is forwarded as it is
          }
          return undefined;
        },
      },
    );
    const args = ['-s', `bench${i + 1}`, '-F', '-u', 'root', '-i', String(intervalS)];
    const settings = { port: `127.0.0.1:${relay.port}`, mibs: 'ietf', snmp_version: 'v2c', community, pollfreq: intervalS, snmp_timeout: Math.max(1, Math.round(timeoutMs / 1000)), snmp_retries: retries };
    for (const [k, v] of Object.entries(settings)) args.push('-x', `${k}=${v}`);
    const child = spawn(binary, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    const driver = { child, relay, stderr: '', exit: null };
    child.stderr.on('data', (b) => (driver.stderr = (driver.stderr + b).slice(-2000)));
    child.once('exit', (code, signal) => (driver.exit = signal ?? `exit ${code}`));
    drivers.push(driver);
  }
  const deadline = Date.now() + 30_000;
  while (pollsOf.some((n) => n === 0) && Date.now() < deadline && drivers.every((d) => !d.exit)) await sleep(100);
  if (pollsOf.some((n) => n === 0)) {
    const silent = drivers.find((d, i) => pollsOf[i] === 0);
    await stop();
    throw new Error(`snmp-ups did not poll (${silent.exit ?? 'still running'}): ${lastLines(silent.stderr)}`);
  }
  for (const d of drivers) d.child.kill('SIGSTOP');
  const version = spawnSync(binary, ['-V'], { encoding: 'utf8' }).stdout.split('\n').find((l) => l.trim())?.trim();
  return {
    version,
    drivers: drivers.length,
    stop,
    /** A window's figures; drivers that exited since are left out and named, and with none left it is an error. */
    async window(seconds) {
      const gone = drivers.filter((d) => d.exit);
      if (gone.length === drivers.length) return { error: `every snmp-ups driver exited (${gone[0].exit}): ${lastLines(gone[0].stderr)}` };
      const running = drivers.filter((d) => !d.exit);
      for (const d of running) d.child.kill('SIGCONT');
      await sleep(500);
      const cpu0 = cpuNs(running);
      const c0 = { ...count };
      const t0 = performance.now();
      await sleep(seconds * 1000);
      const cpuMs = (cpuNs(running) - cpu0) / 1e6;
      const windowS = (performance.now() - t0) / 1000;
      const polls = count.polls - c0.polls;
      const requests = count.requests - c0.requests;
      for (const d of running) d.child.kill('SIGSTOP');
      const rss = running.map((d) => statusMB(d.child.pid, 'VmHWM')).filter((n) => n !== null);
      return {
        mode: 'snmp-ups',
        devices: running.length,
        ...(gone.length ? { exited: gone.map((d) => `${d.exit}: ${lastLines(d.stderr)}`) } : {}),
        intervalMs: intervalS * 1000,
        windowS: round3(windowS),
        polls,
        okPolls: polls,
        cpuMs: round3(cpuMs),
        cpuPerPollMs: polls ? round3(cpuMs / polls) : null,
        pollsPerDriverPerS: round3(polls / running.length / windowS),
        byKind: { ups: { polls, ok: polls, requestsPerPoll: polls ? round3(requests / polls) : null } },
        maxRssMB: rss.length ? Math.max(...rss) : null,
      };
    },
  };
}

/**
 * Nanoseconds on the CPU of every thread of every driver so far (first field of each task's schedstat). A driver
 * that exited in the meantime adds nothing (its polls still count: rare, and named in the window's figures).
 */
function cpuNs(drivers) {
  let ns = 0;
  for (const d of drivers) {
    const tasks = `/proc/${d.child.pid}/task`;
    try {
      for (const t of readdirSync(tasks)) ns += Number(readFileSync(`${tasks}/${t}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // exited
    }
  }
  return ns;
}

function lastLines(text) {
  return text.trim().split('\n').slice(-2).join(' | ') || '(nothing on stderr)';
}

function statusMB(pid, key) {
  try {
    const kB = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${key}:\\s+(\\d+)`, 'mu'))?.[1];
    return kB ? round3(Number(kB) / 1024) : null;
  } catch {
    return null;
  }
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

function round3(n) {
  return Math.round(n * 1000) / 1000;
}
