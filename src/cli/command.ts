// `rackpower command <url> <instcmd> [param]`: an instant command, like NUT's upscmd, for a UPS behind a NUT server
// (INSTCMD, tracked) or on an SNMP card (the vendor's SETs, read back). The same guards as the ups command node: the
// command must be one the UPS offers, a dry run sends nothing, and a command that switches power needs --yes.
import { RackpowerError } from '../errors';
import { Guard } from '../control/guards';
import { NutCommander } from '../control/nut';
import { UpsCommander } from '../control/ups';
import { resolveControl } from '../control/detect';
import { UPS_COMMANDS, type UpsCommandName } from '../control/profile-control';
import { NutClient } from '../protocol/nut/client';
import { SnmpClient } from '../protocol/snmp/client';
import { parseTarget } from '../url';
import { defineCommand, parseCommand, URL_FORMS } from './spec';

/** Commands that cut or switch the load; shutdown.stop only cancels one, so it may run without --yes. */
export function switchesPower(command: string): boolean {
  return command !== 'shutdown.stop' && /^(load\.|shutdown\.|outlet\.[\w.]*load\.|bypass\.)/u.test(command);
}

export const COMMAND = defineCommand({
  name: 'command',
  summary: 'run an instant command on a UPS, like upscmd: through a NUT server (INSTCMD, tracked) or an SNMP card',
  args: '<url> <instcmd> [param] [options]',
  positionals: { min: 2, max: 3, missing: 'command needs a device URL and an instant command' },
  options: {
    'dry-run': { type: 'boolean', help: 'check everything and send nothing' },
    yes: { type: 'boolean', help: 'needed for a command that switches power (shutdown.*, load.*, bypass.*)' },
    json: { type: 'boolean', help: 'one line of JSON instead of a sentence' },
  },
  notes: [URL_FORMS],
  run: (args) => runCommand(args),
});

export async function runCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseCommand(COMMAND, args);
  const [url, command, param] = positionals;
  const dryRun = values['dry-run'] === true;
  if (switchesPower(command) && !dryRun && !values.yes) {
    throw new RackpowerError('CONFIG', `${command} switches power: add --yes to send it (or --dry-run to see what would be sent)`);
  }
  // The command line names the one command to run: that is the allowlist.
  const guard = new Guard({ enabled: true, allow: [command], dryRun });
  const target = parseTarget(url);
  let result: { message: string };
  if (target.protocol === 'nut') {
    if (!target.ups) throw new RackpowerError('CONFIG', 'which UPS? nut://host/<ups>');
    const client = new NutClient(target.nut);
    try {
      result = await new NutCommander(client, target.ups, guard).execute({ command, param }, dryRun);
    } finally {
      await client.close();
    }
  } else if (target.protocol === 'snmp') {
    if (!UPS_COMMANDS.includes(command as UpsCommandName)) throw new RackpowerError('CONFIG', `over SNMP the UPS commands are ${UPS_COMMANDS.join(', ')}`);
    // A delay is whole seconds or nothing: "abc" must refuse the command, never fall back to a default.
    if (param !== undefined && !/^\d{1,6}$/u.test(param)) throw new RackpowerError('CONFIG', `delay "${param}" is not a whole number of seconds`);
    const delayS = param === undefined ? undefined : Number(param);
    const client = new SnmpClient(target.snmp);
    try {
      const control = await resolveControl(client, target.profile ?? 'auto', 'ups');
      result = await new UpsCommander(client, control.ups!, guard).execute({ command: command as UpsCommandName, delayS }, dryRun);
    } finally {
      client.close();
    }
  } else {
    throw new RackpowerError('CONFIG', `${target.protocol} has no instant commands${target.protocol === 'apcupsd' ? ' (apcupsd offers no control over NIS)' : ''}`);
  }
  process.stdout.write(values.json ? JSON.stringify({ ok: true, ...result }) + '\n' : `${result.message}\n`);
}
