// Child of never-sent.test.ts, started under `ulimit -n` with a small limit so that running out of file descriptors
// (EMFILE) is real and cheap. With every descriptor taken, an SNMP request cannot even bind its socket: net-snmp
// neither sends it nor calls back, and only the client's own deadline can end it. Prints one JSON line:
//   neverSent: how the request that never left ended, and how long it took (ms)
//   recovered: the next request once descriptors are free again (a fresh session; the agent answers)
//   closed:    a never-sent request cut short by close(), and the Timeouts left right after close()
import { closeSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const dist = process.argv[2];
const { SnmpClient } = require(`${dist}/src/protocol/snmp/client.js`);
const { startRack } = require(`${dist}/src/sim/rack.js`);
const { parseScenario } = require(`${dist}/src/sim/scenario.js`);

const SYS_DESCR = '1.3.6.1.2.1.1.1.0';
const TIMEOUT_MS = 300;
const outcome = (p) => p.then((values) => ({ ok: true, values: Object.fromEntries(values) }), (err) => ({ ok: false, code: err.code, message: err.message }));
const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

/** Takes every free descriptor; returns a function that gives them back. */
function exhaustDescriptors() {
  const fds = [];
  try {
    for (;;) fds.push(openSync('/dev/null', 'r'));
  } catch (err) {
    if (err.code !== 'EMFILE') throw err;
  }
  return () => fds.forEach((fd) => closeSync(fd));
}

const rack = await startRack(parseScenario({ name: 'never-sent', devices: [{ name: 'ups', profile: 'ietf-ups' }] }, 'never-sent'), { speed: 0 });
const agent = new URL(rack.devices[0].url);
const target = { host: agent.hostname, port: Number(agent.port), version: 2, community: 'public', timeoutMs: TIMEOUT_MS, retries: 0, maxVarbinds: 60 };
const result = {};
try {
  const timersBefore = timers();
  const client = new SnmpClient(target);
  let release = exhaustDescriptors();
  const started = Date.now();
  result.neverSent = { ...(await outcome(client.get([SYS_DESCR]))), elapsedMs: Date.now() - started };
  release();
  result.recovered = await outcome(client.get([SYS_DESCR]));
  client.close();

  const other = new SnmpClient(target);
  release = exhaustDescriptors();
  const pending = outcome(other.get([SYS_DESCR]));
  await new Promise((resolve) => setTimeout(resolve, 50)); // the bind has failed by now: the request is stuck
  other.close();
  const timersLeft = timers() - timersBefore;
  result.closed = { ...(await pending), timersLeft };
  release();
} finally {
  await rack.close();
}
console.log(JSON.stringify(result));
