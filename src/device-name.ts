// A device's name when its user gave none. Names are how readings, topics, Home Assistant devices and metrics tell
// devices apart, so the default must be unique per device and stable across restarts: it is made of the address
// only, with what tells two devices at one address apart (a port that is not the protocol's default: several agents
// on one host; the unit id: many Modbus units behind one gateway).
import { SNMP_DEFAULTS } from './protocol/snmp/target';
import { topicName } from './normalize/messages';
import { NUT_DEFAULT_PORT } from './protocol/nut/client';
import { NIS_DEFAULT_PORT } from './protocol/apcupsd/nis';
import type { DeviceTarget } from './url';

const bracketed = (host: string): string => (host.includes(':') ? `[${host}]` : host);
const hostPort = (host: string, port: number, defaultPort: number): string =>
  port === defaultPort ? host : `${bracketed(host)}:${port}`;

/** `10.0.0.5`, `10.0.0.5:1161`, `[fd00::5]:1161` for SNMP. */
export function snmpDeviceName(host: string, port: number): string {
  return hostPort(host, port, SNMP_DEFAULTS.port);
}

/** `10.0.0.9:502 unit 2`, `/dev/ttyUSB0 unit 2` for Modbus (as the device nodes have always named them). */
export function modbusDeviceName(where: string, unit: number): string {
  return `${where} unit ${unit}`;
}

/** `ups@host`, `ups@host:3494`: upsc's own form. */
export function nutDeviceName(ups: string, host: string, port: number): string {
  return `${ups}@${hostPort(host, port, NUT_DEFAULT_PORT)}`;
}

/** `nas`, `nas:3552` for an apcupsd NIS server (one UPS per server). */
export function apcupsdDeviceName(host: string, port: number): string {
  return hostPort(host, port, NIS_DEFAULT_PORT);
}

export function defaultDeviceName(target: DeviceTarget): string {
  switch (target.protocol) {
    case 'snmp':
      return snmpDeviceName(target.snmp.host, target.snmp.port);
    case 'nut':
      return nutDeviceName(target.ups ?? 'ups', target.nut.host, target.nut.port);
    case 'apcupsd':
      return apcupsdDeviceName(target.nis.host, target.nis.port);
    case 'modbus': {
      const m = target.modbus;
      return modbusDeviceName(m.kind === 'tcp' ? `${bracketed(m.host)}:${m.port}` : m.path, target.unit);
    }
  }
}

/**
 * The key two device names collide on: they become the same MQTT topic level, so their readings, retained states
 * and Home Assistant devices would overwrite each other.
 */
export const nameKey = (name: string): string => topicName(name);
