// node bench/nut-path.mjs [BASELINE_DIR]: what one poll of our upsd (NUT) reader costs above the socket, without the
// network: a UPS of the simulator is read through its upsd server once, the reply text of one steady LIST VAR is
// recorded at the socket, and then read() runs again and again on the same connection, its socket's write answered by
// a fresh copy of that text (made ten reads at a time, outside the clock: a new string for every read, as the socket's
// decoder makes one from each chunk), handed to the client as one chunk (upsd answers with one write) in a later turn
// of the event loop, as a reply from the network arrives: after the write's callback, with the client waiting for it.
// What is left is our work alone: the client's queue, timeout and request, every reply line split with NUT's
// quoting rules and checked, every value typed, the reading built. Beside it, the floor's work on the same replies
// (bench/floors.mjs: a timeout, the line written, the text read up to its END line, its lines counted) as the
// least a poll can cost here. With BASELINE_DIR (another checkout or copy of the package, built) its reader runs in
// the same process too; the sides take turns in batches, so a busy machine slows all alike, and each figure is the
// median over the batches. Not part of npm run bench: a tool for before/after figures of a change to this path.
// Prints a table; asserts nothing.
import { createRequire } from 'node:module';
import path from 'node:path';
import { EventEmitter } from 'node:events';
import { setImmediate } from 'node:timers';
import { fileURLToPath } from 'node:url';
import { listAsker } from './floors.mjs';
import { batchCpuUs, median } from './replay-batches.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const BATCH = Number(process.env.HOT_BATCH ?? 500); // reads per batch
const BATCHES = Number(process.env.HOT_BATCHES ?? 30); // batches per build
const REPLAY_CHUNK = 10; // reads whose reply copies are made at once

const builds = [{ name: 'ours', dist: path.join(here, '..', 'dist') }];
if (process.argv[2]) builds.push({ name: 'baseline', dist: path.resolve(process.argv[2], 'dist') });

const { startRack } = require('../dist/src/sim/rack.js');
const { parseScenario } = require('../dist/src/sim/scenario.js');
const scenario = parseScenario({ name: 'nut-path', devices: [{ name: 'ups', profile: 'ietf-ups' }] }, 'bench/nut-path.mjs');
const rack = await startRack(scenario, { speed: 0, upsServers: true });
const readers = [];
const perPoll = new Map();
try {
  const device = rack.servers.find((d) => d.url.startsWith('nut:'));
  for (const b of builds) readers.push({ ...b, read: await replaying(b.dist, device.url) });
  readers.push({ name: 'floor', read: floorReplaying(readers[0].read.reply) });
  for (const r of readers) perPoll.set(r.name, []);
  for (let i = 0; i < BATCHES; i++) {
    // Alternate the order, so no side always follows another's garbage.
    for (const r of i % 2 ? [...readers].reverse() : readers) perPoll.get(r.name).push(await batchCpuUs(r.read, BATCH, REPLAY_CHUNK));
  }
} finally {
  // The upsd connections stay open (and idle) until here: closing them would make the clients reconnect.
  await rack.close();
}
const figure = (name) => median(perPoll.get(name));
const ratio = (a, b) => {
  const ratios = perPoll.get(a).map((x, i) => x / perPoll.get(b)[i]);
  return `${median(ratios).toFixed(3)} (${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)})`;
};
console.log(`nut path: ${BATCHES} batches of ${BATCH} reads per side, CPU µs per read (median over batches)`);
const values = `${readers[0].read.values} values`;
console.log(`  ours     ${figure('ours').toFixed(1).padStart(5)} µs  (${values}), ours/floor ${ratio('ours', 'floor')}`);
if (perPoll.has('baseline')) {
  console.log(`  baseline ${figure('baseline').toFixed(1).padStart(5)} µs  ours/baseline ${ratio('ours', 'baseline')}, baseline/floor ${ratio('baseline', 'floor')}`);
}
console.log(`  floor    ${figure('floor').toFixed(1).padStart(5)} µs  (${readers[0].read.lines} lines counted)`);
process.exit(0);

/** A reader of `build` for the upsd `url` whose socket answers every request with the reply of one recorded poll. */
async function replaying(dist, url) {
  const { openDevice } = require(path.join(dist, 'src', 'device.js'));
  const { parseTarget } = require(path.join(dist, 'src', 'url.js'));
  const open = openDevice(parseTarget(url));
  await open.reader.identify();
  await open.reader.read();
  const socket = open.reader.client.connection.socket; // private fields of NutDeviceReader / NutClient, bench only
  let reply = '';
  const record = (chunk) => (reply += chunk);
  socket.on('data', record);
  const values = Object.keys(await open.reader.read()).length;
  socket.off('data', record);
  // From here on upsd is never asked again: the write is answered from the recording, and the real socket stays
  // open and idle.
  let queue = [];
  let taken = 0;
  socket.write = (_line, cb) => {
    process.nextTick(cb);
    setImmediate(() => socket.emit('data', taken < queue.length ? queue[taken++] : fresh(reply)));
    return true;
  };
  const read = () => open.reader.read();
  read.values = values;
  read.reply = reply;
  read.lines = reply.split('\n').length - 3;
  /** Fresh copies of the reply for `reads` reads. */
  read.prepare = (reads) => {
    queue = [];
    taken = 0;
    for (let i = 0; i < reads; i++) queue.push(fresh(reply));
  };
  return read;
}

/** The floor's poll (bench/floors.mjs) on a socket that answers like the one above. */
function floorReplaying(reply) {
  const socket = new EventEmitter();
  // The request the recorded reply answers: its END line names it ("END LIST VAR ups" answers "LIST VAR ups").
  const request = `${reply.slice(reply.lastIndexOf('END LIST') + 4).trimEnd()}\n`;
  let queue = [];
  let taken = 0;
  socket.write = () => {
    setImmediate(() => socket.emit('data', taken < queue.length ? queue[taken++] : fresh(reply)));
    return true;
  };
  const ask = listAsker(socket);
  const read = () => ask(request, 2000);
  read.prepare = (reads) => {
    queue = [];
    taken = 0;
    for (let i = 0; i < reads; i++) queue.push(fresh(reply));
  };
  return read;
}

/** The reply as the socket's decoder hands it over from a new chunk: a new flat string. */
function fresh(text) {
  return Buffer.from(text, 'utf8').toString('utf8');
}
