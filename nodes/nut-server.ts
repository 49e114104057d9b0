// Config node rackpower-nut-server: a NUT server (upsd, the usual home of a USB UPS) or an apcupsd NIS server, and
// for NUT the one connection every device node reading a UPS through it shares. The password is a Node-RED
// credential, stored in flows_cred.json and never in the flow.
import type { NodeAPI } from 'node-red';
import { SharedResource } from '../src/polling/shared';
import { NutClient } from '../src/protocol/nut/client';
import { closeWith } from './lib/close';
import { NUT_SERVER_CREDENTIALS, nisEndpoint, nutEndpoint, type NutServerCredentials, type NutServerDef, type NutServerNode } from './lib/nut-server';
import { migrated } from './lib/migrations';

export = function (RED: NodeAPI): void {
  RED.nodes.registerType<NutServerNode, NutServerDef, object, NutServerCredentials>(
    'rackpower-nut-server',
    function (this: NutServerNode, def: NutServerDef) {
      RED.nodes.createNode(this, def);
      def = migrated(def);
      this.settings = def;
      const creds = this.credentials ?? {};
      // Opened by the first device node, so a bad setting shows up as that node's red status, not a crash here.
      this.connection = new SharedResource(
        () => new NutClient(nutEndpoint(def, creds)),
        (client) => client.close(),
      );
      this.nis = () => nisEndpoint(def);
      const perUps = new Map<string, SharedResource<NutClient>>();
      this.loginConnection = (ups) => {
        let resource = perUps.get(ups);
        if (!resource) {
          resource = new SharedResource(
            () => {
              const client = new NutClient(nutEndpoint(def, creds));
              // Logged in before any request: the first poll sends LOGIN right after USERNAME/PASSWORD.
              client.login(ups).catch((err: unknown) => this.warn(`LOGIN ${ups}: ${(err as Error).message}`));
              return client;
            },
            (client) => client.close(),
          );
          perUps.set(ups, resource);
        }
        return resource;
      };
      closeWith(this, async () => {
        await this.connection.closeNow();
        await Promise.all([...perUps.values()].map((r) => r.closeNow()));
      });
    },
    { credentials: NUT_SERVER_CREDENTIALS },
  );
};
