// The editor's admin API (under Node-RED's httpAdminRoot, behind its adminAuth):
//   GET  /rackpower/profiles                 rackpower.read   the profile list for the profile pickers (device nodes;
//                                                             outlet and UPS command nodes by what `control` offers)
//   GET  /rackpower/profiles/:id/variables   rackpower.read   NUT names a profile emits ({i} as N); id "auto" with
//                                                             ?kind=&protocol= gives every candidate's names
//   POST /rackpower/discover                 rackpower.write  probe a device with the dialog's settings
// Discover sends requests to a host the caller names, with credentials it may take from a deployed config node,
// so it needs write permission (read-only editor users cannot probe) and refuses malformed input with 400.
import type { NodeAPI } from 'node-red';
import type { Profile } from '../../src/profiles/types';
import type { DeviceKind } from '../../src/types';
import type { ModbusLinkNode, SnmpCredentials, SnmpAgentNode } from './connections';
import { BadRequest, discover, failure, parseDiscoverRequest, type Deployed } from './discover';
import { candidateVariables, profileList, profileVariables } from './profiles';
import { loadedProfiles } from '../../src/profiles/load';
import type { NutServerCredentials, NutServerNode } from './nut-server';

/** Probes at once, over all editors: each holds a socket and a timer for up to the deadline. */
const MAX_RUNNING = 4;

function deployedNodes(RED: NodeAPI): Deployed {
  return {
    snmp(id) {
      const node = RED.nodes.getNode(id) as SnmpAgentNode | null;
      if (!node || node.type !== 'rackpower-snmp-endpoint') return undefined;
      return { settings: node.settings, credentials: (RED.nodes.getCredentials(id) ?? {}) as SnmpCredentials };
    },
    nut(id) {
      const node = RED.nodes.getNode(id) as NutServerNode | null;
      if (!node || node.type !== 'rackpower-nut-server') return undefined;
      return { settings: node.settings, credentials: (RED.nodes.getCredentials(id) ?? {}) as NutServerCredentials };
    },
    modbus(id) {
      const node = RED.nodes.getNode(id) as ModbusLinkNode | null;
      if (!node || node.type !== 'rackpower-modbus-connection') return undefined;
      return { settings: node.settings, connection: node.connection };
    },
  };
}

// Every device node module registers the routes; Express would answer from the first and keep the rest as dead weight.
const registered = new WeakSet<object>();

export function registerAdminRoutes(RED: NodeAPI): void {
  if (registered.has(RED.httpAdmin)) return;
  registered.add(RED.httpAdmin);
  const read = RED.auth.needsPermission('rackpower.read');
  const write = RED.auth.needsPermission('rackpower.write');
  let running = 0;

  RED.httpAdmin.get('/rackpower/profiles', read, (_req, res) => {
    try {
      res.json(profileList());
    } catch (err) {
      res.status(500).json({ error: { code: 'CONFIG', message: (err as Error).message } });
    }
  });

  RED.httpAdmin.get('/rackpower/profiles/:id/variables', read, (req, res) => {
    const id = String(req.params.id);
    if (id === 'auto') {
      const kind = String(req.query.kind ?? '');
      const protocol = String(req.query.protocol ?? 'snmp');
      if (!['ups', 'pdu', 'sensor', 'meter'].includes(kind) || !['snmp', 'modbus'].includes(protocol)) {
        res.status(400).json({ error: { code: 'BAD_REQUEST', message: 'auto needs ?kind=ups|pdu|sensor|meter and ?protocol=snmp|modbus' } });
        return;
      }
      res.json({ id, variables: candidateVariables(kind as DeviceKind, protocol as Profile['protocol']) });
      return;
    }
    // Looked up in the list, never used to build a path: the id only selects among loaded profiles.
    const profile = loadedProfiles().find((p) => p.id === id);
    if (!profile) {
      res.status(404).json({ error: { code: 'NOT_FOUND', message: `no profile "${id}"` } });
      return;
    }
    res.json({ id, variables: profileVariables(profile) });
  });

  RED.httpAdmin.post('/rackpower/discover', write, (req, res) => {
    let plan;
    try {
      plan = parseDiscoverRequest(req.body, deployedNodes(RED));
    } catch (err) {
      if (err instanceof BadRequest) res.status(400).json({ error: { code: 'BAD_REQUEST', message: err.message } });
      // A setting this Node.js cannot serve (SNMPv3 DES without the legacy provider) is a probe outcome, not bad input.
      else res.json({ error: failure(err) });
      return;
    }
    if (running >= MAX_RUNNING) {
      res.status(429).json({ error: { code: 'BUSY', message: `${MAX_RUNNING} discoveries are running: try again in a moment` } });
      return;
    }
    running++;
    discover(plan)
      .then((result) => res.json(result))
      .catch((err: unknown) => res.json({ error: failure(err) }))
      .finally(() => running--);
  });
}
