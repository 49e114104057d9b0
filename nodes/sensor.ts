// rackpower-sensor: a rack temperature/humidity sensor over Modbus (or SNMP). Behaviour: lib/device-node.ts.
import type { NodeAPI } from 'node-red';
import { registerDeviceNode } from './lib/device-node';

export = (RED: NodeAPI): void => registerDeviceNode(RED, 'sensor');
