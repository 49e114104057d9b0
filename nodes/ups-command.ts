// rackpower-ups-command: battery self-test, beeper and shutdown-with-return commands to a UPS by SNMP SET, behind
// the same guards as outlets (control allowed on the agent, allowed commands, rate limit, dry run), confirmed by
// read-back where the device offers one. The engine is src/control/ups.ts.
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { parseList } from '../src/control/guards';
import { num, upsRequest } from '../src/control/messages';
import { UpsCommander } from '../src/control/ups';
import { runControlNode } from './lib/control-node';

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
    runControlNode(RED, this, {
      endpoint: def.endpoint,
      profile: def.profile,
      what: 'ups',
      guard: {
        allow: parseList(def.allow),
        rateLimit: { count: num(def.rateCount, 3), perS: num(def.ratePerS, 300) },
        dryRun: def.dryRun === true,
      },
      engine: (client, control, guard) => new UpsCommander(client, control.ups!, guard),
      request: (msg) => upsRequest(msg, num(def.delay, 60)),
      topic: (result) => `rackpower/ups-command/${result.command}`,
    });
  });
};
