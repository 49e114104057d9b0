// Config node rackpower-snmp-endpoint: one SNMP agent (host, version, credentials) and the one session every device
// node behind it shares. Secrets are Node-RED credentials, stored in flows_cred.json and never in the flow.
import type { NodeAPI } from 'node-red';
import { SharedResource } from '../src/polling/shared';
import { SnmpClient } from '../src/protocol/snmp/client';
import { closeWith } from './lib/close';
import { SNMP_CREDENTIALS, snmpTarget, type SnmpCredentials, type SnmpAgentDef, type SnmpAgentNode } from './lib/connections';
import { migrated } from './lib/migrations';

export = function (RED: NodeAPI): void {
  RED.nodes.registerType<SnmpAgentNode, SnmpAgentDef, object, SnmpCredentials>(
    'rackpower-snmp-endpoint',
    function (this: SnmpAgentNode, def: SnmpAgentDef) {
      RED.nodes.createNode(this, def);
      def = migrated(def);
      this.settings = def;
      const creds = this.credentials ?? {};
      // Opened by the first device node, so a bad setting shows up as that node's red status, not a crash here.
      this.connection = new SharedResource(
        () => new SnmpClient(snmpTarget(def, creds)),
        (client) => client.close(),
      );
      closeWith(this, () => this.connection.closeNow());
    },
    { credentials: SNMP_CREDENTIALS },
  );
};
