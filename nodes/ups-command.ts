// rackpower-ups-command: battery self-test, beeper and shutdown-with-return commands to a UPS by SNMP SET, behind
// the same guards as outlets (enabled switch, allowed commands, rate limit, dry run), confirmed by read-back where
// the device offers one. The engine is src/control/ups.ts.
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { asRackpowerError } from '../src/errors';
import { resolveControl } from '../src/control/detect';
import { Guard, parseList } from '../src/control/guards';
import { num, upsRequest, wantsDryRun } from '../src/control/messages';
import { UpsCommander } from '../src/control/ups';
import { closeWith } from './lib/close';
import type { SnmpEndpointNode } from './lib/connections';

interface UpsCommandDef extends NodeDef {
  endpoint: string;
  profile: string;
  allow: string;
  rateCount: number | string;
  ratePerS: number | string;
  dryRun: boolean;
  delay: number | string;
}


export = function (RED: NodeAPI): void {
  RED.nodes.registerType('rackpower-ups-command', function (this: Node, def: UpsCommandDef) {
    RED.nodes.createNode(this, def);
    const endpoint = RED.nodes.getNode(def.endpoint) as SnmpEndpointNode | null;
    if (!endpoint || endpoint.type !== 'rackpower-snmp-endpoint') {
      this.status({ fill: 'red', shape: 'ring', text: 'no SNMP agent selected' });
      return;
    }
    const client = endpoint.connection.acquire();
    const guard = new Guard({
      // Off unless the SNMP agent config node allows control: one switch per device, where its credentials are.
      enabled: endpoint.settings.allowControl === true,
      allow: parseList(def.allow),
      rateLimit: { count: num(def.rateCount, 3), perS: num(def.ratePerS, 300) },
      dryRun: def.dryRun === true,
    });
    let commander: Promise<UpsCommander> | undefined;
    const commanderFor = (): Promise<UpsCommander> =>
      (commander ??= resolveControl(client, def.profile, 'ups').then(
        (v) => new UpsCommander(client, v.ups!, guard),
        (err: unknown) => {
          commander = undefined;
          throw err;
        },
      ));
    this.status(
      endpoint.settings.allowControl ? { fill: def.dryRun ? 'yellow' : 'green', shape: 'ring', text: def.dryRun ? 'dry run' : 'ready' } : { fill: 'grey', shape: 'ring', text: 'control not enabled' },
    );
    let queue: Promise<void> = Promise.resolve();
    this.on('input', (msg, send, done) => {
      queue = queue.then(async () => {
        try {
          const request = upsRequest(msg, num(def.delay, 60));
          const result = await (await commanderFor()).execute(request, wantsDryRun(msg));
          this.status({ fill: result.dryRun ? 'yellow' : 'green', shape: 'dot', text: result.message.slice(0, 60) });
          send({ ...msg, topic: msg.topic || `rackpower/ups-command/${result.command}`, payload: { ok: true, ...result } });
        } catch (err) {
          const e = asRackpowerError(err);
          this.status({ fill: 'red', shape: 'ring', text: e.message.slice(0, 60) });
          const error = { code: e.code, message: e.message };
          send({ ...msg, payload: { ok: false, error } });
          this.error(Object.assign(new Error(e.message), { code: e.code }), { ...msg, error });
        }
        done();
      });
    });
    closeWith(this, async () => {
      await queue;
      await endpoint.connection.release();
    });
  });
};
