// Instant commands through a NUT server (INSTCMD), behind the same guards as SNMP UPS commands: control enabled,
// the command on the allowlist, a rate limit, a dry run that sends nothing. The UPS must list the command (LIST CMD)
// before anything is sent; upsd's tracking (GET TRACKING) is the read-back: SUCCESS means the driver carried it out.
import { RackpowerError } from '../errors';
import type { NutClient } from '../protocol/nut/client';
import { isPlainWord } from '../protocol/nut/line';
import type { Guard } from './guards';

export interface NutCommandRequest {
  /** A NUT instant command name (`beeper.mute`, `test.battery.start`, `shutdown.return` …). */
  command: string;
  /** INSTCMD's optional argument (e.g. a delay for commands that take one). */
  param?: string;
}

export interface NutCommandResult {
  command: string;
  dryRun: boolean;
  /** The protocol lines sent (or that a dry run would send). */
  sent: string[];
  /** upsd tracked the command and the driver reported SUCCESS. */
  verified: boolean;
  /** upsd's tracking verdict: SUCCESS, PENDING (still running when we stopped waiting) or UNTRACKED. */
  readback?: string;
  message: string;
}

export class NutCommander {
  constructor(
    private readonly client: NutClient,
    private readonly ups: string,
    private readonly guard: Guard,
    private readonly now: () => number = Date.now,
  ) {}

  /** `dryRun` asks for a dry run of this one request; it never forces a real one. */
  async execute(request: NutCommandRequest, dryRun = false): Promise<NutCommandResult> {
    const { command, param } = request;
    if (!isPlainWord(command)) throw new RackpowerError('CONFIG', `"${String(command).slice(0, 40)}" is not a NUT instant command name`);
    if (param !== undefined && (param.length > 64 || /[\r\n]/u.test(param))) throw new RackpowerError('CONFIG', 'the command parameter must be one short line');
    const dry = dryRun || this.guard.dryRun;
    this.guard.check({ key: command }, this.now(), dry);
    const offered = await this.client.listCmd(this.ups);
    if (!offered.includes(command)) {
      throw new RackpowerError('CONFIG', `${this.ups} offers no ${command} (it offers: ${offered.join(', ') || 'no instant commands'})`);
    }
    const sent = [`INSTCMD ${this.ups} ${command}${param === undefined ? '' : ` "${param}"`}`];
    if (dry) return { command, dryRun: true, sent, verified: false, message: `dry run: would send ${command} to ${this.ups}` };
    this.guard.record(this.now());
    const result = await this.client.instcmd(this.ups, command, param);
    if (result.status === 'SUCCESS') return { command, dryRun: false, sent, verified: true, readback: result.status, message: `${command} carried out by ${this.ups} (tracked by upsd)` };
    const why = result.status === 'PENDING' ? 'the driver has not finished it yet' : 'this upsd does not track commands';
    return { command, dryRun: false, sent, verified: false, readback: result.status, message: `${command} accepted by upsd (${why})` };
  }
}
