// `rackpower traps`: a trap receiver in a shell. Prints every notification it accepts as one JSON line (the same
// normalized trap the Node-RED node sends), rejected ones on stderr, until Ctrl-C.
import { RackpowerError } from '../errors';
import type { AuthProtocol, PrivProtocol } from '../protocol/snmp/target';
import { DEFAULT_TRAP_PORT, TrapReceiver, type TrapReceiverOptions } from '../traps/receiver';
import { ENV_AUTH_KEY, ENV_PRIV_KEY } from '../url';
import { untilSignal } from './signals';
import { defineCommand, parseCommand } from './spec';

export interface CliIo {
  out: { write(text: string): unknown };
  err: { write(text: string): unknown };
  /** Resolves when the command should stop (Ctrl-C, or a test). */
  until: Promise<void>;
}

/** "0.0.0.0:1162", "[::1]:162", "127.0.0.1" or just "1162" → host and port. */
export function parseListen(text: string): { host: string; port: number } {
  const t = text.trim();
  if (/^\d+$/u.test(t)) return checkedPort('0.0.0.0', Number(t), text);
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+))(?::(\d+))?$/u.exec(t);
  if (!m) throw new RackpowerError('CONFIG', `--listen ${text}: expected host:port`);
  return checkedPort(m[1] ?? m[2], m[3] === undefined ? DEFAULT_TRAP_PORT : Number(m[3]), text);
}

function checkedPort(host: string, port: number, text: string): { host: string; port: number } {
  if (port > 65535) throw new RackpowerError('CONFIG', `--listen ${text}: port ${port} is not 0-65535`);
  return { host, port };
}

export const TRAP_OPTIONS = {
  community: { type: 'string', multiple: true, value: 'C', help: 'v1/v2c community to accept; public if none is given' },
  user: { type: 'string', value: 'U', help: 'SNMPv3 user to accept; keys from RACKPOWER_SNMP_AUTH_KEY / RACKPOWER_SNMP_PRIV_KEY' },
  auth: { type: 'string', value: 'PROTO', help: 'SNMPv3 authentication: md5, sha, sha224, sha256, sha384, sha512' },
  priv: { type: 'string', value: 'PROTO', help: 'SNMPv3 privacy: des, aes, aes256b, aes256r' },
} as const;

/** Receiver options from the command line; v3 keys from the same environment variables as snmpv3:// URLs. */
export function receiverOptions(values: { community?: string[]; user?: string; auth?: string; priv?: string }, listen: string, env = process.env): TrapReceiverOptions {
  const { host, port } = parseListen(listen);
  const auth = values.auth as AuthProtocol | undefined;
  const priv = values.priv as PrivProtocol | undefined;
  const users = values.user ? [{ name: values.user, authProtocol: auth, authKey: auth && env[ENV_AUTH_KEY], privProtocol: priv, privKey: priv && env[ENV_PRIV_KEY] }] : [];
  return { host, port, communities: values.community?.length ? values.community : ['public'], users };
}

/** `rackpower traps [--listen host:port] [--community C]... [--user U --auth sha --priv aes]` */
export async function runTraps(args: string[], io: CliIo = { out: process.stdout, err: process.stderr, until: untilSignal() }): Promise<void> {
  const { values } = parseCommand(TRAPS, args);
  const receiver = new TrapReceiver(receiverOptions(values, values.listen));
  receiver.on('trap', (trap) => io.out.write(JSON.stringify(trap) + '\n'));
  receiver.on('rejected', (err) => io.err.write(`rackpower: ${err.message}\n`));
  const { host, port } = await receiver.start();
  io.err.write(`rackpower: listening for traps on ${host}:${port}\n`);
  await io.until;
  await receiver.close();
}

export const TRAPS = defineCommand({
  name: 'traps',
  summary: 'receive SNMP traps and print each accepted one as a JSON line until Ctrl-C',
  args: '[--listen host:port] [--community C]... [--user U --auth sha --priv aes]',
  positionals: { min: 0, max: 0 },
  options: { listen: { type: 'string', value: 'host:port', default: `0.0.0.0:${DEFAULT_TRAP_PORT}`, help: 'where to listen' }, ...TRAP_OPTIONS },
  notes: ['Rejected traps (wrong community, unknown user) are reported on stderr.'],
  run: (args): Promise<void> => runTraps(args),
});
