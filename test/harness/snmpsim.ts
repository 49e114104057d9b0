// Serves recorded walks with Debian's snmpsimd, a real SNMP agent, on a free loopback port. Missing snmpsimd is a
// failure, not a skip: CI installs it (.ci/run).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freeUdpPort } from './ports';

export interface Snmpsim {
  port: number;
  stop(): Promise<void>;
}

/**
 * Serves each file under the community of its file name without `.snmprec`, or under the community given with it
 * (so two packages may each hold a recording of the same name).
 */
export async function startSnmpsim(files: Array<string | { file: string; community: string }>, opts: { maxVarbinds?: number } = {}): Promise<Snmpsim> {
  if (spawnSync('which', ['snmpsimd']).status !== 0) {
    throw new Error('snmpsimd not found: install Debian package snmpsim (see .ci/run)');
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rp-snmpsim-'));
  mkdirSync(path.join(dir, 'data'));
  mkdirSync(path.join(dir, 'cache'));
  const served = files.map((f) => (typeof f === 'string' ? { file: f, community: path.basename(f, '.snmprec') } : f));
  for (const f of served) cpSync(f.file, path.join(dir, 'data', `${f.community}.snmprec`));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    // snmpsimd refuses to run as root; its cache must belong to the user it drops to.
    spawnSync('chown', ['-R', 'nobody:nogroup', path.join(dir, 'cache')]);
    chmodSync(dir, 0o755);
    for (const f of readdirSync(path.join(dir, 'data'))) chmodSync(path.join(dir, 'data', f), 0o644);
  }
  const port = await freeUdpPort();
  const args = [
    `--data-dir=${path.join(dir, 'data')}`,
    `--cache-dir=${path.join(dir, 'cache')}`,
    `--agent-udpv4-endpoint=127.0.0.1:${port}`,
    `--logging-method=file:${path.join(dir, 'snmpsimd.log')}`,
  ];
  if (opts.maxVarbinds) args.push(`--max-varbinds=${opts.maxVarbinds}`);
  if (asRoot) args.push('--process-user=nobody', '--process-group=nogroup');
  const child: ChildProcess = spawn('snmpsimd', args, { stdio: 'ignore' });
  await waitForAgent(port, served[0].community, child);
  return {
    port,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitForAgent(port: number, community: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`snmpsimd exited with ${child.exitCode}`);
    const r = spawnSync('snmpget', ['-v2c', '-c', community, '-t', '0.3', '-r', '0', '-On', `127.0.0.1:${port}`, '1.3.6.1.2.1.1.2.0']);
    if (r.status === 0) return;
    await new Promise((res) => setTimeout(res, 200));
  }
  child.kill('SIGKILL');
  throw new Error('snmpsimd did not answer within 20 s');
}
