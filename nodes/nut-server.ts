// Config node rackpower-nut-server: a NUT server (upsd, the usual home of a USB UPS) or an apcupsd NIS server, and
// for NUT the one connection every device node reading a UPS through it shares. The password is a Node-RED
// credential, stored in flows_cred.json and never in the flow.
import type { NodeAPI } from 'node-red';
import { SharedResource } from '../src/polling/shared';
import { NutClient } from '../src/protocol/nut/client';
import { closeWith } from './lib/close';
import { NUT_SERVER_CREDENTIALS, nisEndpoint, nutEndpoint, type NutServerCredentials, type NutServerDef, type NutServerNode } from './lib/nut-server';

export = function (RED: NodeAPI): void {
  RED.nodes.registerType<NutServerNode, NutServerDef, object, NutServerCredentials>(
    'rackpower-nut-server',
    function (this: NutServerNode, def: NutServerDef) {
      RED.nodes.createNode(this, def);
      this.settings = def;
      const creds = this.credentials ?? {};
      // Opened by the first device node, so a bad setting shows up as that node's red status, not a crash here.
      this.connection = new SharedResource(
        () => new NutClient(nutEndpoint(def, creds)),
        (client) => client.close(),
      );
      this.nis = () => nisEndpoint(def);
      closeWith(this, () => this.connection.closeNow());
    },
    { credentials: NUT_SERVER_CREDENTIALS },
  );
};
