// node bench/poller-path.mjs [BASELINE_DIR]: what the poller itself costs per device-poll (scheduling, timers,
// promises, events, the reading and stats objects) with nothing else: every device's reader answers within a few ms
// with one fixed set of values (a 24-outlet PDU's worth), so the protocol, decoding and network cost nothing. Each
// poller gets the listeners the benchmark worker gives it (stats, reading, failure). With BASELINE_DIR (another checkout or copy
// of the package, built) its pollers run in the same process in windows taking turns with ours (ours, baseline, ours
// …), both sets paused while the other polls, so a busy machine slows both alike; the figure is the median over the
// windows. Not part of npm run bench: a tool for before/after figures of a change to the poller. Prints a table;
// asserts nothing.
//   POLLER_DEVICES (100), POLLER_INTERVAL_MS (100), POLLER_WINDOW_S (3), POLLER_PAIRS (5), POLLER_SPREAD_MS (20)
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const num = (name, fallback) => Number(process.env[name] ?? fallback);
const DEVICES = num('POLLER_DEVICES', 100);
const INTERVAL_MS = num('POLLER_INTERVAL_MS', 100);
const WINDOW_MS = num('POLLER_WINDOW_S', 3) * 1000;
const PAIRS = num('POLLER_PAIRS', 5);

const builds = [{ name: 'ours', dist: path.join(here, '..', 'dist') }];
if (process.argv[2]) builds.push({ name: 'baseline', dist: path.resolve(process.argv[2], 'dist') });

// A PDU's reading: 24 outlets × 3 values and a few device values, as the simulator's apc-rpdu2 gives.
const values = { 'device.type': 'pdu', 'input.voltage': 230, 'input.current': 4.2, 'input.realpower': 900 };
for (let o = 1; o <= 24; o++) Object.assign(values, { [`outlet.${o}.current`]: 0.2, [`outlet.${o}.status`]: 'on', [`outlet.${o}.desc`]: `outlet ${o}` });

// POLLER_SPREAD_MS (default 20): the answers of one round come back spread over this long, as a network's and a busy
// process's do, so each poll ends, and computes its next delay, at its own millisecond. Reads wait for one of
// SPREAD_MS promises, each resolved by one timer per round (a cost both builds share): a poller's timer delays then
// differ from device to device, as they do in a real bench. 0: every read answers at once.
const SPREAD_MS = num('POLLER_SPREAD_MS', 20);
let spread = [];
function later() {
  if (!spread.length) {
    spread = Array.from({ length: SPREAD_MS }, (_, ms) => {
      let resolve;
      const promise = new Promise((r) => (resolve = r));
      setTimeout(() => resolve(values), ms + 1);
      return promise;
    });
    setTimeout(() => (spread = []), 0);
  }
  return spread[Math.floor(Math.random() * SPREAD_MS)];
}

function fakeReader() {
  return {
    requestCount: 0,
    identify: async () => ({ profile: 'apc-rpdu2', kind: 'pdu', manufacturer: 'APC', model: 'AP8932' }),
    read() {
      this.requestCount += 3;
      return SPREAD_MS > 0 ? later() : Promise.resolve(values);
    },
    close: async () => undefined,
  };
}

for (const b of builds) {
  const { DevicePoller } = require(path.join(b.dist, 'src', 'polling', 'poller.js'));
  b.polls = 0;
  b.perPoll = [];
  b.pollers = Array.from({ length: DEVICES }, (_, i) => {
    const poller = new DevicePoller(fakeReader(), { name: `pdu${i}`, address: `snmp://127.0.0.1:${20000 + i}`, intervalMs: INTERVAL_MS });
    // POLLER_STATS=0: no 'stats' listener, as the Node-RED nodes and the CLI poll.
    if (process.env.POLLER_STATS !== '0') poller.on('stats', (s) => s.durationMs);
    poller.on('reading', () => b.polls++);
    poller.on('failure', () => undefined);
    return poller;
  });
  for (const p of b.pollers) p.start();
  await sleep(INTERVAL_MS * 3);
  for (const p of b.pollers) p.pause();
}

// Pair 0 warms both builds up (the JIT) and is not counted.
for (let pair = 0; pair <= PAIRS; pair++) {
  for (const b of pair % 2 ? [...builds].reverse() : builds) {
    for (const p of b.pollers) p.resume();
    await sleep(INTERVAL_MS * 2); // a round or two first: warm again after the other build's window
    const polls0 = b.polls;
    const cpu0 = process.cpuUsage();
    await sleep(WINDOW_MS);
    const cpu = process.cpuUsage(cpu0);
    if (pair > 0) b.perPoll.push((cpu.user + cpu.system) / (b.polls - polls0));
    for (const p of b.pollers) p.pause();
  }
}
for (const b of builds) await Promise.all(b.pollers.map((p) => p.stop()));

const ours = builds[0];
console.log(`poller path: ${DEVICES} devices every ${INTERVAL_MS} ms, ${PAIRS} windows of ${WINDOW_MS / 1000} s per build, CPU µs per poll`);
let line = `  ours ${median(ours.perPoll).toFixed(2)} µs (${ours.perPoll.map((v) => v.toFixed(1)).join(' ')})`;
if (builds[1]) {
  const ratios = ours.perPoll.map((o, i) => o / builds[1].perPoll[i]);
  line += `, baseline ${median(builds[1].perPoll).toFixed(2)} µs, ours/baseline ${median(ratios).toFixed(3)} (${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)})`;
}
console.log(line);

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

function median(list) {
  const s = [...list].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
