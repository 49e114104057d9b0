// node bench/traps.mjs: how long from a UPS sending a trap to the NUT event coming out of the poll that trap
// triggers (the trap receiver → registry → poller.trap() → SNMP read of the simulated UPS → ONBATT / ONLINE).
// Real SNMPv2c traps over loopback, sent in-process with net-snmp (no process start in the figure). Prints the
// figures; it asserts nothing (target: < 50 ms). Needs a build first (node scripts/build.mjs).
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

const require = createRequire(import.meta.url);
const snmp = require('net-snmp');
const { startRack } = require('../dist/src/sim/rack.js');
const { parseScenario } = require('../dist/src/sim/scenario.js');
const { openDevice } = require('../dist/src/device.js');
const { parseTarget } = require('../dist/src/url.js');
const { DevicePoller } = require('../dist/src/polling/poller.js');
const { TrapReceiver } = require('../dist/src/traps/receiver.js');
const { TrapRegistry } = require('../dist/src/traps/registry.js');
const { findProfile } = require('../dist/src/profiles/load.js');

const ROUNDS = Number(process.env.BENCH_TRAP_ROUNDS ?? 200);
// Mains on for 10 s and off for 10 s, over and over: every 10 s step of the paused model flips OL ↔ OB.
const scenario = parseScenario(
  { name: 'traps-bench', repeat: 20, devices: [{ name: 'ups', profile: 'ietf-ups' }], events: [{ at: 10, action: 'power-cut', duration: 10 }] },
  'bench/traps.mjs',
);
// The notifications as the simulated profile's traps section defines them: the one that means ONBATT by itself, and
// the alarm-removed one whose varbind names the alarm that means ONLINE when it goes.
const { traps } = findProfile(scenario.devices[0].profile);
const onBattery = traps.notifications.find((t) => t.event === 'ONBATT');
const removed = traps.notifications.find((t) => t.byVarbind && Object.values(t.byVarbind.events).includes('ONLINE'));
const onlineAlarm = Object.entries(removed.byVarbind.events).find(([, event]) => event === 'ONLINE')[0];
const rack = await startRack(scenario, { speed: 0 });
const device = openDevice(parseTarget(`${rack.devices[0].url}?timeout=1000&retries=0`));
const poller = new DevicePoller(device.reader, { name: 'ups', address: device.address, intervalMs: 3_600_000 });
const registry = new TrapRegistry();
registry.register({ id: 'ups', host: '127.0.0.1', trap: () => poller.trap() });
const receiver = new TrapReceiver({ host: '127.0.0.1', port: 0 });
let trapAt = 0;
receiver.on('trap', (t) => {
  trapAt = performance.now();
  registry.match(t.source.address).forEach((target) => target.trap());
});
const { port } = await receiver.start();
const sender = snmp.createSession('127.0.0.1', 'public', { version: snmp.Version2c, trapPort: port });

await new Promise((resolve) => {
  poller.once('reading', resolve);
  poller.start();
});

const total = [];
const delivery = [];
for (let i = 0; i < ROUNDS; i++) {
  rack.model.advance(10);
  const event = new Promise((resolve) => poller.once('event', resolve));
  const sentAt = performance.now();
  // upsTrapOnBattery, then upsTrapAlarmEntryRemoved naming upsAlarmOnBattery (power back), as a real UPS-MIB agent
  const alarm = [{ oid: `${removed.byVarbind.oid}.1`, type: snmp.ObjectType.OID, value: onlineAlarm }];
  if (i % 2 === 0) sender.trap(onBattery.oid, [], () => undefined);
  else sender.trap(removed.oid, alarm, () => undefined);
  const e = await event;
  const doneAt = performance.now();
  total.push(doneAt - sentAt);
  delivery.push(trapAt - sentAt);
  if (!['ONBATT', 'ONLINE'].includes(e.event)) throw new Error(`unexpected event ${e.event}`);
}

sender.close();
await receiver.close();
await poller.stop();
await device.close();
await rack.close();

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { min: s[0], median: at(0.5), p95: at(0.95), p99: at(0.99), max: s.at(-1) };
};
const fmt = (o) => Object.entries(o).map(([k, v]) => `${k} ${v.toFixed(2)} ms`).join(', ');
console.log(`trap → event, ${ROUNDS} rounds (SNMPv2c trap over loopback, simulated RFC 1628 UPS, Node ${process.version}):`);
console.log(`  trap sent → event emitted:   ${fmt(stats(total))}`);
console.log(`  of which trap delivery:      ${fmt(stats(delivery))}`);
console.log(`  of which the triggered poll: ${fmt(stats(total.map((t, i) => t - delivery[i])))}`);
console.log(`  without traps an event waits for the next poll: on average half the interval (5000 ms at 10 s).`);

// Kept beside the polling figures: bench/results/traps.json.
const { writeFileSync } = await import('node:fs');
const figures = { date: new Date().toISOString(), node: process.version, rounds: ROUNDS, targetMs: 50, total: stats(total), delivery: stats(delivery) };
writeFileSync(new URL('./results/traps.json', import.meta.url), JSON.stringify(figures, null, 2) + '\n');
