#!/usr/bin/env node
// The battery-truth scenario, measured. Needs a build first (`node scripts/build.mjs`).
//
//   node scripts/battery-truth.mjs            replays 12 simulated minutes on a simulated clock (a few seconds),
//                                             reading the UPS over SNMP every 10 s, and draws reported, measured and
//                                             true runtime to docs/img/battery-truth.png (SVG rendered by Chromium)
//   node scripts/battery-truth.mjs --live     runs the scenario in real time like `rackpower sim --scenario
//                                             battery-truth` and `rackpower watch` on its UPS (a child process) for
//                                             five minutes, and prints when the measured values came within 10 % /
//                                             10 points of the simulator's truth
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = (await import('node:module')).createRequire(import.meta.url);
const { startRack } = require(path.join(root, 'dist/src/sim/rack.js'));
const { loadScenario } = require(path.join(root, 'dist/src/sim/scenario.js'));

const { values: args } = parseArgs({
  options: {
    live: { type: 'boolean', default: false },
    seconds: { type: 'string' },
    interval: { type: 'string', default: '10' },
    out: { type: 'string', default: path.join(root, 'docs', 'img', 'battery-truth.png') },
  },
});
const intervalS = Number(args.interval);

/** One row per poll: simulated seconds, what the UPS and rackpower said, and the simulator's truth. */
const rows = [];

async function replay(seconds) {
  const { ReadingTracker } = require(path.join(root, 'dist/src/battery/tracker.js'));
  const { openDevice } = require(path.join(root, 'dist/src/device.js'));
  const { parseTarget } = require(path.join(root, 'dist/src/url.js'));
  const rack = await startRack(loadScenario('battery-truth'), { speed: 0 });
  const device = openDevice(parseTarget(`${rack.devices.find((d) => d.kind === 'ups').url}?timeout=2000`));
  try {
    const id = await device.reader.identify();
    const memory = new Map();
    const tracker = new ReadingTracker({ intervalMs: intervalS * 1000 }, { get: (k) => memory.get(k), set: (k, v) => memory.set(k, v) });
    const t0 = Date.UTC(2026, 0, 1);
    for (let t = 0; t <= seconds; t += intervalS) {
      if (t > 0) rack.model.advance(intervalS);
      const raw = await device.reader.read();
      const { reading } = tracker.observe({ device: { name: 'ups', kind: id.kind, profile: id.profile, serial: id.serial, address: device.address }, values: raw, timestamp: t0 + t * 1000 });
      rows.push({ t, values: reading.values, truth: rack.model.batteryTruth('ups') });
    }
  } finally {
    await device.close();
    await rack.close();
  }
}

async function live(seconds) {
  const rack = await startRack(loadScenario('battery-truth'), { control: true });
  const ups = rack.devices.find((d) => d.kind === 'ups');
  const started = Date.now();
  const watch = spawn(process.execPath, [path.join(root, 'dist/src/cli/main.js'), 'watch', `${ups.url}#ups`, '--interval', String(intervalS), '--state', 'none'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: watch.stdout });
  lines.on('line', (line) => {
    const msg = JSON.parse(line);
    if (!msg.values) {
      if (msg.event) console.log(`${((Date.now() - started) / 1000).toFixed(0)} s: ${msg.event} ${msg.message}`);
      return;
    }
    rows.push({ t: (Date.now() - started) / 1000, values: msg.values, truth: rack.model.batteryTruth('ups') });
  });
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  watch.kill('SIGINT');
  await new Promise((resolve) => watch.once('exit', resolve));
  await rack.close();
}

function summary() {
  const ok = (r) =>
    r.values['battery.runtime.measured'] !== undefined &&
    Math.abs(r.values['battery.runtime.measured'] - r.truth.runtime) / r.truth.runtime < 0.1 &&
    Math.abs(r.values['battery.health'] - r.truth.health) <= 10;
  const published = rows.filter((r) => r.values['battery.runtime.measured'] !== undefined);
  const firstOk = rows.find(ok);
  const last = rows.at(-1);
  const errors = published.map((r) => Math.abs(r.values['battery.runtime.measured'] - r.truth.runtime) / r.truth.runtime);
  const pct = (x) => `${(x * 100).toFixed(1)} %`;
  console.log(`polls: ${rows.length}, with learned values: ${published.length}`);
  console.log(`first published: ${published[0]?.t.toFixed(0) ?? '-'} s; first within 10 % and 10 points: ${firstOk?.t.toFixed(0) ?? 'never'} s`);
  if (errors.length) console.log(`runtime error of published values: max ${pct(Math.max(...errors))}, mean ${pct(errors.reduce((a, b) => a + b, 0) / errors.length)}`);
  if (last) {
    console.log(
      `at ${last.t.toFixed(0)} s: reported ${last.values['battery.runtime']} s, measured ${last.values['battery.runtime.measured']} s, true ${last.truth.runtime.toFixed(0)} s; ` +
        `health ${last.values['battery.health']} % (simulated ${last.truth.health.toFixed(0)} %), firmware error ${last.values['battery.runtime.error']} %, confidence ${last.values['battery.measured.confidence']} %`,
    );
  }
}

/** Reported, measured and true runtime against time, and the outages shaded, as an SVG. */
function svg() {
  const W = 960;
  const H = 460;
  const m = { l: 64, r: 24, t: 48, b: 56 };
  const tMax = rows.at(-1).t;
  const yMax = Math.ceil(Math.max(...rows.map((r) => Math.max(Number(r.values['battery.runtime']) || 0, r.truth.runtime))) / 100) * 100 + 100;
  const x = (t) => m.l + (t / tMax) * (W - m.l - m.r);
  const y = (v) => H - m.b - (v / yMax) * (H - m.t - m.b);
  const line = (pick, color, dash = '') => {
    const pts = rows.filter((r) => pick(r) !== undefined).map((r) => `${x(r.t).toFixed(1)},${y(pick(r)).toFixed(1)}`);
    return pts.length ? `<polyline fill="none" stroke="${color}" stroke-width="2.5" ${dash && `stroke-dasharray="${dash}"`} points="${pts.join(' ')}"/>` : '';
  };
  const outages = [];
  let start;
  for (const r of rows) {
    const ob = /\bOB\b/u.test(String(r.values['ups.status']));
    if (ob && start === undefined) start = r.t;
    if (!ob && start !== undefined) {
      outages.push([start, r.t]);
      start = undefined;
    }
  }
  if (start !== undefined) outages.push([start, tMax]);
  const ticksX = Array.from({ length: Math.floor(tMax / 60) + 1 }, (_, i) => i * 60);
  const ticksY = Array.from({ length: yMax / 100 + 1 }, (_, i) => i * 100);
  const legend = [
    ['#d9534f', 'battery.runtime (the UPS firmware: a new battery)', ''],
    ['#2a7ae2', 'battery.runtime.measured (rackpower)', ''],
    ['#333', 'true runtime (simulator)', '6 4'],
  ];
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="13">
<rect width="100%" height="100%" fill="#fff"/>
<text x="${m.l}" y="24" font-size="16" font-weight="bold">battery-truth: a UPS aged to 70 % that still estimates for a new battery</text>
${outages.map(([a, b]) => `<rect x="${x(a)}" y="${m.t}" width="${x(b) - x(a)}" height="${H - m.t - m.b}" fill="#f6e7c8"/>`).join('\n')}
${ticksY.map((v) => `<line x1="${m.l}" x2="${W - m.r}" y1="${y(v)}" y2="${y(v)}" stroke="#e5e5e5"/><text x="${m.l - 8}" y="${y(v) + 4}" text-anchor="end">${v}</text>`).join('\n')}
${ticksX.map((t) => `<text x="${x(t)}" y="${H - m.b + 18}" text-anchor="middle">${t}</text>`).join('\n')}
<text x="${(m.l + W - m.r) / 2}" y="${H - 14}" text-anchor="middle">scenario time, s (shaded: on battery)</text>
<text transform="translate(18 ${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle">runtime, s</text>
<line x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${H - m.b}" stroke="#888"/><line x1="${m.l}" x2="${W - m.r}" y1="${H - m.b}" y2="${H - m.b}" stroke="#888"/>
${line((r) => r.values['battery.runtime'], '#d9534f')}
${line((r) => r.truth.runtime, '#333', '6 4')}
${line((r) => r.values['battery.runtime.measured'], '#2a7ae2')}
${legend.map(([c, label, dash], i) => `<line x1="${W - 420}" x2="${W - 390}" y1="${m.t + 14 + i * 20}" y2="${m.t + 14 + i * 20}" stroke="${c}" stroke-width="2.5" ${dash && `stroke-dasharray="${dash}"`}/><text x="${W - 382}" y="${m.t + 18 + i * 20}">${label}</text>`).join('\n')}
</svg>`;
}

async function render(file) {
  const { chromium } = require('playwright-core');
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: 960, height: 460 }, deviceScaleFactor: 2 });
    await page.setContent(`<html><body style="margin:0">${svg()}</body></html>`);
    mkdirSync(path.dirname(file), { recursive: true });
    await page.locator('svg').screenshot({ path: file });
  } finally {
    await browser.close();
  }
}

if (args.live) {
  await live(Number(args.seconds ?? 300));
  summary();
} else {
  await replay(Number(args.seconds ?? 720));
  summary();
  await render(args.out);
  console.log(`wrote ${path.relative(root, args.out)}`);
}
