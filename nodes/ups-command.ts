// rackpower-ups-command: battery self-test, beeper and shutdown-with-return commands to a UPS by SNMP SET, behind
// the same guards as outlets (control allowed on the agent, allowed commands, rate limit, dry run), confirmed by
// read-back where the device offers one. The engine is src/control/ups.ts; through a NUT server the instant commands
// go as INSTCMD behind the same guards, confirmed by upsd's tracking (src/control/nut.ts).
import type { NodeAPI, NodeDef } from 'node-red';
import { nutCommandRequest, upsRequest } from '../src/control/messages';
import { UpsCommander } from '../src/control/ups';
import { guardSettings, runControlNode, type ControlLink, type GuardFields } from './lib/control-node';
import { editorNumber } from './lib/migrations';
import { registerNode } from './lib/register';
import { NutCommander } from '../src/control/nut';
import { RackpowerError } from '../src/errors';
import type { NutServerNode } from './lib/nut-server';

/** The NUT server node's shared connection, commanding the UPS the node names. */
function nutLink(RED: NodeAPI, id: string, ups: string): ControlLink<NutCommander> | undefined {
  const server = RED.nodes.getNode(id) as NutServerNode | null;
  if (!server || server.type !== 'rackpower-nut-server') return undefined;
  if (server.settings.protocol === 'apcupsd') {
    // apcupsd has no control over NIS: the node stays "disabled" and says why when asked.
    return { address: server.nis().host, allowed: false, engine: () => Promise.reject(new RackpowerError('CONFIG', 'apcupsd offers no control over NIS')), release: async () => undefined };
  }
  const client = server.connection.acquire();
  return {
    address: `${client.describe()}/${ups}`,
    allowed: server.settings.allowControl === true,
    engine: async (guard) => {
      if (!ups) throw new RackpowerError('CONFIG', 'which UPS on the NUT server? set the UPS name');
      return new NutCommander(client, ups, guard);
    },
    release: () => server.connection.release(),
  };
}

interface UpsCommandDef extends NodeDef, GuardFields {
  /** The SNMP agent config node (type rackpower-snmp-endpoint). */
  agent: string;
  /** A rackpower-nut-server config node: commands go as INSTCMD through upsd instead of SNMP SETs. */
  server?: string;
  /** The UPS on that server. */
  ups?: string;
  profile: string;
  delay: number | string;
}

export = function (RED: NodeAPI): void {
  registerNode<UpsCommandDef>(RED, 'rackpower-ups-command', function (def, setup) {
    const guard = guardSettings(def, 300);
    if (def.server) {
      runControlNode(RED, this, {
        agent: '',
        profile: '',
        what: 'ups',
        guard,
        link: () => nutLink(RED, def.server!, (def.ups ?? '').trim()),
        request: (msg) => nutCommandRequest(msg),
        topic: (result) => `rackpower/ups-command/${result.command}`,
      }, setup);
      return;
    }
    runControlNode(RED, this, {
      agent: def.agent,
      profile: def.profile,
      what: 'ups',
      guard,
      engine: (client, control, guard) => new UpsCommander(client, control.ups!, guard),
      request: (msg) => upsRequest(msg, editorNumber(def.delay, 60)),
      topic: (result) => `rackpower/ups-command/${result.command}`,
    }, setup);
  });
};
