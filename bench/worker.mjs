// One benchmark poller in a process of its own, so its CPU time and memory are the poller's alone.
// Reads its job as the first JSON line on stdin and prints its figures as JSON lines on stdout.
//   mode "ours":     a DevicePoller per device, exactly as the CLI and the Node-RED nodes build them (openDevice).
//   mode "floor":    the bare protocol library or socket replaying the requests one poll of ours sends (recorded by
//                    bench/run.mjs): net-snmp sessions, modbus-serial clients, a TCP line client for upsd, one TCP
//                    connection per request for apcupsd's NIS. See floors.mjs.
//   mode "exporter": HTTP scrapes of a running snmp_exporter (bench/snmp-exporter.mjs), one per device-poll; the CPU
//                    time and memory reported are the exporter process's, read from /proc.
//   mode "baseline": "ours" from another build's dist/ (BENCH_BASELINE), for before/after figures of a change.
//   mode "engine":   "ours" again, at the Node-RED window's rate (device nodes poll every 1 s at most).
//   mode "nodered":  a Node-RED runtime (node-red-node-test-helper) with one device node per device, each wired to a
//                    no-op node: the engine plus Node-RED's message path.
// All follow the poller's schedule: every device on its own timer, fixed rate, all started at once as after a deploy
// (or, with `stagger`, spread over the first interval).
//
// One window (job.session false): warm up, measure one window, print its figures, exit. A session (job.session
// true, the interleaved pairs): warm up, pause every device and print {"ready":…}; then each {"window": seconds,
// "at": ms since the epoch, "offset": share of an interval} line resumes the devices at `at` + offset intervals
// (every device polls at the resume, then on its fixed rate: sides given the same `at` and different offsets poll in
// alternating rounds), measures a window that opens job.leadRounds and a half intervals later and pauses them again
// before printing the figures; {"stop": true} ends it. The
// lead matters: a process that sat idle while the other sides polled runs its first round with cold caches (a window
// right after 30 s idle cost ours twice what the next one did); a round or two of polling first makes it warm again.
import { readFileSync, readdirSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import readline from 'node:readline';
import { PerformanceObserver } from 'node:perf_hooks';
import { startFloor } from './floors.mjs';

const require = createRequire(import.meta.url);
const snmp = require('net-snmp');

const input = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const job = JSON.parse((await input.next()).value);
const { mode, intervalMs, devices } = job;
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
let byKind = {};
const kindFig = (kind) => (byKind[kind] ??= { polls: 0, ok: 0, requests: 0, values: 0 });
let lateness = { live: [], dead: [] };
let failures = {};
// Garbage collections inside the window (kind → count, ms): where a window's CPU goes beyond the polls themselves.
let gcs = {};
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    if (!inWindow()) continue;
    const g = (gcs[e.detail?.kind ?? e.kind] ??= { n: 0, ms: 0 });
    g.n++;
    g.ms = round3(g.ms + e.duration);
  }
}).observe({ entryTypes: ['gc'] });
const firstPoll = new Set();
let answeredInWindow = new Set();

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
  if (s.scheduledAt !== undefined) lateness[device.dead ? 'dead' : 'live'].push(s.startedAt - s.scheduledAt);
}
const countValues = (d, n) => {
  if (inWindow()) kindFig(d.kind).values += n;
};
// Counting a reading's keys costs ours and Node-RED what the floors' counts do not (an array of 30-150 names): each
// device's reading is counted once per window and stands for that device's other readings in it.
let counted = new Set();
const countReading = (d, object) => {
  if (!inWindow()) return;
  const k = kindFig(d.kind);
  if (!counted.has(d)) {
    counted.add(d);
    k.sampled = (k.sampled ?? 0) + 1;
    k.sampledValues = (k.sampledValues ?? 0) + Object.keys(object ?? {}).length;
  }
};
const countFailure = (code) => {
  if (inWindow()) failures[code] = (failures[code] ?? 0) + 1;
};

// ---- the pollers: each device gives { pause(), resume(), stop() } ----
const t0 = Date.now();
const units = [];
let closeRuntime = async () => undefined;

if (mode === 'ours' || mode === 'baseline' || mode === 'engine') {
  // baseline: ours as another build has it (BENCH_BASELINE), for before/after figures of a change.
  const dist = mode === 'baseline' ? job.baselineDist : '../dist';
  const { openDevice } = require(`${dist}/src/device.js`);
  const { parseTarget } = require(`${dist}/src/url.js`);
  const { DevicePoller } = require(`${dist}/src/polling/poller.js`);
  for (const [i, d] of devices.entries()) {
    const open = openDevice(parseTarget(d.url));
    const poller = new DevicePoller(open.reader, { name: d.name, address: open.address, intervalMs });
    poller.on('stats', (s) => recordStats(d, s));
    poller.on('reading', (r) => countReading(d, r.values));
    poller.on('failure', (err) => countFailure(err.code));
    const start = setTimeout(() => poller.start(), offset(i));
    units.push({
      pause: () => poller.pause(),
      resume: () => poller.resume(),
      stop: () => (clearTimeout(start), poller.stop().then(() => open.close())),
    });
  }
} else if (mode === 'floor') {
  for (const [i, d] of devices.entries()) {
    const floor = await startFloor(d, job.requests[d.kind]);
    const schedule = fixedRate(i, d, floor.requests, () => floor.poll());
    units.push({ ...schedule, stop: async () => (schedule.pause(), floor.close()) });
  }
} else if (mode === 'exporter') {
  // snmp_exporter: one HTTP scrape per device-poll, over a kept-alive connection as Prometheus scrapes. Its CPU time
  // is read from /proc/<pid>/stat around the window; this process only drives it.
  const agent = new http.Agent({ keepAlive: true, maxSockets: devices.length });
  for (const [i, d] of devices.entries()) {
    const target = new URL(d.url).host;
    const path = `/snmp?module=${job.exporter.modules[d.kind]}&target=${encodeURIComponent(target)}`;
    const schedule = fixedRate(i, d, null, () => scrape(`${job.exporter.url}${path}`, agent));
    units.push({ ...schedule, stop: async () => schedule.pause() });
  }
} else if (mode === 'nodered') {
  units.push(...(await startNodeRed()));
} else {
  fail(new Error(`unknown mode ${mode}`));
}

/**
 * The poller's fixed-rate schedule and nothing else: `once()` resolves with the values one poll read (or with
 * `{ values, requests }` when the requests are only known afterwards), or rejects.
 */
function fixedRate(i, d, requests, once) {
  let nextAt = Date.now() + offset(i);
  let timer;
  let paused = false;
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
      countFailure(err.code ?? err.name);
    }
    recordStats(d, { scheduledAt, startedAt, requests: sent, ok });
    if (ok) countValues(d, values);
    if (paused) return;
    nextAt += intervalMs;
    const now = Date.now();
    if (nextAt < now) nextAt += Math.ceil((now - nextAt) / intervalMs) * intervalMs;
    timer = setTimeout(poll, nextAt - now);
  };
  timer = setTimeout(poll, offset(i));
  return {
    pause: () => ((paused = true), clearTimeout(timer)),
    resume: () => {
      paused = false;
      nextAt = Date.now();
      timer = setTimeout(poll, 0);
    },
  };
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

/**
 * A Node-RED runtime with one device node per device (its SNMP endpoint config node beside it), every reading
 * output wired to one no-op node (the test helper's node, which does nothing with a message). Polls are counted at
 * that node, so each is a whole trip: poll, message built, sent, delivered. Pause and resume go through the device
 * nodes' own input commands (msg.pause / msg.resume), as a flow would.
 */
async function startNodeRed() {
  const helper = require('node-red-node-test-helper');
  helper.init(require.resolve('node-red'));
  await helper.startServer();
  const nodeModules = ['snmp-endpoint', 'ups', 'pdu'].map((f) => require(`../dist/nodes/${f}.js`));
  const flow = [{ id: 'bench', type: 'tab' }, { id: 'sink', type: 'helper', z: 'bench' }];
  const credentials = {};
  for (const [i, d] of devices.entries()) {
    const url = new URL(d.url);
    if (url.protocol !== 'snmp:') fail(new Error(`nodered mode reads SNMP devices only (got ${d.url})`));
    flow.push(
      { id: `ep${i}`, type: 'rackpower-snmp-endpoint', host: url.hostname, port: Number(url.port), version: '2c', timeout: Number(url.searchParams.get('timeout') ?? 2000), retries: Number(url.searchParams.get('retries') ?? 1) },
      { id: `dev${i}`, type: `rackpower-${d.kind}`, z: 'bench', name: d.name, endpoint: `ep${i}`, interval: intervalMs / 1000, wires: [['sink'], []] },
    );
    credentials[`ep${i}`] = { community: decodeURIComponent(url.username) || 'public' };
  }
  const byName = new Map(devices.map((d) => [d.name, d]));
  await helper.load(nodeModules, flow, credentials);
  helper.getNode('sink').on('input', (msg) => {
    const d = byName.get(msg.device?.name);
    if (!d) return;
    recordStats(d, { ok: true, requests: NaN });
    countReading(d, msg.payload);
  });
  closeRuntime = () => helper.unload().then(() => helper.stopServer());
  return devices.map((_, i) => ({
    pause: () => helper.getNode(`dev${i}`).receive({ pause: true }),
    resume: () => helper.getNode(`dev${i}`).receive({ resume: true }),
    stop: async () => undefined,
  }));
}

// ---- warm-up, then windows that hold whole poll rounds ----
// Warm-up ends when every live device has finished its first poll (identification included) and at least
// warmupMinMs has passed (the JIT settles).
const live = devices.filter((d) => !d.dead);
const warmupLimit = Date.now() + job.warmupMaxMs;
while (live.some((d) => !firstPoll.has(d)) && Date.now() < warmupLimit) await sleep(50);
const warmedUp = live.filter((d) => firstPoll.has(d)).length;
await sleep(t0 + job.warmupMinMs - Date.now());

if (!job.session) {
  // The window starts half an interval after a round, so each round falls entirely inside it.
  const warm = Date.now();
  const round = Math.ceil((warm - t0) / intervalMs + 0.5) - 0.5;
  const rounds = Math.max(1, Math.round((job.seconds * 1000) / intervalMs));
  print(await measure(t0 + round * intervalMs, rounds));
  await finish();
}

for (const u of units) u.pause();
await sleep(Math.min(2000, intervalMs)); // polls in flight end before the first window
print({ ready: true, warmedUp, warmupS: round3((Date.now() - t0) / 1000) });
for (;;) {
  const next = await input.next();
  const command = next.done ? { stop: true } : JSON.parse(next.value);
  if (command.stop) await finish();
  // Sides measured together resume a fraction of an interval apart ({at, offset}), so their rounds alternate.
  if (command.at !== undefined) await sleep(command.at + (command.offset ?? 0) * intervalMs - Date.now());
  const resumedAt = Date.now();
  for (const u of units) u.resume();
  const rounds = Math.max(1, Math.round((command.window * 1000) / intervalMs));
  // The window opens half an interval after a round, so each of its rounds falls entirely inside it (a window
  // opening on a round's own millisecond took that round's sends in or left them out by timer order).
  const figures = await measure(resumedAt + intervalMs * (job.leadRounds + 0.5), rounds);
  for (const u of units) u.pause();
  // Polls still in flight (answers take a millisecond on loopback) finish before the other side's window.
  await sleep(Math.min(200, intervalMs / 2));
  print(figures);
}

async function measure(start, rounds) {
  gcs = {};
  byKind = {};
  lateness = { live: [], dead: [] };
  failures = {};
  answeredInWindow = new Set();
  counted = new Set();
  for (const k of Object.keys(socketErrors)) delete socketErrors[k];
  windowStart = start;
  windowEnd = start + rounds * intervalMs;
  await sleep(windowStart - Date.now());
  const cpu0 = process.cpuUsage();
  const peer0 = peerCpuMs();
  const wall0 = performance.now();
  const hr0 = process.hrtime.bigint();
  const perRound = [];
  for (let r = 1; r <= rounds; r++) {
    await sleep(windowStart + r * intervalMs - Date.now());
    perRound.push(process.cpuUsage(cpu0));
  }
  const cpu = process.cpuUsage(cpu0);
  const peerMs = peerCpuMs() - peer0;
  const wallMs = performance.now() - wall0;
  const hr1 = process.hrtime.bigint();
  const fds = openFds();

  // The exporter's figures are its own process's; this process's (the scraper's) are kept apart as scraperCpuMs.
  const ownCpuMs = (cpu.user + cpu.system) / 1000;
  const cpuMs = mode === 'exporter' ? peerMs : ownCpuMs;
  const polls = Object.values(byKind).reduce((n, k) => n + k.polls, 0);
  for (const k of Object.values(byKind)) if (k.sampled) k.values = (k.sampledValues / k.sampled) * k.ok;
  return {
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
    userMs: round3(cpu.user / 1000),
    systemMs: round3(cpu.system / 1000),
    gc: { ...gcs },
    roundMs: perRound.map((c, i) => round3((c.user + c.system - (i ? perRound[i - 1].user + perRound[i - 1].system : 0)) / 1000)),
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
          valuesPerPoll: k.ok ? round3(k.values / k.ok) : null,
        },
      ]),
    ),
    latenessMs: { live: percentiles(lateness.live), dead: percentiles(lateness.dead) },
    failures,
    socketErrors: { ...socketErrors },
  };
}

async function finish() {
  await Promise.race([Promise.allSettled(units.map((u) => u.stop())), sleep(10_000)]);
  await Promise.race([closeRuntime(), sleep(10_000)]);
  process.exit(0);
}

function print(line) {
  process.stdout.write(JSON.stringify(line) + '\n');
}

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
