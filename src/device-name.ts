// A device's name when its user gave none. Names are how readings, topics, Home Assistant devices and metrics tell
// devices apart, so the default must be unique per device and stable across restarts: it is made of the address
// only, with what tells two devices at one address apart (a port that is not the protocol's default: several agents
// on one host; the unit id: many Modbus units behind one gateway).
import { SNMP_DEFAULTS } from './protocol/snmp/target';
import { topicName } from './normalize/messages';
import type { DeviceTarget } from './url';

/** `10.0.0.5`, `10.0.0.5:1161`, `[fd00::5]:1161` for SNMP. */
export function snmpDeviceName(host: string, port: number): string {
  if (port === SNMP_DEFAULTS.port) return host;
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** `10.0.0.9:502 unit 2`, `/dev/ttyUSB0 unit 2` for Modbus (as the device nodes have always named them). */
export function modbusDeviceName(where: string, unit: number): string {
  return `${where} unit ${unit}`;
}

export function defaultDeviceName(target: DeviceTarget): string {
  if (target.protocol === 'snmp') return snmpDeviceName(target.snmp.host, target.snmp.port);
  const m = target.modbus;
  return modbusDeviceName(m.kind === 'tcp' ? `${m.host.includes(':') ? `[${m.host}]` : m.host}:${m.port}` : m.path, target.unit);
}

/**
 * The key two device names collide on: they become the same MQTT topic level, so their readings, retained states
 * and Home Assistant devices would overwrite each other.
 */
export const nameKey = (name: string): string => topicName(name);
