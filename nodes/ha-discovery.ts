// rackpower-ha-discovery: device node readings and events in, MQTT messages for Node-RED's own `mqtt out` node out
// (topic, payload, retain, qos on each msg): Home Assistant discovery configs, states, availability, events.
// The mapping is src/integrations/home-assistant.ts; this file only feeds it and sends what it returns.
import type { NodeAPI, NodeDef, NodeMessage } from 'node-red';
import { HA_DEFAULTS, HomeAssistantPublisher, type MqttMessage } from '../src/integrations/home-assistant';
import type { Input } from '../src/integrations/input';
import { onOutputInput } from './lib/output-node';
import { outletSwitches } from './lib/outlet-switches';
import { editorNumber } from './lib/migrations';
import { registerNode } from './lib/register';

interface HaDiscoveryDef extends NodeDef {
  discoveryPrefix: string;
  base: string;
  statusTopic: string;
  /** Hours without news of a device before it is removed from Home Assistant; 0 = never. */
  expireAfter: number | string;
}

const TYPE = 'rackpower-ha-discovery';

/** Running nodes per status topic: only the last one to stop may say `offline` for all of them. */
const statusUsers = new Map<string, number>();
/** Longest wait between checks for devices to forget. */
const MAX_CHECK_MS = 60_000;

export = (RED: NodeAPI): void => {
  registerNode<HaDiscoveryDef>(RED, TYPE, function (def, { onClose }) {
    const statusTopic = (def.statusTopic ?? HA_DEFAULTS.statusTopic).trim();
    const publisher = new HomeAssistantPublisher({
      discoveryPrefix: def.discoveryPrefix,
      base: def.base,
      statusTopic,
      outletControl: (device, outlet, name) => outletSwitches.canSwitch(device.address, outlet, name),
    });
    statusUsers.set(statusTopic, (statusUsers.get(statusTopic) ?? 0) + 1);
    const expireMs = Math.max(0, editorNumber(def.expireAfter, 0)) * 3_600_000;

    const publish = (messages: MqttMessage[]): void => {
      if (messages.length) this.send([messages.map((m): NodeMessage => ({ ...m }))]);
      this.status({ fill: 'green', shape: 'dot', text: RED._(`${TYPE}.status.devices`, { count: publisher.size }) });
    };

    // Inputs that arrive together (a per-variable burst from one poll) are handled together: one config, one state.
    let pending: Input[] = [];
    let flushing: NodeJS.Immediate | undefined;
    const flush = (): void => {
      flushing = undefined;
      const batch = pending;
      pending = [];
      if (batch.length) publish(publisher.handle(batch));
    };

    onOutputInput(RED, this, {
      own: (msg) => {
        if (msg.topic !== publisher.birthTopic) return false;
        // Home Assistant (re)started and lost what was not retained: announce everything again.
        flush();
        if (String(msg.payload).trim() === 'online') publish(publisher.birth());
        return true;
      },
      remove: (device) => {
        flush();
        publish(publisher.remove(device));
      },
      // A standby handing its shard back: the owner publishes these devices now.
      forget: (device) => {
        flush();
        publisher.forget(device);
        publish([]);
      },
      // A removed device stays removed until added back (or the flow is redeployed): its next reading announces it.
      add: (device) => publisher.add(device),
      input: (input) => {
        pending.push(input);
        flushing ??= setImmediate(flush);
      },
    });

    const expiry = expireMs
      ? setInterval(() => {
          const gone = publisher.expire(Date.now(), expireMs);
          if (gone.length) publish(gone);
        }, Math.min(expireMs / 10, MAX_CHECK_MS))
      : undefined;

    onClose((removed) => {
      clearInterval(expiry);
      if (flushing) clearImmediate(flushing);
      flush();
      // Reaches the broker when the mqtt out node keeps running (node deleted or changed, "modified nodes" deploy);
      // a full stop closes mqtt out too: then the broker node's close and will messages on the status topic count.
      const left = (statusUsers.get(statusTopic) ?? 1) - 1;
      if (left) statusUsers.set(statusTopic, left);
      else statusUsers.delete(statusTopic);
      const last = [...publisher.close(removed), ...(left ? [] : publisher.offline())];
      if (last.length) this.send([last.map((m): NodeMessage => ({ ...m }))]);
    });
  });
};
