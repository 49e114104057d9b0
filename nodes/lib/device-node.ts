// The Node-RED side of the four device nodes (rackpower-ups, -pdu, -sensor, -meter): settings → a reader on the
// config node's shared connection, a poller and a message builder, handed to a DeviceController.
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { ReadingTracker } from '../../src/battery/tracker';
import { RackpowerError, asRackpowerError } from '../../src/errors';
import { MessageBuilder } from '../../src/normalize/messages';
import { DevicePoller } from '../../src/polling/poller';
import type { DeviceReader } from '../../src/polling/types';
import type { DeviceKind } from '../../src/types';
import { contextStore, forgetContext } from './context-store';
import { MAX_INTERVAL_S, MIN_INTERVAL_S, parseCommand } from './commands';
import type { ModbusLinkNode, SnmpAgentNode } from './connections';
import { DeviceController } from './controller';
import { migrate, type DeviceConfig } from './migrate';
import { registerAdminRoutes } from './admin';
import { registerNode } from './register';
import { chosenProfile, snmpCandidates } from './profiles';
import { failureStatus, type Translate } from './status';
import { MAX_UNIT_ID, isUnitId } from './validate';
import { trapTargets } from '../../src/traps/registry';
import { apcupsdDeviceName, modbusDeviceName, nutDeviceName, snmpDeviceName } from '../../src/device-name';
import { NUT_DEFAULT_PORT } from '../../src/protocol/nut/client';
import { deviceNames } from './device-names';
import { assembleReader } from '../../src/device';
import type { NutServerNode } from './nut-server';

interface Opened {
  reader: DeviceReader;
  /** For msg.device.address: no secrets. */
  address: string;
  /** Where the device is (the SNMP host, for traps). */
  where: string;
  /** The device's name when the node has none: unique per address (src/device-name.ts). */
  defaultName: string;
  release: () => Promise<void>;
}

function configNode<N extends Node>(RED: NodeAPI, id: string, type: string, what: string): N {
  const node = id ? RED.nodes.getNode(id) : null;
  if (!node || node.type !== type) throw new RackpowerError('CONFIG', `no ${what} selected`);
  return node as N;
}

/** A UPS behind a NUT server (the server's shared connection) or an apcupsd NIS server. */
function openServerReader(RED: NodeAPI, config: DeviceConfig): Opened {
  const server = configNode<NutServerNode>(RED, config.server, 'rackpower-nut-server', 'NUT or apcupsd server');
  if (server.settings.protocol === 'apcupsd') {
    const nis = server.nis();
    return { ...assembleReader({ protocol: 'apcupsd', nis }), where: `${server.settings.host}`, defaultName: apcupsdDeviceName(nis.host, nis.port), release: async () => undefined };
  }
  if (!config.ups) throw new RackpowerError('CONFIG', 'which UPS on the NUT server? (Discover lists them)');
  // Secondary: a connection of this UPS's own, logged in to it (upsd counts it, a primary waits for it before cutting
  // the power); otherwise the server's one shared connection.
  const resource = server.settings.login ? server.loginConnection(config.ups) : server.connection;
  const client = resource.acquire();
  return {
    ...assembleReader({ protocol: 'nut', client, ups: config.ups }),
    where: `${config.ups}@${server.settings.host}`,
    defaultName: nutDeviceName(config.ups, server.settings.host, Number(server.settings.port) || NUT_DEFAULT_PORT),
    release: () => resource.release(),
  };
}

/** Resolves the profile first and acquires last, so nothing is held when a setting is refused. */
function openReader(RED: NodeAPI, kind: DeviceKind, config: DeviceConfig): Opened {
  if (config.protocol === 'nut') return openServerReader(RED, config);
  if (config.protocol === 'snmp') {
    const options = config.profile === 'auto' ? { candidates: snmpCandidates(kind) } : { profile: chosenProfile(config.profile, 'snmp', kind) };
    const agent = configNode<SnmpAgentNode>(RED, config.agent, 'rackpower-snmp-endpoint', 'SNMP agent');
    const client = agent.connection.acquire();
    return {
      ...assembleReader({ protocol: 'snmp', client, ...options }),
      where: client.target.host,
      defaultName: snmpDeviceName(client.target.host, client.target.port),
      release: () => agent.connection.release(),
    };
  }
  if (config.profile === 'auto') throw new RackpowerError('CONFIG', 'Modbus has no detection: choose the device profile');
  const profile = chosenProfile(config.profile, 'modbus', kind);
  if (!isUnitId(config.unit)) throw new RackpowerError('CONFIG', `unit id ${config.unit} is not 0-${MAX_UNIT_ID}`);
  const link = configNode<ModbusLinkNode>(RED, config.link, 'rackpower-modbus-connection', 'Modbus link');
  const transport = link.connection.acquire();
  // "10.0.0.9:502" or "/dev/ttyUSB0": the describe() URL without scheme and options.
  const where = transport.describe().replace(/^modbus-\w+:(\/\/)?|\?.*$/gu, '');
  return {
    ...assembleReader({ protocol: 'modbus', transport, profile, unit: config.unit }),
    where,
    defaultName: modbusDeviceName(where, config.unit),
    release: () => link.connection.release(),
  };
}

/**
 * The Variables field: comma-separated NUT names or `*` patterns. The editor offers table names as `outlet.N.current`
 * (N: any outlet, phase or probe number), so a name part that is exactly `N` means `*` (no NUT name has such a part).
 */
export function variablePatterns(field: string): string[] {
  return field
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean)
    .map((v) => v.split('.').map((part) => (part === 'N' ? '*' : part)).join('.'));
}

function start(RED: NodeAPI, node: Node, kind: DeviceKind, config: DeviceConfig, t: Translate): DeviceController {
  if (!(config.interval >= MIN_INTERVAL_S && config.interval <= MAX_INTERVAL_S)) {
    throw new RackpowerError('CONFIG', `interval ${config.interval} s is not ${MIN_INTERVAL_S}-${MAX_INTERVAL_S} s`);
  }
  const opened = openReader(RED, kind, config);
  const poller = new DevicePoller(opened.reader, {
    name: config.name || `${kind} ${opened.defaultName}`,
    kind,
    address: opened.address,
    intervalMs: config.interval * 1000,
    confirmPolls: config.confirm,
  });
  const builder = new MessageBuilder({
    mode: config.outputMode,
    prefix: config.prefix,
    variables: variablePatterns(config.variables),
  });
  // SNMP devices answer traps: a trap from their host makes them poll at once (src/traps/registry.ts).
  const unregister = config.protocol === 'snmp' ? trapTargets.register({ id: node.id, host: opened.where, trap: () => poller.trap() }) : () => undefined;
  let releaseName = (): void => undefined;
  const tracker = new ReadingTracker({ intervalMs: config.interval * 1000, replaceBelowPct: config.replaceBelow }, contextStore(node, (error) => node.warn(t('warn.context', { error }))));
  const controller = new DeviceController(
    kind,
    poller,
    builder,
    node,
    t,
    async () => {
      unregister();
      releaseName();
      await opened.release();
    },
    tracker,
  );
  // Two devices, one name: both nodes say so under themselves (and once in the debug sidebar), polling goes on.
  let shared = false;
  releaseName = deviceNames.claim(poller.device().name, opened.address, node.id, (others) => {
    if (others && !shared) node.warn(t('warn.duplicateName', { name: poller.device().name }));
    shared = others > 0;
    controller.setWarning(shared ? t('status.duplicateName') : undefined);
  });
  controller.start();
  return controller;
}

export function registerDeviceNode(RED: NodeAPI, kind: DeviceKind): void {
  const type = `rackpower-${kind}`;
  const t: Translate = (key, substitutions) => RED._(`${type}.${key}`, substitutions);
  registerAdminRoutes(RED);
  registerNode<NodeDef>(RED, type, function (def, { refuse, onClose }) {
    let controller: DeviceController;
    try {
      controller = start(RED, this, kind, migrate({ ...def }), t);
    } catch (err) {
      // A refused setting: said under the node (in the device nodes' words) and once as a catchable error after
      // flows:started (register.ts); the node stays idle until redeployed.
      const error = asRackpowerError(err, 'CONFIG');
      refuse(error, failureStatus(error, t).text);
      return;
    }
    this.on('input', (msg, _send, done) => {
      controller.command(parseCommand(msg), msg);
      done();
    });
    // A deleted node's kept state goes once the controller has stopped writing it (cleanups run latest first).
    onClose((removed) => void (removed && forgetContext(this.id)));
    onClose(() => controller.close());
  });
}
