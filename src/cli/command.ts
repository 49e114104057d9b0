// `rackpower command <url> <instcmd> [param]`: an instant command, like NUT's upscmd, for a UPS behind a NUT server
// (INSTCMD, tracked) or on an SNMP card (the vendor's SETs, read back). The same guards as the ups command node: the
// command must be one the UPS offers, a dry run sends nothing, and a command that switches power needs --yes.
import { parseArgs } from 'node:util';
import { RackpowerError } from '../errors';
import { Guard } from '../control/guards';
import { NutCommander } from '../control/nut';
import { UpsCommander } from '../control/ups';
import { resolveControl } from '../control/detect';
import { UPS_COMMANDS, type UpsCommandName } from '../control/vendors';
import { NutClient } from '../protocol/nut/client';
import { SnmpClient } from '../protocol/snmp/client';
import { parseTarget } from '../url';

/** Commands that cut or switch the load; shutdown.stop only cancels one, so it may run without --yes. */
export function switchesPower(command: string): boolean {
  return command !== 'shutdown.stop' && /^(load\.|shutdown\.|outlet\.[\w.]*load\.|bypass\.)/u.test(command);
}

export async function runCommand(args: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        'dry-run': { type: 'boolean', default: false },
        yes: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
      },
    });
  } catch (err) {
    throw new RackpowerError('CONFIG', (err as Error).message);
  }
  const { values, positionals } = parsed;
  const [url, command, param] = positionals;
  if (!url || !command || positionals.length > 3) throw new RackpowerError('CONFIG', 'usage: rackpower command <url> <instcmd> [param] [--dry-run] [--yes] [--json]');
  const dryRun = values['dry-run'];
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
