// rackpower-outlet: switches PDU outlets (on, off, power-cycle) by SNMP SET behind guards, and answers only after
// reading the outlet back. The engine is src/control; the wiring shared with ups-command is nodes/lib/control-node.
import type { NodeAPI, NodeDef } from 'node-red';
import { parseList } from '../src/control/guards';
import { outletRequest } from '../src/control/messages';
import { OutletController } from '../src/control/outlet';
import { guardSettings, runControlNode, type GuardFields } from './lib/control-node';
import { editorNumber } from './lib/migrations';
import { registerNode } from './lib/register';

interface OutletDef extends NodeDef, GuardFields {
  /** The SNMP agent config node (type rackpower-snmp-endpoint). */
  agent: string;
  profile: string;
  protect: string;
  cycleDelay: number | string;
}

export = function (RED: NodeAPI): void {
  registerNode<OutletDef>(RED, 'rackpower-outlet', function (def, setup) {
    runControlNode(RED, this, {
      agent: def.agent,
      profile: def.profile,
      what: 'outlet',
      guard: { ...guardSettings(def, 60), protect: parseList(def.protect) },
      engine: (client, control, guard) => new OutletController(client, control.outlet!, guard, { cycleDelayS: editorNumber(def.cycleDelay, 5) }),
      request: outletRequest,
      topic: (result) => `rackpower/outlet/${result.outlet}`,
    }, setup);
  });
};
