// node bench/hot-path.mjs [BASELINE_DIR]: what one poll of our SNMP reader costs above the protocol library, without
// the network: a UPS and a 24-outlet PDU of the simulator are identified once, the replies net-snmp decoded for one
// steady poll are recorded at the session, and then read() runs again and again against fresh copies of those replies
// (made ten reads at a time, outside the clock: new OID strings, buffers and varbinds, as net-snmp decodes them from
// each datagram, so no hash or decoded value of an earlier read is reused; handed back on the next tick). What is left is our work alone: the client's batching and
// varbind decoding, the plan, every value decoded, typed and checked, the reading built. With BASELINE_DIR (another
// checkout or copy of the package, built) its reader runs in the same process, in batches taking turns with ours,
// so a busy machine slows both alike; the figure is the median over the batches. Not part of npm run bench: a tool
// for before/after figures of a change to the hot path. Prints a table; asserts nothing.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { batchCpuUs, median } from './replay-batches.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const BATCH = Number(process.env.HOT_BATCH ?? 500); // reads per batch
const BATCHES = Number(process.env.HOT_BATCHES ?? 30); // batches per build and kind
const REPLAY_CHUNK = 10; // reads whose reply copies are made at once

const builds = [{ name: 'ours', dist: path.join(here, '..', 'dist') }];
if (process.argv[2]) builds.push({ name: 'baseline', dist: path.resolve(process.argv[2], 'dist') });

const { startRack } = require('../dist/src/sim/rack.js');
const { parseScenario } = require('../dist/src/sim/scenario.js');
const scenario = parseScenario(
  { name: 'hot-path', devices: [{ name: 'ups', profile: 'ietf-ups' }, { name: 'pdu', profile: 'apc-rpdu2', outlets: 24 }] },
  'bench/hot-path.mjs',
);
const rack = await startRack(scenario, { speed: 0 });
const rows = [];
try {
  for (const device of rack.devices) {
    const readers = [];
    for (const b of builds) readers.push({ ...b, read: await replaying(b.dist, device.url) });
    const perPoll = new Map(readers.map((r) => [r.name, []]));
    for (let i = 0; i < BATCHES; i++) {
      // Alternate which build goes first, so neither always follows the other's garbage.
      for (const r of i % 2 ? [...readers].reverse() : readers) perPoll.get(r.name).push(await batchCpuUs(r.read, BATCH, REPLAY_CHUNK));
    }
    const ours = median(perPoll.get('ours'));
    const row = { kind: device.kind, values: readers[0].read.values, ours };
    if (readers[1]) {
      const ratios = perPoll.get('ours').map((o, i) => o / perPoll.get('baseline')[i]);
      Object.assign(row, { baseline: median(perPoll.get('baseline')), ratio: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) });
    }
    rows.push(row);
  }
} finally {
  await rack.close();
}
console.log(`hot path: ${BATCHES} batches of ${BATCH} reads per build, CPU µs per read (median over batches)`);
for (const r of rows) {
  const base = r.baseline === undefined ? '' : `, baseline ${r.baseline.toFixed(1)} µs, ours/baseline ${r.ratio.toFixed(3)} (${r.min.toFixed(2)}-${r.max.toFixed(2)})`;
  console.log(`  ${r.kind.padEnd(4)} ${String(r.values).padStart(3)} values: ours ${r.ours.toFixed(1)} µs${base}`);
}
process.exit(0);

/** A reader of `build` for `url` whose session answers every request from the replies of one recorded poll. */
async function replaying(dist, url) {
  const { openDevice } = require(path.join(dist, 'src', 'device.js'));
  const { parseTarget } = require(path.join(dist, 'src', 'url.js'));
  const open = openDevice(parseTarget(url));
  await open.reader.identify();
  await open.reader.read();
  const session = open.reader.client.session; // private fields of SnmpDeviceReader / SnmpClient, bench only
  const replies = [];
  for (const op of ['get', 'getBulk']) {
    const real = session[op];
    session[op] = (...args) => {
      const cb = args.pop();
      return real.call(session, ...args, (err, res) => (replies.push({ op, res }), cb(err, res)));
    };
  }
  const values = Object.keys(await open.reader.read()).length;
  let next = 0;
  let queue = [];
  let taken = 0;
  const answer = (op, cb) => {
    const r = replies[next++ % replies.length];
    if (r.op !== op) throw new Error(`replay out of step: ${op} where ${r.op} was recorded`);
    process.nextTick(cb, null, taken < queue.length ? queue[taken++] : r.res);
  };
  session.get = (_oids, cb) => answer('get', cb);
  session.getBulk = (_oids, _n, _m, cb) => answer('getBulk', cb);
  const read = () => open.reader.read();
  read.values = values;
  /** Fresh copies of the replies of `reads` reads, in the order they will be asked. */
  read.prepare = (reads) => {
    queue = [];
    taken = 0;
    for (let i = 0; i < reads * replies.length; i++) queue.push(fresh(replies[(next + i) % replies.length].res));
  };
  return read;
}

/** A reply as net-snmp would hand it over from a new datagram: new arrays, varbinds, OID strings and buffers. */
function fresh(res) {
  if (Array.isArray(res)) return res.map(fresh);
  const copy = (s) => Buffer.from(s, 'latin1').toString('latin1');
  return { oid: copy(res.oid), type: res.type, value: Buffer.isBuffer(res.value) ? Buffer.from(res.value) : typeof res.value === 'string' ? copy(res.value) : res.value };
}
