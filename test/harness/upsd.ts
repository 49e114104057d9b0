// A real NUT server for tests: Debian's upsd with one dummy-ups driver per device dump, in a scratch folder
// (NUT_CONFPATH/NUT_STATEPATH, MODE=netserver) on a free loopback port. upsc/upscmd/upsrw are the reference client.
// A missing NUT install fails the test (apt-get install nut-server nut-client), it never skips it. As root, upsd and
// the drivers would drop to user `nut`: `-u <whoever runs the test>` keeps them as that user, so the scratch folder
// stays theirs whether the tests run as root (CI) or as a developer.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { userInfo, tmpdir } from 'node:os';
import path from 'node:path';
import { freeTcpPort } from './ports';
import { run, type Result } from './process';
import { ROOT } from './build';

export const NUT_BIN = '/lib/nut';
export const DDL = path.join(ROOT, 'test', 'fixtures', 'nut-ddl');
/**
 * The test users in upsd.users: `admin` may do everything, `monitor` only LOGIN as a secondary, `quoted` has a
 * password with a space and quotes (which upsc/upscmd cannot send, so only our client uses it).
 */
export const ADMIN = { user: 'admin', password: 'adm1n' };
export const QUOTED = { user: 'quoted', password: 'say "hi" \\o/' };
export const MONITOR = { user: 'monitor', password: 'mon' };

export interface Upsd {
  port: number;
  dir: string;
  /** UPS name → the .dev file its driver serves (edit it and dummy-ups re-reads it within a second or two). */
  files: Record<string, string>;
  env: NodeJS.ProcessEnv;
  /** With `tls`: upsd's self-signed certificate (PEM) and its SHA-256 fingerprint (AB:CD:…), for STARTTLS tests. */
  certificate?: { pem: string; fingerprint: string };
  /** upsc's `name: value` lines for one UPS, as a map. */
  upsc(ups: string): Promise<Map<string, string>>;
  /** Runs a NUT client program (upsc, upscmd, upsrw) against this server. */
  client(program: string, args: string[]): Promise<Result>;
  /** Replaces one variable's line in the UPS's dump (dummy-ups notices the file changed). */
  setVariable(ups: string, name: string, value: string): void;
  /** Stops one UPS's driver, as when its USB cable is pulled and the driver gives up. */
  stopDriver(ups: string): Promise<void>;
  stop(): Promise<void>;
}

function need(file: string): void {
  if (!existsSync(file)) throw new Error(`${file} is missing: apt-get install nut-server nut-client (real NUT peers are required)`);
}

function waitExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** The variable names a dump file sets (`name: value` lines, comments skipped). */
function dumpNames(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => /^[a-z][\w.]*: /u.test(l))
    .map((l) => l.slice(0, l.indexOf(':')))
    // dummy-ups publishes driver.* of its own instead of the dump's.
    .filter((n) => !n.startsWith('driver.'));
}

/**
 * A self-signed certificate for 127.0.0.1 in an NSS database, as Debian's upsd (built with NSS) wants it:
 * openssl makes the certificate, certutil/pk12util (libnss3-tools) the database.
 */
async function nssCertificate(dir: string): Promise<{ pem: string; fingerprint: string; lines: string }> {
  for (const f of ['/usr/bin/openssl', '/usr/bin/certutil', '/usr/bin/pk12util']) {
    if (!existsSync(f)) throw new Error(`${f} is missing: apt-get install openssl libnss3-tools (upsd's STARTTLS needs an NSS database)`);
  }
  const at = (f: string): string => path.join(dir, f);
  const step = async (file: string, args: string[]): Promise<string> => {
    const r = await run(file, args, process.env, 60_000);
    if (r.code !== 0) throw new Error(`${path.basename(file)} ${args[0]}: ${r.stderr}`);
    return r.stdout;
  };
  await step('/usr/bin/openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', at('key.pem'), '-out', at('cert.pem'), '-subj', '/CN=localhost', '-days', '2', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost']);
  await step('/usr/bin/openssl', ['pkcs12', '-export', '-in', at('cert.pem'), '-inkey', at('key.pem'), '-out', at('upsd.p12'), '-name', 'upsd', '-passout', 'pass:p12']);
  mkdirSync(at('nss'));
  await step('/usr/bin/certutil', ['-N', '-d', `sql:${at('nss')}`, '--empty-password']);
  await step('/usr/bin/pk12util', ['-i', at('upsd.p12'), '-d', `sql:${at('nss')}`, '-W', 'p12', '-K', '']);
  const fingerprint = (await step('/usr/bin/openssl', ['x509', '-in', at('cert.pem'), '-noout', '-fingerprint', '-sha256'])).trim().split('=')[1];
  return { pem: readFileSync(at('cert.pem'), 'utf8'), fingerprint, lines: `CERTPATH ${at('nss')}\nCERTIDENT "upsd" ""\n` };
}

/** `devices`: UPS name → dump file name in test/fixtures/nut-ddl (or an absolute path); `tls`: STARTTLS on. */
export async function startUpsd(devices: Record<string, string>, options: { tls?: boolean } = {}): Promise<Upsd> {
  for (const f of [`${NUT_BIN}/upsd`, `${NUT_BIN}/dummy-ups`, '/usr/bin/upsc', '/usr/bin/upscmd']) need(f);
  const dir = mkdtempSync(path.join(tmpdir(), 'rackpower-upsd-'));
  const state = path.join(dir, 'state');
  mkdirSync(state);
  const port = await freeTcpPort();
  const user = userInfo().username;
  const files: Record<string, string> = {};
  let upsConf = '';
  for (const [name, dump] of Object.entries(devices)) {
    const file = path.join(dir, `${name}.dev`);
    copyFileSync(path.isAbsolute(dump) ? dump : path.join(DDL, dump), file);
    files[name] = file;
    upsConf += `[${name}]\n  driver = dummy-ups\n  port = ${file}\n  desc = "${name} from ${path.basename(dump)}"\n`;
  }
  writeFileSync(path.join(dir, 'nut.conf'), 'MODE=netserver\n');
  writeFileSync(path.join(dir, 'ups.conf'), upsConf);
  const tls = options.tls ? await nssCertificate(dir) : undefined;
  writeFileSync(path.join(dir, 'upsd.conf'), `LISTEN 127.0.0.1 ${port}\n${tls?.lines ?? ''}`);
  const quoted = QUOTED.password.replace(/["\\]/gu, (c) => `\\${c}`);
  writeFileSync(
    path.join(dir, 'upsd.users'),
    `[${ADMIN.user}]\n  password = ${ADMIN.password}\n  actions = SET FSD\n  instcmds = ALL\n  upsmon primary\n` +
      `[${QUOTED.user}]\n  password = "${quoted}"\n  actions = SET\n` +
      `[${MONITOR.user}]\n  password = ${MONITOR.password}\n  upsmon secondary\n`,
  );
  chmodSync(path.join(dir, 'upsd.users'), 0o600);
  chmodSync(state, 0o700);
  const env = { ...process.env, NUT_CONFPATH: dir, NUT_STATEPATH: state };
  const children: ChildProcess[] = [];
  const spawnQuiet = (file: string, args: string[]): ChildProcess => {
    const child = spawn(file, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (log = (log + d).slice(-4000)));
    child.on('exit', (code) => {
      if (code && !stopping) process.stderr.write(`${path.basename(file)} exited ${code}: ${log}\n`);
    });
    children.push(child);
    return child;
  };
  let stopping = false;
  // -F: foreground without debug output, so each is our child and dies with the test.
  const drivers: Record<string, ChildProcess> = {};
  for (const name of Object.keys(devices)) drivers[name] = spawnQuiet(`${NUT_BIN}/dummy-ups`, ['-a', name, '-u', user, '-F']);
  spawnQuiet(`${NUT_BIN}/upsd`, ['-u', user, '-F']);

  const client = (program: string, args: string[]): Promise<Result> => run(program, args, env, 30_000);
  const upsc = async (ups: string): Promise<Map<string, string>> => {
    const r = await client('upsc', [`${ups}@127.0.0.1:${port}`]);
    if (r.code !== 0) throw new Error(`upsc ${ups}: ${r.stderr}`);
    const map = new Map<string, string>();
    for (const line of r.stdout.split('\n')) {
      const i = line.indexOf(': ');
      if (i > 0) map.set(line.slice(0, i), line.slice(i + 2));
    }
    return map;
  };
  const stop = async (): Promise<void> => {
    stopping = true;
    await Promise.all(children.map(waitExit));
    rmSync(dir, { recursive: true, force: true });
  };
  // Ready when upsc shows every variable of every dump: dummy-ups hands its dump to upsd a few at a time.
  const deadline = Date.now() + 30_000;
  for (const name of Object.keys(devices)) {
    const wanted = dumpNames(files[name]);
    for (;;) {
      const have = await upsc(name).catch(() => new Map<string, string>());
      const missing = wanted.filter((n) => !have.has(n));
      if (!missing.length) break;
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`upsd/dummy-ups did not serve ${missing.join(', ')} of ${name} within 30 s`);
      }
      await new Promise((res) => setTimeout(res, 250));
    }
  }
  return {
    port,
    dir,
    files,
    env,
    ...(tls && { certificate: { pem: tls.pem, fingerprint: tls.fingerprint } }),
    upsc,
    client,
    setVariable(ups, name, value) {
      const file = files[ups];
      const lines = readFileSync(file, 'utf8').split('\n').filter((l) => !l.startsWith(`${name}:`));
      lines.push(`${name}: ${value}`);
      writeFileSync(file, lines.join('\n') + '\n');
    },
    stopDriver: (ups) => waitExit(drivers[ups]),
    stop,
  };
}
