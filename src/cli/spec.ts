// What each rackpower command accepts, as data: its options, positionals and notes. One spec both validates a
// command line (node:util parseArgs, strict) and prints `rackpower <command> --help`, so they cannot disagree. A new
// command is one spec in src/cli/main.ts's list.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { RackpowerError } from '../errors';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  default?: string | boolean;
  /** The value's placeholder in the help (`S`, `FILE`, `host:port`); string options only. */
  value?: string;
  help: string;
}

export type OptionSpecs = Record<string, OptionSpec>;

type ValueOf<O extends OptionSpec> = O['type'] extends 'boolean' ? boolean : O['multiple'] extends true ? string[] : string;
/** The parsed values of a set of options: those with a default are always there. */
export type Values<O extends OptionSpecs> = { [K in keyof O]: O[K] extends { default: unknown } ? ValueOf<O[K]> : ValueOf<O[K]> | undefined };

export interface CommandSpec<O extends OptionSpecs = OptionSpecs> {
  name: string;
  /** One line for `rackpower --help`. */
  summary: string;
  /** What follows the command name in the usage line, options summarized as [options]. */
  args: string;
  /** How many positionals the command takes. */
  positionals: { min: number; max: number; missing?: string };
  options: O;
  /** Extra help paragraphs: URL forms, environment variables, output format. */
  notes?: string[];
  /** Runs the command with its arguments (after the command name); validates them with parseCommand. */
  run(args: string[]): Promise<void>;
}

/** The device URL forms every command that takes a URL understands. */
export const URL_FORMS = `device URLs:
  snmp://[community@]host[:port][?version=1&timeout=MS&retries=N]
  snmpv3://user@host[:port]?auth=sha&priv=aes     keys from RACKPOWER_SNMP_AUTH_KEY / RACKPOWER_SNMP_PRIV_KEY
  modbus-tcp://host[:port]?unit=N&profile=ID
  modbus-rtu:/dev/ttyUSB0?baud=9600&parity=none&unit=N&profile=ID
  nut://[user@]host[:3493]/<ups>[?tls=verify|pin|skip&fingerprint=SHA256]   password from RACKPOWER_NUT_PASSWORD
  apcupsd://host[:3551]`;

/** What the exit status says, so scripts can tell a dead device from a misconfigured one. */
export const EXIT_STATUS = `exit status:
  0 success (and --help)    2 usage or configuration    3 timeout    4 authentication
  5 unknown device          6 protocol                  7 unreachable    8 unsupported`;

/** A command line that does not fit its command's spec: exit 2, with the command's usage line. */
export class UsageError extends RackpowerError {
  constructor(
    readonly spec: CommandSpec,
    message: string,
  ) {
    super('CONFIG', message);
  }

  get usageLine(): string {
    return `usage: rackpower ${this.spec.name} ${this.spec.args}   (rackpower ${this.spec.name} --help for more)`;
  }
}

/** A spec with its option names and types kept, so parseCommand's values are typed. */
export function defineCommand<const O extends OptionSpecs>(spec: CommandSpec<O>): CommandSpec<O> {
  return spec;
}

/** Validates a command line against the spec: unknown options, missing values and wrong positional counts are CONFIG. */
export function parseCommand<O extends OptionSpecs>(spec: CommandSpec<O>, args: string[]): { values: Values<O>; positionals: string[] } {
  let parsed;
  try {
    parsed = parseArgs({ args, strict: true, allowPositionals: spec.positionals.max > 0, options: parserOptions(spec.options) });
  } catch (err) {
    throw new UsageError(spec, `${spec.name}: ${(err as Error).message.replace(/\. To specify a positional argument.*$/su, '')}`);
  }
  const { values, positionals } = parsed;
  if (positionals.length < spec.positionals.min) throw new UsageError(spec, spec.positionals.missing ?? `${spec.name} needs ${spec.args}`);
  if (positionals.length > spec.positionals.max) {
    throw new UsageError(spec, `${spec.name} takes ${spec.positionals.max || 'no'} argument${spec.positionals.max === 1 ? '' : 's'}, got ${positionals.length}: ${positionals.join(' ')}`);
  }
  return { values: values as Values<O>, positionals };
}

function parserOptions(options: OptionSpecs): NonNullable<ParseArgsConfig['options']> {
  return Object.fromEntries(
    Object.entries(options).map(([name, o]) => [name, { type: o.type, ...(o.short && { short: o.short }), ...(o.multiple && { multiple: true }), ...(o.default !== undefined && { default: o.default }) }]),
  );
}

/** True when the arguments ask for help (`-h`/`--help` before any `--`). */
export function wantsHelp(args: string[]): boolean {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

export function commandHelp(spec: CommandSpec): string {
  const rows = Object.entries(spec.options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`;
    const extra = [o.multiple && 'repeatable', o.default !== undefined && o.type === 'string' && `default ${o.default}`].filter(Boolean).join(', ');
    return [flag, extra ? `${o.help} (${extra})` : o.help];
  });
  rows.push(['-h, --help', 'this help']);
  const width = Math.max(...rows.map(([flag]) => flag.length));
  return [
    `usage: rackpower ${spec.name} ${spec.args}`,
    '',
    spec.summary,
    '',
    'options:',
    ...rows.map(([flag, help]) => `  ${flag.padEnd(width)}  ${help}`),
    ...(spec.notes ?? []).flatMap((n) => ['', n]),
    '',
    EXIT_STATUS,
    '',
  ].join('\n');
}

export function mainHelp(specs: CommandSpec[]): string {
  const width = Math.max(...specs.map((s) => s.name.length));
  return [
    'usage: rackpower <command> [options]',
    '',
    'Reads UPS units, PDUs, rack sensors and energy meters over SNMP and Modbus, with NUT variable names.',
    '',
    'commands:',
    ...specs.map((s) => `  ${s.name.padEnd(width)}  ${s.summary}`),
    '',
    '`rackpower <command> --help` shows a command\'s options.',
    '',
    URL_FORMS,
    '',
    EXIT_STATUS,
    '',
  ].join('\n');
}
