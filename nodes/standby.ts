// rackpower-standby: makes this Node-RED a standby for another instance's shard (docs/scaling.md). Wire the
// owner's status topic (an mqtt in node) and this instance's copies of the shard's device nodes into it; output 1
// passes their readings and events on (to the home assistant, shutdown, prometheus ... nodes) only while this
// instance is active; output 2 pauses and resumes the device nodes, so a standby does not poll at all.
import type { NodeAPI, NodeDef, NodeMessage } from 'node-red';
import { editorNumber } from './lib/migrations';
import { registerNode } from './lib/register';
import { StandbyGate, type Role } from './lib/standby';

interface StandbyDef extends NodeDef {
  /** The owner's status topic (its MQTT broker node's birth/will topic). */
  ownerTopic: string;
  /** Seconds the owner must stay offline before this instance takes over. */
  grace: number | string;
}

const TYPE = 'rackpower-standby';
const DEFAULT_GRACE_S = 30;

export = (RED: NodeAPI): void => {
  registerNode<StandbyDef>(RED, TYPE, function (def, { onClose }) {
    const t = (key: string, subs?: Record<string, string | number>): string => RED._(`${TYPE}.${key}`, subs);
    const ownerTopic = String(def.ownerTopic ?? '').trim();
    const graceS = editorNumber(def.grace, DEFAULT_GRACE_S);
    const graceMs = (graceS >= 1 ? graceS : DEFAULT_GRACE_S) * 1000;

    const command = (role: Role): NodeMessage => (role === 'active' ? { payload: 'resume', resume: true } : { payload: 'pause', pause: true });
    const show = (role: Role): void =>
      this.status(role === 'active' ? { fill: 'green', shape: 'dot', text: t('status.active') } : { fill: 'grey', shape: 'ring', text: t('status.standby') });

    const gate = new StandbyGate({
      graceMs,
      onRole: (role, reason) => {
        show(role);
        this.log(t(`log.${reason}`, { topic: ownerTopic }));
        // Handing back: the output nodes forget the shard without unpublishing it (the owner's now), so a home
        // assistant node's expiry can never delete what the owner announced, and /metrics shows no stale series.
        this.send([role === 'standby' ? { topic: 'rackpower/standby', payload: 'standby', forget: true } : null, command(role)]);
      },
    });

    // Device nodes are wired up only once every node is built: pause them then, before they poll again.
    const begin = (): void => {
      show('standby');
      this.send([null, command('standby')]);
      gate.start();
    };
    RED.events.once('flows:started', begin);

    this.on('input', (msg, send, done) => {
      const m = msg as NodeMessage & { device?: unknown };
      if (ownerTopic && m.topic === ownerTopic && m.device === undefined) {
        gate.ownerStatus(typeof m.payload === 'string' ? m.payload : String(m.payload ?? ''));
      } else if (gate.active) {
        // Readings and events of the shard's devices: on only while this instance owns the shard.
        send([msg, null]);
      }
      done();
    });

    onClose(() => {
      RED.events.off('flows:started', begin);
      gate.close();
    });
  });
};
