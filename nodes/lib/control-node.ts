// What the outlet and UPS command nodes share: the SNMP agent they act through (control allowed there or not at
// all), the guards, one action at a time, a result only after read-back, and a catchable error with its code.
// Status texts come from the node's own catalog (locales/en-US/{outlet,ups-command}.json, both with the same
// `status` keys); results and errors are the engine's messages (src/control), English with their codes.
import type { Node, NodeAPI, NodeMessageInFlow } from 'node-red';
import { RackpowerError, asRackpowerError } from '../../src/errors';
import type { SnmpClient } from '../../src/protocol/snmp/client';
import { resolveControl } from '../../src/control/detect';
import type { DeviceControl } from '../../src/control/profile-control';
import { Guard, parseList, type GuardConfig } from '../../src/control/guards';
import { wantsDryRun } from '../../src/control/messages';
import type { SnmpAgentNode } from './connections';
import { editorNumber } from './migrations';
import { outletSwitches } from './outlet-switches';
import type { NodeSetup } from './register';

type Engine<T, R> = { execute(request: R, dryRun: boolean): Promise<T> };

/** Where the commands go: whether control is allowed there, the engine for it, and how to hand the link back. */
export interface ControlLink<E> {
  /** The device's address as msg.device.address has it (SnmpClient.describe() for an SNMP agent). */
  address: string;
  allowed: boolean;
  engine(guard: Guard): Promise<E>;
  release(): Promise<void>;
}

export interface ControlNodeSpec<T extends { dryRun: boolean; message: string }, R> {
  /** Id of the SNMP agent config node. */
  agent: string;
  /** Another link than the SNMP agent `agent` names (a NUT server); undefined when none is configured. */
  link?: () => ControlLink<Engine<T, R>> | undefined;
  profile: string;
  what: 'outlet' | 'ups';
  guard: GuardSettings;
  /** The engine for the control section of the chosen or detected profile (SNMP agents; a `link` brings its own). */
  engine?(client: SnmpClient, control: DeviceControl, guard: Guard): Engine<T, R>;
  request(msg: NodeMessageInFlow): R;
  /** Topic of a result when the input message has none. */
  topic(result: T): string;
}

type GuardSettings = Omit<GuardConfig, 'enabled'> & { dryRun: boolean };

/** The guard fields both dialogs save: allowlist, rate limit, dry run. */
export interface GuardFields {
  allow: string;
  rateCount: number | string;
  ratePerS: number | string;
  dryRun: boolean;
}

export function guardSettings(def: GuardFields, defaultPerS: number): GuardSettings {
  return {
    allow: parseList(def.allow),
    rateLimit: { count: editorNumber(def.rateCount, 3), perS: editorNumber(def.ratePerS, defaultPerS) },
    dryRun: def.dryRun === true,
  };
}

export function runControlNode<T extends { dryRun: boolean; message: string }, R>(RED: NodeAPI, node: Node, spec: ControlNodeSpec<T, R>, setup: NodeSetup): void {
  // RED is the node module's own: RED._ reads its catalog, where the keys sit under the node type.
  const t = (key: string): string => RED._(`${node.type}.${key}`);
  const link = spec.link ? spec.link() : snmpLink(RED, spec);
  if (!link) {
    setup.refuse(new RackpowerError('CONFIG', t('status.noAgent')));
    return;
  }
  const allowed = link.allowed;
  // Off unless the config node (SNMP agent, NUT server) allows control: one switch per device, where its credentials are.
  const guard = new Guard({ ...spec.guard, enabled: allowed });
  // Home Assistant discovery offers switches only for outlets some outlet node would act on.
  const unregister = spec.what === 'outlet' ? outletSwitches.register(node.id, { address: link.address, guard, allowed }) : () => undefined;
  let engine: Promise<Engine<T, R>> | undefined;
  const engineFor = (): Promise<Engine<T, R>> =>
    (engine ??= link.engine(guard).catch((err: unknown) => {
      engine = undefined; // detection failed (device down): the next message tries again
      throw err;
    }));
  const dry = spec.guard.dryRun;
  node.status(
    allowed
      ? { fill: dry ? 'yellow' : 'green', shape: 'ring', text: dry ? t('status.dryRun') : t('status.ready') }
      : { fill: 'grey', shape: 'ring', text: t('status.disabled') },
  );
  // One action at a time, in order: two messages never race on one device.
  let queue: Promise<void> = Promise.resolve();
  node.on('input', (msg, send, done) => {
    queue = queue.then(async () => {
      try {
        const result = await (await engineFor()).execute(spec.request(msg), wantsDryRun(msg));
        node.status({ fill: result.dryRun ? 'yellow' : 'green', shape: 'dot', text: result.message.slice(0, 60) });
        send({ ...msg, topic: msg.topic || spec.topic(result), payload: { ok: true, ...result } });
      } catch (err) {
        const e = asRackpowerError(err);
        node.status({ fill: 'red', shape: 'ring', text: e.message.slice(0, 60) });
        const error = { code: e.code, message: e.message };
        send({ ...msg, payload: { ok: false, error } });
        // Catchable, with the code a Catch node can switch on.
        node.error(Object.assign(new Error(e.message), { code: e.code }), { ...msg, error });
      }
      done();
    });
  });
  setup.onClose(async () => {
    unregister();
    await queue;
    await link.release();
  });
}

/** The SNMP agent config node `spec.agent` names; the engine for its profile's control section (or the detected one's). */
function snmpLink<T extends { dryRun: boolean; message: string }, R>(RED: NodeAPI, spec: ControlNodeSpec<T, R>): ControlLink<Engine<T, R>> | undefined {
  const agent = RED.nodes.getNode(spec.agent) as SnmpAgentNode | null;
  if (!agent || agent.type !== 'rackpower-snmp-endpoint') return undefined;
  const make = spec.engine;
  if (!make) return undefined;
  const client = agent.connection.acquire();
  return {
    address: client.describe(),
    allowed: agent.settings.allowControl === true,
    engine: (guard) => resolveControl(client, spec.profile, spec.what).then((control) => make(client, control, guard)),
    release: () => agent.connection.release(),
  };
}
