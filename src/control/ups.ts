// Commands a UPS by SNMP SET (self-test, beeper, shutdown with return and delay, abort) behind the same guards as
// outlets, and reads back what the device offers to confirm it (a countdown running, the beeper state).
import { RackpowerError } from '../errors';
import type { SetVarbind, SnmpClient } from '../protocol/snmp/client';
import type { Guard } from './guards';
import { UPS_COMMANDS, toVarbind, type UpsCommand, type UpsCommandName } from './profile-control';

export interface UpsRequest {
  command: UpsCommandName;
  /** shutdown.return: seconds before the output goes off (default 60). */
  delayS?: number;
}

export interface UpsResult {
  command: UpsCommandName;
  dryRun: boolean;
  sent: SetVarbind[];
  /** Confirmed by reading back (false: the device offers nothing to read back for this command). */
  verified: boolean;
  /** What the read-back said (the countdown in s, the beeper state). */
  readback?: number | string;
  message: string;
}

export class UpsCommander {
  constructor(
    private readonly client: SnmpClient,
    private readonly commands: Partial<Record<UpsCommandName, UpsCommand>>,
    private readonly guard: Guard,
    private readonly now: () => number = Date.now,
  ) {}

  /** `dryRun` asks for a dry run of this one request; it never forces a real one. */
  async execute(request: UpsRequest, dryRun = false): Promise<UpsResult> {
    const name = request.command;
    if (!UPS_COMMANDS.includes(name)) throw new RackpowerError('CONFIG', `unknown UPS command "${name}" (${UPS_COMMANDS.join(', ')})`);
    const command = this.commands[name];
    if (!command) throw new RackpowerError('CONFIG', `this UPS offers no ${name} over SNMP`);
    const delayS = request.delayS ?? 60;
    if (!(Number.isInteger(delayS) && delayS >= 0 && delayS <= 86_400)) throw new RackpowerError('CONFIG', `delay ${request.delayS} is not 0-86400 s`);
    const dry = dryRun || this.guard.dryRun;
    this.guard.check({ key: name }, this.now(), dry);
    const sent = command.set.map((s) => toVarbind(s, '', delayS));
    if (dry) return { command: name, dryRun: true, sent, verified: false, message: `dry run: would send ${name}` };
    this.guard.record(this.now());
    await this.client.set(sent);
    const verify = command.verify;
    if (!verify) return { command: name, dryRun: false, sent, verified: false, message: `${name} accepted (the device offers no read-back)` };
    const oid = verify.oid.replace(/^\./u, '');
    const got = (await this.client.get([oid])).get(oid)?.value;
    const ok = verify.countdown ? Number(got) > 0 : Number(got) === verify.equals;
    if (!ok) throw new RackpowerError('PROTOCOL', `${name} was accepted but ${oid} reads ${got ?? 'nothing'} (expected ${verify.countdown ? 'a running countdown' : verify.equals})`);
    return { command: name, dryRun: false, sent, verified: true, readback: got, message: `${name} confirmed: ${oid} reads ${got}` };
  }
}
