// The built `rackpower` command's help and argument checks as a real process: `--help` everywhere exits 0 with
// usage, options, URL forms and exit codes; a command line that does not fit its command exits 2 (config) before
// any device is contacted; URL numbers are decimal integers and port 0 is refused.
// @module-tag slow: about 30 runs of the built CLI as processes
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRack, type RunningRack } from '../../src/sim/rack';
import { loadScenario } from '../../src/sim/scenario';
import { ensureBuilt } from '../harness/build';
import { freeTcpPort, freeUdpPort } from '../harness/ports';
import { run, type Result } from '../harness/process';

const CLI = path.resolve(__dirname, '..', '..', 'dist', 'src', 'cli', 'main.js');
const rackpower = (args: string[]): Promise<Result> => run(process.execPath, [CLI, ...args]);

/** Every command and the options its help must name (a new command or option that is not documented fails here). */
const COMMANDS: Record<string, string[]> = {
  read: ['--profile', '--profile-file', '--json'],
  discover: ['--profile', '--profile-file', '--json'],
  record: ['--out', '--raw', '--profile-file'],
  profiles: ['--json'],
  sim: ['--scenario', '--port', '--speed', '--community', '--copies'],
  watch: ['--interval', '--confirm', '--traps', '--community', '--user', '--auth', '--priv'],
  traps: ['--listen', '--community', '--user', '--auth', '--priv'],
  mqtt: ['--broker', '--ha', '--prefix', '--discovery-prefix', '--status-topic', '--interval'],
};

/** A refused command line: exit 2, nothing on stdout, the reason then the command's usage line on stderr. */
function refused(r: Result, command: string): string {
  expect(r.stdout).toBe('');
  expect(r.code, r.stderr).toBe(2);
  const lines = r.stderr.split('\n').filter(Boolean);
  expect(lines[0]).toMatch(/^rackpower: config: \S/);
  if (command) expect(lines[1]).toMatch(new RegExp(`^usage: rackpower ${command} `));
  return lines[0];
}

let rack: RunningRack;
beforeAll(async () => {
  ensureBuilt();
  rack = await startRack(loadScenario('demo'), { speed: 0 });
}, 180_000);
afterAll(async () => {
  await rack?.close();
});

describe('rackpower --help', () => {
  it.each([['--help'], ['-h'], ['help'], ['']])('rackpower %s: every command, the URL forms and the exit codes; exit 0', async (...args) => {
    const r = await rackpower(args.filter(Boolean));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^usage: rackpower <command>/);
    for (const name of Object.keys(COMMANDS)) expect(r.stdout).toMatch(new RegExp(`^  ${name}\\s+\\S`, 'm'));
    for (const scheme of ['snmp://', 'snmpv3://', 'modbus-tcp://', 'modbus-rtu:']) expect(r.stdout).toContain(scheme);
    for (const [code, what] of [[2, 'usage'], [3, 'timeout'], [4, 'authentication'], [5, 'unknown device'], [6, 'protocol'], [7, 'unreachable'], [8, 'unsupported']]) {
      expect(r.stdout).toContain(`${code} ${what}`);
    }
  });

  it.each(Object.entries(COMMANDS))('rackpower %s --help and -h: usage, every option, exit codes; exit 0', async (command, options) => {
    const [long, short, viaHelp] = await Promise.all([rackpower([command, '--help']), rackpower([command, 'snmp://127.0.0.1', '-h']), rackpower(['help', command])]);
    for (const r of [long, short, viaHelp]) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(new RegExp(`^usage: rackpower ${command} `));
      for (const option of options) expect(r.stdout).toMatch(new RegExp(`^ +(-\\w, )?${option}\\b.*\\S`, 'm'));
      expect(r.stdout).toContain('exit status:');
    }
    expect(short.stdout).toBe(long.stdout);
  });

  it('commands that take device URLs list their forms', async () => {
    for (const command of ['read', 'discover', 'watch', 'mqtt']) expect((await rackpower([command, '--help'])).stdout).toContain('modbus-tcp://host[:port]?unit=N');
  });
});

describe('command lines that do not fit: exit 2 before any device is contacted', () => {
  it('an unknown option (rackpower read <url> --bogus) is a usage error, not a protocol one', async () => {
    const port = await freeUdpPort();
    const line = refused(await rackpower(['read', `snmp://127.0.0.1:${port}`, '--bogus']), 'read');
    expect(line).toContain("'--bogus'");
  });

  it.each([
    ['an option without its value', ['read', 'snmp://127.0.0.1', '--profile'], 'read'],
    ['a value for a flag', ['read', 'snmp://127.0.0.1', '--json=yes'], 'read'],
    ['two URLs for read', ['read', 'snmp://127.0.0.1', 'snmp://127.0.0.2'], 'read'],
    ['an argument to profiles', ['profiles', 'extra'], 'profiles'],
    ['an unknown option of watch', ['watch', 'snmp://127.0.0.1', '--intervall', '5'], 'watch'],
    ['an unknown option of mqtt', ['mqtt', 'snmp://127.0.0.1', '--broker', 'mqtt://127.0.0.1', '--retain'], 'mqtt'],
    ['an argument to sim', ['sim', 'demo'], 'sim'],
    ['record without a URL', ['record'], 'record'],
  ])('%s', async (_what, args, command) => {
    refused(await rackpower(args), command);
  });

  it.each([
    ['unit=1e2 (not read as 100)', 'unit=1e2'],
    ['unit=0x10', 'unit=0x10'],
    ['unit=+5', 'unit=%2B5'],
    ['timeout=1e3', 'timeout=1e3'],
  ])('URL numbers are decimal integers: %s → 2', async (_what, query) => {
    const port = await freeTcpPort();
    const line = refused(await rackpower(['read', `modbus-tcp://127.0.0.1:${port}?${query}&profile=xy-md02`]), '');
    expect(line).toMatch(/is not an integer/);
  });

  it.each([
    ['Modbus', 'modbus-tcp://127.0.0.1:0?unit=1&profile=xy-md02'],
    ['SNMP', 'snmp://127.0.0.1:0'],
  ])('%s port 0 → 2 (config), not 7 (unreachable)', async (_what, url) => {
    expect(refused(await rackpower(['read', url]), '')).toContain('port 0');
  });

  it.each([
    ['a regular file', 'modbus-rtu:/etc/passwd?profile=xy-md02', /is a regular file, not a serial port/],
    ['a character device that is no serial port', 'modbus-rtu:/dev/null?profile=xy-md02', /not a serial port/],
  ])('a modbus-rtu: URL naming %s → 2, never opened', async (_what, url, why) => {
    expect(refused(await rackpower(['read', url]), '')).toMatch(why);
  });
});

describe('units in the table', () => {
  it('the reactive power row carries var', async () => {
    const meter = rack.devices.find((d) => d.name === 'meter')!;
    const r = await rackpower(['read', meter.url]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^input\.reactivepower\s+[\d.]+ var$/m);
    expect(r.stdout).toMatch(/^input\.realpower\s+[\d.]+ W$/m);
    expect(r.stdout).toMatch(/^input\.power\s+[\d.]+ VA$/m);
  });
});
