// npm run fuzz: the long run of the fuzz and fault harness (src/fuzz/). The SNMP part (≥ 10,000 mutated replies), the
// Modbus TCP part and the Modbus RTU part (≥ 10,000 faults together; then the RTU bus with a dead unit) run in three
// processes at once; their figures go to bench/results/fuzz.json and fuzz.md. npm test runs a short seeded run of the same code
// (test/fuzz/). Needs a build first (dist/) and socat for the pty pair.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const env = process.env;
const num = (name, fallback) => (env[name] === undefined || env[name] === '' ? fallback : Number(env[name]));
const SEED = num('FUZZ_SEED', 1);
const SNMP_REPLIES = num('FUZZ_SNMP_REPLIES', 10_000);
const TCP_FAULTS = num('FUZZ_TCP_FAULTS', 8_000);
const RTU_FAULTS = num('FUZZ_RTU_FAULTS', 2_000);
const DEAD_SECONDS = num('FUZZ_DEAD_SECONDS', 180);
const DEAD_WARMUP = num('FUZZ_DEAD_WARMUP_SECONDS', 60);
const dist = (p) => pathToFileURL(path.join(root, 'dist', 'src', p)).href;

if (!existsSync(path.join(root, 'dist', 'src', 'fuzz', 'snmp-fuzz.js'))) {
  console.error('fuzz: no dist/ — build first (npm run build)');
  process.exit(2);
}

/** Two linked ptys from socat, for the RTU part. */
async function ptyPair() {
  const tag = `${process.pid}-${Date.now()}`;
  const a = `/tmp/rp-fuzzA-${tag}`;
  const b = `/tmp/rp-fuzzB-${tag}`;
  const socat = spawn('socat', [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: 'ignore' });
  socat.on('error', (err) => {
    console.error(`fuzz: socat is needed for the RTU part (apt-get install socat): ${err.message}`);
    process.exit(2);
  });
  for (let i = 0; i < 500 && !(existsSync(a) && existsSync(b)); i++) await new Promise((r) => setTimeout(r, 10));
  return { a, b, close: () => socat.kill('SIGTERM') };
}

const log = (line) => process.stderr.write(`${line}\n`);

async function part(name) {
  if (name === 'snmp') {
    const { fuzzSnmp } = await import(dist('fuzz/snmp-fuzz.js'));
    return { snmp: await fuzzSnmp({ seed: SEED, replies: SNMP_REPLIES, timeoutMs: 200, log }) };
  }
  const { fuzzModbus } = await import(dist('fuzz/modbus-fuzz.js'));
  if (name === 'tcp') return { modbusTcp: await fuzzModbus({ seed: SEED, faults: TCP_FAULTS, kind: 'tcp', log }) };
  const { measureDeadUnit } = await import(dist('fuzz/rtu-dead-unit.js'));
  const pty = await ptyPair();
  try {
    const rtu = await fuzzModbus({ seed: SEED, faults: RTU_FAULTS, kind: 'rtu', path: pty.b, peerPath: pty.a, log });
    const deadUnit = await measureDeadUnit({ path: pty.b, peerPath: pty.a, seconds: DEAD_SECONDS, warmupSeconds: DEAD_WARMUP });
    return { modbusRtu: rtu, rtuDeadUnit: deadUnit };
  } finally {
    pty.close();
  }
}

function child(name) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--part', name], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`fuzz part ${name} exited with ${code}`))));
  });
}

function markdown(r) {
  const s = r.snmp;
  const t = r.modbusTcp;
  const u = r.modbusRtu;
  const d = r.rtuDeadUnit;
  const rows = [
    ['', 'SNMP', 'Modbus TCP', 'Modbus RTU'],
    ['faults delivered', s.mutatedReplies, t.faults, u.faults],
    ['polls / requests', s.polls, t.requests, u.requests],
    ['crashes (uncaught exceptions)', s.uncaughtExceptions, t.uncaughtExceptions, u.uncaughtExceptions],
    ['unhandled rejections', s.unhandledRejections, t.unhandledRejections, u.unhandledRejections],
    ['hung polls / requests', s.hungPolls, t.hungRequests, u.hungRequests],
    ['wrongly typed or implausible values published', s.badValues, t.readerBadValues, u.readerBadValues],
    ['bad frames accepted as data', '-', t.acceptedBadFrames, u.acceptedBadFrames],
    ['mismatched register sets', '-', t.mismatchedRegisterSets, u.mismatchedRegisterSets],
    ['failures spilling onto a later request', '-', t.collateralFailures, u.collateralFailures],
    ['errors that were not a RackpowerError', s.foreignErrors, t.foreignErrors, u.foreignErrors],
    ['recovery after a fault, median / p99 / max ms', `${s.recoveryMs.median} / ${s.recoveryMs.p99} / ${s.recoveryMs.max}`, `${t.recoveryMs.median} / ${t.recoveryMs.p99} / ${t.recoveryMs.max}`, `${u.recoveryMs.median} / ${u.recoveryMs.p99} / ${u.recoveryMs.max}`],
    ['RSS start → end, MB', `${s.rssStartMb} → ${s.rssEndMb}`, `${t.rssStartMb} → ${t.rssEndMb}`, `${u.rssStartMb} → ${u.rssEndMb}`],
    ['duration, s', s.durationS, t.durationS, u.durationS],
  ];
  const table = rows.map((row, i) => `| ${row.join(' | ')} |${i === 0 ? `\n|${row.map(() => '---').join('|')}|` : ''}`).join('\n');
  return `# Fuzz and fault run

${r.date}, Node ${r.node}, ${r.cpu}, seed ${r.seed}. \`npm run fuzz\`; see bench/README.md. Parts run at: ${Object.entries(r.runs ?? {}).map(([k, v]) => `${k} ${v}`).join(', ')}.

${table}

SNMP poll failures by code: ${Object.entries(s.failures).map(([k, v]) => `${k} ${v}`).join(', ')}. Mutations: ${Object.entries(s.byMutation).map(([k, v]) => `${k} ${v}`).join(', ')}.

Modbus TCP faults: ${Object.entries(t.byFault).map(([k, v]) => `${k} ${v}`).join(', ')}. Transport counters: ${Object.entries(t.transportFaults).map(([k, v]) => `${k} ${v}`).join(', ')}.

Modbus RTU faults: ${Object.entries(u.byFault).map(([k, v]) => `${k} ${v}`).join(', ')}. Transport counters: ${Object.entries(u.transportFaults).map(([k, v]) => `${k} ${v}`).join(', ')}.

## RTU bus with a dead unit

Units 1-3 alive, unit 4 absent, one serial bus (socat pty pair), each unit polled every ${d.intervalMs} ms by its own
poller, request timeout ${d.timeoutMs} ms. Successful polls per second of the live units:

| | unit 1 | unit 2 | unit 3 |
|---|---|---|---|
| without the dead unit | ${d.aloneRate.join(' | ')} |
| with unit 4, whole ${d.seconds} s | ${d.withDeadRate.join(' | ')} |
| with unit 4, after ${d.warmupSeconds} s | ${d.withDeadSteadyRate.join(' | ')} |

Worst live unit keeps ${(d.ratio * 100).toFixed(1)} % of its poll rate over the whole window and ${(d.steadyRatio * 100).toFixed(1)} % once the
dead unit's backoff has settled (${d.deadAttempts} attempts at unit 4).
`;
}

if (env.FUZZ_REPORT_ONLY === '1') {
  // Writes fuzz.md again from fuzz.json (after editing the layout), running nothing.
  const saved = JSON.parse(readFileSync(path.join(here, 'results', 'fuzz.json'), 'utf8'));
  writeFileSync(path.join(here, 'results', 'fuzz.md'), markdown(saved));
  process.exit(0);
}

const at = process.argv.indexOf('--part');
if (at > 0) {
  const result = await part(process.argv[at + 1]);
  process.stdout.write(JSON.stringify(result));
  process.exit(0);
}
// FUZZ_PARTS=rtu re-runs one part and keeps the other parts' figures from the last results.
const PARTS = (env.FUZZ_PARTS ?? 'snmp,tcp,rtu').split(',');
const resultsFile = path.join(here, 'results', 'fuzz.json');
const previous = PARTS.length < 3 && existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, 'utf8')) : {};
const parts = await Promise.all(PARTS.map(child));
const date = new Date().toISOString();
const runs = { ...previous.runs, ...Object.fromEntries(PARTS.map((p) => [p, date])) };
const result = { ...previous, date, node: process.version, cpu: os.cpus()[0]?.model ?? 'unknown', seed: SEED, runs, ...Object.assign({}, ...parts) };
mkdirSync(path.join(here, 'results'), { recursive: true });
writeFileSync(resultsFile, JSON.stringify(result, null, 2) + '\n');
writeFileSync(path.join(here, 'results', 'fuzz.md'), markdown(result));
console.log(markdown(result));
