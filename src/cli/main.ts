#!/usr/bin/env node
// The rackpower command: the same engine as the Node-RED nodes, for shells, scripts and bug reports.
import { parseArgs } from 'node:util';
import { asRackpowerError } from '../errors';
import type { ErrorCode } from '../types';
import { shippedProfiles } from '../profiles/load';
import { runProfiles } from './profiles';
import { customProfile, runDiscover, runRead } from './read';

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

const USAGE = `usage:
  rackpower read <url> [--profile ID | --profile-file FILE] [--json]
  rackpower discover <url> [--profile ID | --profile-file FILE] [--json]
  rackpower record <url> [--out FILE] [--raw] [--profile-file FILE]
  rackpower profiles [--json]
  rackpower sim [--scenario FILE|NAME] [--port BASE] [--speed X] [--community C] [--copies N]
  rackpower watch <url[#name]>... [--interval S] [--confirm N] [--traps host:port]   JSON lines until Ctrl-C
                  [--state FILE|none] [--replace-below PCT]   battery truth and energy kept in FILE
  rackpower calibrate <ups-url[#name]> [--yes] [--floor PCT] [--min-runtime S] [--interval S] [--state FILE|none]
                  a guarded calibration discharge (dry run without --yes), recorded in the battery history
  rackpower traps [--listen host:port] [--community C]... [--user U --auth sha --priv aes]   JSON lines
  rackpower mqtt <url[#name]>... --broker mqtt://[user@]host[:port] [--ha] [--prefix P] [--interval S]
                 [--discovery-prefix P] [--status-topic T] [--state FILE|none]
                 broker password from RACKPOWER_MQTT_PASSWORD

urls:
  snmp://[community@]host[:port][?version=1&timeout=MS&retries=N]
  snmpv3://user@host[:port]?auth=sha&priv=aes     keys from RACKPOWER_SNMP_AUTH_KEY / RACKPOWER_SNMP_PRIV_KEY
  modbus-tcp://host[:port]?unit=N&profile=ID
  modbus-rtu:/dev/ttyUSB0?baud=9600&parity=none&unit=N&profile=ID
`;

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === 'sim') {
    const { runSim } = await import('./sim.js');
    await runSim(rest);
    return;
  }
  if (command === 'watch' || command === 'traps') {
    const { runWatch } = await import('./watch.js');
    const { runTraps } = await import('./traps.js');
    await (command === 'watch' ? runWatch : runTraps)(rest);
    return;
  }
  if (command === 'calibrate') {
    const { runCalibrate } = await import('./calibrate.js');
    await runCalibrate(rest);
    return;
  }
  if (command === 'mqtt') {
    const { runMqtt } = await import('./mqtt.js');
    await runMqtt(rest);
    return;
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      profile: { type: 'string' },
      'profile-file': { type: 'string' },
      out: { type: 'string', short: 'o' },
      raw: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || !command || command === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  switch (command) {
    case 'read':
    case 'discover': {
      const url = positionals[0];
      if (!url) throw usage(`${command} needs a device URL`);
      const run = command === 'read' ? runRead : runDiscover;
      await run(url, { profile: values.profile, profileFile: values['profile-file'], json: values.json });
      return;
    }
    case 'record': {
      const url = positionals[0];
      if (!url) throw usage('record needs a device URL');
      const { runRecord } = await import('./record.js');
      // A user's own profile adds its OIDs to what is walked (and its names to what is anonymized).
      const custom = customProfile({ profileFile: values['profile-file'] });
      await runRecord(url, { out: values.out, raw: values.raw, profiles: custom ? [...shippedProfiles(), custom] : undefined });
      return;
    }
    case 'profiles':
      runProfiles(values.json);
      return;
    default:
      throw usage(`unknown command "${command}"`);
  }
}

function usage(message: string): Error & { usage: true } {
  return Object.assign(new Error(message), { usage: true as const });
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (err: unknown) => {
    if ((err as { usage?: boolean }).usage) {
      process.stderr.write(`rackpower: ${(err as Error).message}\n\n${USAGE}`);
      process.exit(2);
    }
    const e = asRackpowerError(err);
    process.stderr.write(`rackpower: ${e.code.toLowerCase()}: ${e.message}\n`);
    process.exit(EXIT_CODES[e.code]);
  },
);
