// One benchmark phase in a process of its own, so its CPU time and memory are the poller's alone.
// Reads its job as JSON on stdin and prints its figures as one JSON line on stdout.
//   mode "ours":  a DevicePoller per device, exactly as the CLI and the Node-RED nodes build them (openDevice).
//   mode "floor": a plain persistent net-snmp session per device replaying the requests our poller sends.
//   mode "exporter": HTTP scrapes of a running snmp_exporter (bench/snmp-exporter.mjs), one per device-poll; the CPU
//   time and memory reported are the exporter process's, read from /proc.
// All follow the poller's schedule: every device on its own timer, fixed rate, all started at once as after a deploy
// (or, with `stagger`, spread over the first interval).
import { readFileSync, readdirSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const snmp = require('net-snmp');

const job = JSON.parse(readFileSync(0, 'utf8'));
const { mode, intervalMs, seconds, devices, requests: floorRequests } = job;
// With `stagger`, device i starts i/N of an interval late, spreading the polls instead of firing them all at once.
const offset = (i) => (job.stagger ? Math.floor((i * intervalMs) / devices.length) : 0);

// Socket errors of every SNMP session, ours or the floor's, are counted here. Out of descriptors, the implicit bind
// of a session's UDP socket fails with EMFILE on the socket itself: net-snmp 3.29 re-emits it under a wrong event
// name (Session#onError calls this.emit(error)) and never arms the request timer, so that request hangs silently.
const socketErrors = {};
const countError = (err) => (socketErrors[err.code ?? err.message] = (socketErrors[err.code ?? err.message] ?? 0) + 1);
const createSession = snmp.createSession;
snmp.createSession = (...args) => {
  const session = createSession.apply(snmp, args);
  session.dgram.on('error', countError);
  return session;
};
// Out of descriptors, a socket may throw where nobody listens: count it and carry on. Anything else ends the phase.
process.on('uncaughtException', (err) => {
  if (err.code !== 'EMFILE' && err.code !== 'ENFILE') fail(err);
  countError(err);
});

// ---- figures, counted only inside the window ----
let windowStart = Infinity;
let windowEnd = Infinity;
const inWindow = () => {
  const now = Date.now();
  return now >= windowStart && now < windowEnd;
};
const byKind = {};
const kindFig = (kind) => (byKind[kind] ??= { polls: 0, ok: 0, requests: 0, values: 0 });
const lateness = { live: [], dead: [] };
const failures = {};
const firstPoll = new Set();
const answeredInWindow = new Set();

function recordStats(device, s) {
  firstPoll.add(device);
  if (!inWindow()) return;
  answeredInWindow.add(device);
  const k = kindFig(device.kind);
  k.polls++;
  if (s.ok) {
    k.ok++;
    k.requests += s.requests;
  }
  lateness[device.dead ? 'dead' : 'live'].push(s.startedAt - s.scheduledAt);
}

// ---- the two pollers ----
const t0 = Date.now();
const stops = [];

if (mode === 'ours') {
  const { openDevice } = require('../dist/src/device.js');
  const { parseTarget } = require('../dist/src/url.js');
  const { DevicePoller } = require('../dist/src/polling/poller.js');
  for (const [i, d] of devices.entries()) {
    const open = openDevice(parseTarget(d.url));
    const poller = new DevicePoller(open.reader, { name: d.name, address: open.address, intervalMs });
    poller.on('stats', (s) => recordStats(d, s));
    poller.on('reading', (r) => {
      if (inWindow()) kindFig(d.kind).values += Object.keys(r.values).length;
    });
    poller.on('failure', (err) => {
      if (inWindow()) failures[err.code] = (failures[err.code] ?? 0) + 1;
    });
    const start = setTimeout(() => poller.start(), offset(i));
    stops.push(() => (clearTimeout(start), poller.stop().then(() => open.close())));
  }
} else if (mode === 'floor') {
  for (const [i, d] of devices.entries()) {
    const url = new URL(d.url);
    const q = url.searchParams;
    const session = snmp.createSession(url.hostname, decodeURIComponent(url.username) || 'public', {
      port: Number(url.port),
      timeout: Number(q.get('timeout') ?? 2000),
      retries: Number(q.get('retries') ?? 1),
      version: snmp.Version2c,
      idBitsSize: 32,
    });
    const plan = floorRequests[d.kind];
    const send = (r) =>
      new Promise((resolve, reject) => {
        const cb = (err, res) => (err ? reject(err) : resolve(res));
        if (r.op === 'get') session.get(r.oids, cb);
        else session.getBulk(r.oids, r.nonRepeaters, r.maxRepetitions, cb);
      });
    const stop = fixedRate(i, d, plan.length, async () => {
      let values = 0;
      for (const r of plan) {
        const res = await send(r);
        values += r.op === 'get' ? res.length : res.reduce((n, rows) => n + rows.length, 0);
      }
      return values;
    });
    stops.push(async () => (stop(), session.close()));
  }
} else {
  // snmp_exporter: one HTTP scrape per device-poll, over a kept-alive connection as Prometheus scrapes. Its CPU time
  // is read from /proc/<pid>/stat around the window; this process only drives it.
  const agent = new http.Agent({ keepAlive: true, maxSockets: devices.length });
  for (const [i, d] of devices.entries()) {
    const target = new URL(d.url).host;
    const path = `/snmp?module=${job.exporter.modules[d.kind]}&target=${encodeURIComponent(target)}`;
    fixedRate(i, d, null, () => scrape(`${job.exporter.url}${path}`, agent));
  }
}

/**
 * The poller's fixed-rate schedule and nothing else: `once()` resolves with the values one poll read (or with
 * `{ values, requests }` when the requests are only known afterwards), or rejects.
 * Returns a stop function.
 */
function fixedRate(i, d, requests, once) {
  let nextAt = Date.now() + offset(i);
  let timer;
  const poll = async () => {
    const scheduledAt = nextAt;
    const startedAt = Date.now();
    let ok = true;
    let values = 0;
    let sent = requests;
    try {
      const result = await once();
      [values, sent] = typeof result === 'number' ? [result, requests] : [result.values, result.requests];
    } catch (err) {
      ok = false;
      if (inWindow()) failures[err.name] = (failures[err.name] ?? 0) + 1;
    }
    recordStats(d, { scheduledAt, startedAt, requests: sent, ok });
    if (ok && inWindow()) kindFig(d.kind).values += values;
    nextAt += intervalMs;
    const now = Date.now();
    if (nextAt < now) nextAt += Math.ceil((now - nextAt) / intervalMs) * intervalMs;
    timer = setTimeout(poll, nextAt - now);
  };
  timer = setTimeout(poll, offset(i));
  return () => clearTimeout(timer);
}

/**
 * One scrape; resolves with the samples of our metrics (rp_*) and the SNMP packets the exporter says it sent
 * (snmp_scrape_packets_sent, retries included); rejects on an HTTP error or no samples at all.
 */
function scrape(url, agent) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => {
        const values = body.split('\n').filter((l) => l.startsWith('rp_')).length;
        const requests = Number(body.match(/^snmp_scrape_packets_sent (\d+)/mu)?.[1] ?? 0);
        if (res.statusCode !== 200 || values === 0) reject(Object.assign(new Error(body.slice(0, 200)), { name: `HTTP${res.statusCode}` }));
        else resolve({ values, requests });
      });
    });
    req.on('error', reject);
  });
}

// ---- warm-up, then a window that holds whole poll rounds ----
// Warm-up ends when every live device has finished its first poll (identification included) and at least
// warmupMinMs has passed (the JIT settles); the window then starts half an interval after a round, so each round
// falls entirely inside it.
const live = devices.filter((d) => !d.dead);
const warmupLimit = Date.now() + job.warmupMaxMs;
while (live.some((d) => !firstPoll.has(d)) && Date.now() < warmupLimit) await sleep(50);
const warmedUp = live.filter((d) => firstPoll.has(d)).length;
const warm = Math.max(Date.now(), t0 + job.warmupMinMs);
const round = Math.ceil((warm - t0) / intervalMs + 0.5) - 0.5;
const rounds = Math.max(1, Math.round((seconds * 1000) / intervalMs));
windowStart = t0 + round * intervalMs;
windowEnd = windowStart + rounds * intervalMs;

await sleep(windowStart - Date.now());
const cpu0 = process.cpuUsage();
const peer0 = peerCpuMs();
const wall0 = performance.now();
const hr0 = process.hrtime.bigint();
await sleep(windowEnd - Date.now());
const cpu = process.cpuUsage(cpu0);
const peerMs = peerCpuMs() - peer0;
const wallMs = performance.now() - wall0;
const hr1 = process.hrtime.bigint();
const fds = openFds();

// The exporter's figures are its own process's; this process's (the scraper's) are kept apart as scraperCpuMs.
const ownCpuMs = (cpu.user + cpu.system) / 1000;
const cpuMs = mode === 'exporter' ? peerMs : ownCpuMs;
const polls = Object.values(byKind).reduce((n, k) => n + k.polls, 0);
const out = {
  mode,
  devices: devices.length,
  dead: devices.length - live.length,
  intervalMs,
  windowS: round3(wallMs / 1000),
  warmupS: round3((windowStart - t0) / 1000),
  warmedUp,
  // Live devices that finished no poll at all in the window (stuck, e.g. a socket that never opened).
  silent: live.filter((d) => !answeredInWindow.has(d)).length,
  polls,
  okPolls: Object.values(byKind).reduce((n, k) => n + k.ok, 0),
  cpuMs: round3(cpuMs),
  ...(mode === 'exporter' ? { scraperCpuMs: round3(ownCpuMs), valuesPerPoll: polls ? round3(Object.values(byKind).reduce((n, k) => n + k.values, 0) / polls) : null } : {}),
  cpuPerPollMs: polls ? round3(cpuMs / polls) : null,
  cpuPctOfCore: round3((100 * cpuMs) / wallMs),
  // Resident memory at the end of the window, and the peak of the process's life (identification included).
  rssMB: mode === 'exporter' ? peerStatusMB('VmRSS') : attempt(() => round3(process.memoryUsage.rss() / 2 ** 20)), // reads /proc: fails when out of descriptors
  maxRssMB: mode === 'exporter' ? peerStatusMB('VmHWM') : round3((process.resourceUsage().maxRSS * 1024) / 2 ** 20),
  openFds: fds,
  // Monotonic µs, the clock of --cpu-prof profiles: lets a profile be cut to the window.
  windowUs: [Number(hr0 / 1000n), Number(hr1 / 1000n)],
  byKind: Object.fromEntries(
    Object.entries(byKind).map(([kind, k]) => [
      kind,
      {
        polls: k.polls,
        ok: k.ok,
        requestsPerPoll: k.ok ? round3(k.requests / k.ok) : null,
        valuesPerRequest: k.requests ? round3(k.values / k.requests) : null,
      },
    ]),
  ),
  latenessMs: { live: percentiles(lateness.live), dead: percentiles(lateness.dead) },
  failures,
  socketErrors,
};
process.stdout.write(JSON.stringify(out) + '\n');
await Promise.race([Promise.allSettled(stops.map((s) => s())), sleep(10_000)]);
process.exit(0);

/** The exporter's user + system CPU time in ms, all threads (fields 14 and 15 of /proc/<pid>/stat, in clock ticks). */
function peerCpuMs() {
  if (mode !== 'exporter') return 0;
  const stat = readFileSync(`/proc/${job.exporter.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // the name in (…) may hold spaces
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / job.exporter.clockTicks;
}

/** A memory figure of the exporter from /proc/<pid>/status (VmRSS now, VmHWM the peak), in MB. */
function peerStatusMB(key) {
  const kB = readFileSync(`/proc/${job.exporter.pid}/status`, 'utf8').match(new RegExp(`^${key}:\\s+(\\d+)`, 'mu'))?.[1];
  return kB ? round3(Number(kB) / 1024) : null;
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

function round3(n) {
  return Math.round(n * 1000) / 1000;
}

function percentiles(list) {
  if (!list.length) return null;
  const sorted = [...list].sort((a, b) => a - b);
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
  return { n: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] };
}

function openFds() {
  return attempt(() => readdirSync('/proc/self/fd').length); // null when not Linux, or out of descriptors
}

function attempt(f) {
  try {
    return f();
  } catch {
    return null;
  }
}

function fail(err) {
  process.stdout.write(JSON.stringify({ error: String(err?.stack ?? err).split('\n').slice(0, 3).join(' | ') }) + '\n');
  process.exit(1);
}
