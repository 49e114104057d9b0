// rackpower-outlet: switches PDU outlets (on, off, power-cycle) by SNMP SET behind guards, and answers only after
// reading the outlet back. The engine is src/control; this file reads settings and messages and reports.
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { asRackpowerError } from '../src/errors';
import { resolveControl } from '../src/control/detect';
import { Guard, parseList } from '../src/control/guards';
import { outletRequest, num, wantsDryRun } from '../src/control/messages';
import { OutletController } from '../src/control/outlet';
import { closeWith } from './lib/close';
import type { SnmpEndpointNode } from './lib/connections';

interface OutletDef extends NodeDef {
  endpoint: string;
  profile: string;
  allow: string;
  protect: string;
  rateCount: number | string;
  ratePerS: number | string;
  dryRun: boolean;
  cycleDelay: number | string;
}


export = function (RED: NodeAPI): void {
  RED.nodes.registerType('rackpower-outlet', function (this: Node, def: OutletDef) {
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
      protect: parseList(def.protect),
      rateLimit: { count: num(def.rateCount, 3), perS: num(def.ratePerS, 60) },
      dryRun: def.dryRun === true,
    });
    let controller: Promise<OutletController> | undefined;
    const controllerFor = (): Promise<OutletController> =>
      (controller ??= resolveControl(client, def.profile, 'outlet').then(
        (v) => new OutletController(client, v.outlet!, guard, { cycleDelayS: num(def.cycleDelay, 5) }),
        (err: unknown) => {
          controller = undefined; // detection failed (device down): the next message tries again
          throw err;
        },
      ));
    this.status(
      endpoint.settings.allowControl ? { fill: def.dryRun ? 'yellow' : 'green', shape: 'ring', text: def.dryRun ? 'dry run' : 'ready' } : { fill: 'grey', shape: 'ring', text: 'control not enabled' },
    );
    // One action at a time, in order: two messages never race on one PDU.
    let queue: Promise<void> = Promise.resolve();
    this.on('input', (msg, send, done) => {
      queue = queue.then(async () => {
        try {
          const request = outletRequest(msg);
          const result = await (await controllerFor()).execute(request, wantsDryRun(msg));
          this.status({ fill: result.dryRun ? 'yellow' : 'green', shape: 'dot', text: result.message.slice(0, 60) });
          send({ ...msg, topic: msg.topic || `rackpower/outlet/${result.outlet}`, payload: { ok: true, ...result } });
        } catch (err) {
          const e = asRackpowerError(err);
          this.status({ fill: 'red', shape: 'ring', text: e.message.slice(0, 60) });
          const error = { code: e.code, message: e.message };
          send({ ...msg, payload: { ok: false, error } });
          // Catchable, with the code a Catch node can switch on.
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
