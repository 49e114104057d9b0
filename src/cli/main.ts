#!/usr/bin/env node
// The rackpower command: the same engine as the Node-RED nodes, for shells, scripts and bug reports.
import { asRackpowerError } from '../errors';
import type { ErrorCode } from '../types';
import { CALIBRATE } from './calibrate';
import { COMMAND } from './command';
import { MQTT } from './mqtt';
import { PROFILES } from './profiles';
import { DISCOVER, READ } from './read';
import { RECORD } from './record';
import { SIM } from './sim';
import { commandHelp, mainHelp, UsageError, wantsHelp, type CommandSpec } from './spec';
import { TRAPS } from './traps';
import { WATCH } from './watch';

/** Exit status per failure, so scripts can tell a dead device from a misconfigured one. */
export const EXIT_CODES: Record<ErrorCode, number> = {
  CONFIG: 2,
  TIMEOUT: 3,
  AUTH: 4,
  UNKNOWN_DEVICE: 5,
  PROTOCOL: 6,
  UNREACHABLE: 7,
  UNSUPPORTED: 8,
};

/** Every command: its spec validates its arguments and prints its --help. A new command is one entry here. */
const COMMANDS: CommandSpec[] = [READ, DISCOVER, RECORD, PROFILES, COMMAND, CALIBRATE, SIM, WATCH, TRAPS, MQTT];

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const spec = name === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    process.stdout.write(spec ? commandHelp(spec) : mainHelp(COMMANDS));
    return;
  }
  const spec = COMMANDS.find((c) => c.name === name);
  if (!spec) throw usage(`unknown command "${name}"`);
  if (wantsHelp(rest)) {
    process.stdout.write(commandHelp(spec));
    return;
  }
  await spec.run(rest);
}

function usage(message: string): Error & { usage: true } {
  return Object.assign(new Error(message), { usage: true as const });
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (err: unknown) => {
    if ((err as { usage?: boolean }).usage) {
      process.stderr.write(`rackpower: ${(err as Error).message}\n\n${mainHelp(COMMANDS)}`);
      process.exit(2);
    }
    const e = asRackpowerError(err);
    process.stderr.write(`rackpower: ${e.code.toLowerCase()}: ${e.message}\n${e instanceof UsageError ? e.usageLine + '\n' : ''}`);
    process.exit(EXIT_CODES[e.code]);
  },
);
