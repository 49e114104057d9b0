// node bench/reply-decoding.mjs: what one poll's SNMP requests and replies cost at the session, with net-snmp decoding
// the replies and with our decoder (src/protocol/snmp/response-decoding.ts), without the network. A UPS and a
// 24-outlet PDU of the simulator are identified and read once; a second read records each request the reader sends
// (at the session's get/getNext/getBulk) and the datagram that answered it. Two sessions whose socket sends nothing,
// both with the request encoder and one with our decoder hooked in, then send those requests and are handed those
// datagrams again and again (the callbacks do nothing), in batches taking turns. Prints the median CPU µs per poll
// over the batches and the ratio; asserts nothing. A tool for before/after figures, not part of npm run bench.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const BATCH = Number(process.env.DECODE_BATCH ?? 2000); // polls per batch
const BATCHES = Number(process.env.DECODE_BATCHES ?? 20); // batches per side and kind

const snmp = require('net-snmp');
const { startRack } = require('../dist/src/sim/rack.js');
const { parseScenario } = require('../dist/src/sim/scenario.js');
const { openDevice } = require('../dist/src/device.js');
const { parseTarget } = require('../dist/src/url.js');
const { decodeMessage } = require('../dist/src/fuzz/ber.js');
const { preEncodeRequests } = require('../dist/src/protocol/snmp/request-encoding.js');
const { decodeResponses } = require('../dist/src/protocol/snmp/response-decoding.js');

const scenario = parseScenario(
  { name: 'reply-decoding', devices: [{ name: 'ups', profile: 'ietf-ups' }, { name: 'pdu', profile: 'apc-rpdu2', outlets: 24 }] },
  'bench/reply-decoding.mjs',
);
const rack = await startRack(scenario, { speed: 0 });
const rows = [];
try {
  for (const device of rack.devices) {
    const poll = await recordPoll(device.url);
    const sides = { 'net-snmp': replayer(poll, false), ours: replayer(poll, true) };
    const perPoll = { 'net-snmp': [], ours: [] };
    for (const side of Object.values(sides)) for (let i = 0; i < 200; i++) side(); // warm up both alike
    for (let i = 0; i < BATCHES; i++) {
      for (const name of i % 2 ? ['ours', 'net-snmp'] : ['net-snmp', 'ours']) perPoll[name].push(batch(sides[name]));
    }
    const ratios = perPoll.ours.map((o, i) => o / perPoll['net-snmp'][i]);
    rows.push({ kind: device.kind, requests: poll.map((x) => `${x.op} ${x.oids.length}`).join(' + '), theirs: median(perPoll['net-snmp']), ours: median(perPoll.ours), ratio: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) });
  }
} finally {
  await rack.close();
}
console.log(`reply decoding: ${BATCHES} batches of ${BATCH} polls per side, CPU µs per poll at the session (median over batches)`);
for (const r of rows) {
  console.log(`  ${r.kind.padEnd(4)} (${r.requests}): net-snmp ${r.theirs.toFixed(1)} µs, ours ${r.ours.toFixed(1)} µs, ours/net-snmp ${r.ratio.toFixed(3)} (${r.min.toFixed(2)}-${r.max.toFixed(2)})`);
}
process.exit(0);

/** One steady poll of the device's reader: each request (operation and arguments) and the datagram answering it. */
async function recordPoll(url) {
  const open = openDevice(parseTarget(url));
  await open.reader.identify();
  await open.reader.read();
  const session = open.reader.client.session; // private fields of SnmpDeviceReader / SnmpClient, bench only
  const poll = [];
  session.dgram.prependListener('message', (b) => (poll[poll.length - 1].reply = Buffer.from(b)));
  for (const op of ['get', 'getNext', 'getBulk']) {
    const real = session[op];
    session[op] = (...args) => {
      poll.push({ op, oids: args[0], more: args.slice(1, -1) });
      return real.call(session, ...args);
    };
  }
  await open.reader.read();
  const { community, version } = session;
  await open.close?.();
  return poll.map((x) => ({ ...x, community, version, id: idOf(x.reply) }));
}

/** A poll at a session that never touches the network: the recorded requests sent, the recorded replies handed in. */
function replayer(poll, hooked) {
  const { community, version } = poll[0];
  const session = snmp.createSession('127.0.0.1', community, { port: 161, version, idBitsSize: 32, timeout: 60_000 });
  session.dgram.send = (...args) => args[args.length - 1](null, 0);
  session.dgram.ref = session.dgram.unref = () => {};
  preEncodeRequests(session);
  if (hooked) decodeResponses(session);
  const done = (err) => {
    if (err) throw err;
  };
  const random = Math.random;
  return () => {
    for (const x of poll) {
      // The request id net-snmp draws is the one the recorded reply carries.
      Math.random = () => (x.id + 0.5) / 100_000_000;
      session[x.op](x.oids, ...x.more, done);
      Math.random = random;
      session.dgram.emit('message', x.reply, {});
    }
  };
}

function idOf(reply) {
  return decodeMessage(reply).requestId.reduce((n, b) => n * 256 + b, 0);
}

function batch(poll) {
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < BATCH; i++) poll();
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / BATCH;
}

function median(list) {
  const s = [...list].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
