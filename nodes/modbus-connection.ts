// Config node rackpower-modbus-connection: one Modbus TCP connection or serial bus, shared by every device node
// behind it (several unit ids on one gateway or one RS-485 line), so requests are serialized on the wire.
import type { NodeAPI } from 'node-red';
import { SharedResource } from '../src/polling/shared';
import { ModbusTransport } from '../src/protocol/modbus/transport';
import { closeWith } from './lib/close';
import { modbusConfig, type ModbusLinkDef, type ModbusLinkNode } from './lib/connections';
import { migrated } from './lib/migrations';

export = function (RED: NodeAPI): void {
  RED.nodes.registerType('rackpower-modbus-connection', function (this: ModbusLinkNode, def: ModbusLinkDef) {
    RED.nodes.createNode(this, def);
    def = migrated(def);
    this.settings = def;
    // Opened by the first device node: a bad setting becomes that node's red status.
    this.connection = new SharedResource(
      () => new ModbusTransport(modbusConfig(def)),
      (transport) => transport.close(),
    );
    closeWith(this, () => this.connection.closeNow());
  });
};
