// rackpower-ups: a UPS read over SNMP (RFC 1628 or a vendor MIB) or Modbus. Behaviour: lib/device-node.ts.
import type { NodeAPI } from 'node-red';
import { registerDeviceNode } from './lib/device-node';

export = (RED: NodeAPI): void => registerDeviceNode(RED, 'ups');
