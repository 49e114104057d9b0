// rackpower-pdu: a switched or metered PDU (outlets, phases, probes) over SNMP or Modbus. Behaviour: lib/device-node.ts.
import type { NodeAPI } from 'node-red';
import { registerDeviceNode } from './lib/device-node';

export = (RED: NodeAPI): void => registerDeviceNode(RED, 'pdu');
