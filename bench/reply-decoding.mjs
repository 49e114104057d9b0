// node bench/reply-decoding.mjs: what one poll's SNMP requests and replies cost at the session, with net-snmp decoding
// the replies and with our decoder (src/protocol/snmp/response-decoding.ts), without the network. A UPS and a
// 24-outlet PDU of the simulator are identified and read once; a second read records each request the reader sends
// (at the session's get/getNext/getBulk) and the datagram that answered it. Two sessions whose socket sends nothing,
// both with the request encoder and one with our decoder hooked in, then send those requests and are handed those
// datagrams again and again (the callbacks do nothing), in batches taking turns. Then whole polls, live: 100 PDUs and
// 100 UPSes of a simulator in its own process, each read twice over in this process, once through sessions with our
// decoder and once through sessions without it, in windows taking turns (so load elsewhere falls on both alike).
// Prints the median CPU µs per poll and the ratio; asserts nothing. A tool for before/after figures of the decoder,
// not part of npm run bench.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const BATCH = Number(process.env.DECODE_BATCH ?? 2000); // polls per batch
const BATCHES = Number(process.env.DECODE_BATCHES ?? 20); // batches per side and kind
const LIVE_DEVICES = Number(process.env.DECODE_LIVE_DEVICES ?? 100); // per kind; 0 skips the live part
const LIVE_WINDOWS = Number(process.env.DECODE_LIVE_WINDOWS ?? 10); // windows per side and kind
const LIVE_ROUNDS = 10; // polls of every device per window
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

const snmp = require('net-snmp');
const { startRack } = require('../dist/src/sim/rack.js');
const { parseScenario } = require('../dist/src/sim/scenario.js');
const { openDevice } = require('../dist/src/device.js');
const { parseTarget } = require('../dist/src/url.js');
const { decodeMessage } = require('../dist/src/fuzz/ber.js');
const { preEncodeRequests } = require('../dist/src/protocol/snmp/request-encoding.js');
const responseDecoding = require('../dist/src/protocol/snmp/response-decoding.js');
const { decodeResponses, ResponseDecoder } = responseDecoding;

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
if (LIVE_DEVICES > 0) await live();
process.exit(0);

/** Whole live polls of the reader, with and without our decoder, in one process. */
async function live() {
  const sim = spawn(process.execPath, [path.join(root, 'dist/src/cli/main.js'), 'sim', '--scenario', path.join(root, 'bench/scenarios/bench.json'), '--copies', String(LIVE_DEVICES), '--speed', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const urls = await simulatorUrls(sim);
    console.log(`live polls: ${LIVE_DEVICES} devices per kind, ${LIVE_WINDOWS} windows of ${LIVE_ROUNDS} rounds per side, CPU µs per poll (median over windows)`);
    for (const kind of ['ups', 'pdu']) {
      const sides = { 'net-snmp': await openAll(urls[kind], false), ours: await openAll(urls[kind], true) };
      const perPoll = { 'net-snmp': [], ours: [] };
      for (let i = 0; i < LIVE_WINDOWS; i++) {
        for (const name of i % 2 ? ['ours', 'net-snmp'] : ['net-snmp', 'ours']) perPoll[name].push(await liveWindow(sides[name]));
      }
      for (const side of Object.values(sides)) for (const d of side) await d.close();
      const ratios = perPoll.ours.map((o, i) => o / perPoll['net-snmp'][i]);
      console.log(`  ${kind}: net-snmp ${median(perPoll['net-snmp']).toFixed(0)} µs, ours ${median(perPoll.ours).toFixed(0)} µs, ours/net-snmp ${median(ratios).toFixed(3)} (${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)})`);
    }
  } finally {
    sim.kill();
  }
}

/** The SNMP UPS and PDU URLs the simulator prints (`name kind url profile` per device). */
function simulatorUrls(sim) {
  return new Promise((resolve, reject) => {
    const urls = { ups: [], pdu: [] };
    let buffer = '';
    sim.once('exit', (code) => reject(new Error(`simulator exited (${code}) before listing its devices`)));
    sim.stdout.on('data', (b) => {
      buffer += b;
      const lines = buffer.split('\n');
      buffer = lines.pop();
      for (const line of lines) {
        const [, kind, url, profile] = line.trim().split(' ');
        if (urls[kind] && url?.startsWith('snmp') && profile !== 'nut' && profile !== 'apcupsd') urls[kind].push(url);
      }
      if (urls.ups.length >= LIVE_DEVICES && urls.pdu.length >= LIVE_DEVICES) resolve(urls);
    });
  });
}

/**
 * Readers identified and read once, their sessions opened with or without our decoder (sessions open lazily, at the
 * first request: the hook is switched off around that). Checks the switch took: the decoder takes replies only there.
 */
async function openAll(urls, withDecoder) {
  responseDecoding.decodeResponses = withDecoder ? decodeResponses : () => {};
  const devices = urls.map((u) => openDevice(parseTarget(u)));
  try {
    for (const d of devices) await d.reader.identify();
  } finally {
    responseDecoding.decodeResponses = decodeResponses;
  }
  const decode = ResponseDecoder.prototype.decode;
  let taken = 0;
  ResponseDecoder.prototype.decode = function (...args) {
    const message = decode.apply(this, args);
    if (message) taken++;
    return message;
  };
  await Promise.all(devices.map((d) => d.reader.read()));
  ResponseDecoder.prototype.decode = decode;
  if ((taken > 0) !== withDecoder) throw new Error(`the decoder took ${taken} replies ${withDecoder ? 'with' : 'without'} it hooked in`);
  return devices;
}

/** A lead round, then LIVE_ROUNDS rounds of every device polled at once, 100 ms apart: CPU µs per poll. */
async function liveWindow(devices) {
  await Promise.all(devices.map((d) => d.reader.read()));
  const cpu0 = process.cpuUsage();
  for (let round = 0; round < LIVE_ROUNDS; round++) {
    const started = Date.now();
    await Promise.all(devices.map((d) => d.reader.read()));
    await new Promise((r) => setTimeout(r, Math.max(0, 100 - (Date.now() - started))));
  }
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / (LIVE_ROUNDS * devices.length);
}

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
