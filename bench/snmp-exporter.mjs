// The bench's real peer: Prometheus' snmp_exporter (Debian's prometheus-snmp-exporter) scraping the same simulated
// devices for the same OIDs as one poll of ours. This file writes its snmp.yml and runs it; bench/worker.mjs (mode
// "exporter") does the scraping and reads the exporter's CPU time from /proc.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { ObjectType } = require('net-snmp');

export const moduleName = (kind) => `rackpower_${kind}`;

/** The exporter binary when it is installed, else null (the bench then says so in its notes). */
export function findSnmpExporter(binary) {
  return binary && existsSync(binary) ? binary : null;
}

/**
 * snmp.yml (the 0.21 format: walk parameters and auth inside each module) with one module per kind. Every OID one of
 * our polls GETs becomes a `get` and a metric of its own; every column one of our GETBULKs reads becomes a `walk` and
 * a metric indexed by the row. Metric types follow the types the agent answered with (`types`: OID → net-snmp type),
 * so the exporter decodes each value as it would for a generated module. max_repetitions stays at the generator's
 * default (25), as a user would leave it.
 */
export function snmpExporterConfig(requests, types, { community, timeoutMs, retries }) {
  const lines = [];
  for (const [kind, list] of Object.entries(requests)) {
    const gets = list.filter((r) => r.op === 'get').flatMap((r) => r.oids);
    // A continued GETBULK re-asks columns an earlier one started: the exporter walks each column to its end anyway.
    const walks = [...new Set(list.filter((r) => r.op === 'getBulk' && !r.continuation).flatMap((r) => r.oids))];
    lines.push(`${moduleName(kind)}:`);
    if (gets.length) lines.push('  get:', ...gets.map((o) => `  - ${o}`));
    if (walks.length) lines.push('  walk:', ...walks.map((o) => `  - ${o}`));
    lines.push('  metrics:');
    for (const oid of [...gets, ...walks]) {
      lines.push(`  - name: rp_${oid.replaceAll('.', '_')}`, `    oid: ${oid}`, `    type: ${metricType(types[oid])}`, `    help: ${oid}`);
      if (walks.includes(oid)) lines.push('    indexes:', '    - labelname: index', '      type: gauge');
    }
    lines.push('  version: 2', `  retries: ${retries}`, `  timeout: ${timeoutMs / 1000}s`, '  auth:', `    community: ${community}`);
  }
  return lines.join('\n') + '\n';
}

function metricType(type) {
  if (type === ObjectType.OctetString) return 'DisplayString';
  if (type === ObjectType.Counter || type === ObjectType.Counter64) return 'counter';
  return 'gauge'; // Integer, Gauge32, TimeTicks
}

/** Starts the exporter on a free loopback port with `config`; resolves once it answers HTTP. */
export async function startSnmpExporter(binary, config) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rackpower-bench-exporter-'));
  const file = path.join(dir, 'snmp.yml');
  writeFileSync(file, config);
  const port = await freeTcpPort();
  const args = [`--config.file=${file}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=error'];
  const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b) => (stderr += b));
  const stop = () =>
    new Promise((resolve) => {
      const done = () => (rmSync(dir, { recursive: true, force: true }), resolve());
      if (child.exitCode !== null || child.signalCode !== null) return done();
      child.once('exit', done);
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    });
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) break;
    if (await answers(port)) return { pid: child.pid, url: `http://127.0.0.1:${port}`, stop };
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`snmp_exporter did not start: ${stderr.trim().split('\n').slice(-2).join(' | ')}`);
}

function freeTcpPort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function answers(port) {
  return new Promise((resolve) => {
    http.get(`http://127.0.0.1:${port}/`, (res) => (res.resume(), resolve(res.statusCode === 200))).on('error', () => resolve(false));
  });
}
