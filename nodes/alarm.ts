// rackpower-alarm: alarm rules on the readings of any device nodes wired in (src/actions/alarm.ts), one set of
// alarms per device. Raised alarms are kept in the flow's context under this node's id, so a redeploy does not
// announce them again: Node-RED deletes a node's own context whenever the node closes (a redeploy included) unless
// a context store is configured, while flow context lives as long as the flow. The default memory store survives a
// redeploy, not a restart; a persistent store (localfilesystem) survives both.
// Texts: locales/en-US/alarm.json; a refused rule shows the engine's own message (src/actions/alarm.ts).
import type { NodeAPI, NodeDef } from 'node-red';
import { AlarmEngine, checkRule, type AlarmRule, type AlarmStates, type AlarmTransition } from '../src/actions/alarm';
import { parseMessage, readingOf } from '../src/normalize/input';
import { topicName } from '../src/normalize/messages';
import { editorNumber } from './lib/migrations';
import { registerNode } from './lib/register';

interface AlarmDef extends NodeDef {
  rules: AlarmRule[];
}

const CONTEXT_PREFIX = 'rackpower-alarm-';
const NUMBERS = ['threshold', 'low', 'high', 'hysteresis', 'onDelayS', 'offDelayS', 'windowS'] as const;

/** The editor stores what was typed: empty fields are absent, numbers are numbers. */
function fromEditor(rule: AlarmRule): AlarmRule {
  const r: AlarmRule = { ...rule };
  for (const k of NUMBERS) {
    const v = r[k] as unknown;
    const n = editorNumber(v);
    if (n === undefined) delete r[k];
    else r[k] = n;
  }
  return r;
}
const TICK_MS = 1000;

export = function (RED: NodeAPI): void {
  registerNode<AlarmDef>(RED, 'rackpower-alarm', function (def, { onClose }) {
    const rules = (def.rules ?? []).map(fromEditor);
    rules.forEach(checkRule);
    const context = this.context().flow;
    const key = CONTEXT_PREFIX + this.id;
    const kept = (context.get(key) as Record<string, AlarmStates> | undefined) ?? {};
    const engines = new Map<string, AlarmEngine>();
    const engineFor = (device: string): AlarmEngine => {
      let e = engines.get(device);
      if (!e) {
        kept[device] ??= {};
        e = new AlarmEngine(rules, device, kept[device]);
        engines.set(device, e);
      }
      return e;
    };
    // Devices with state from before the redeploy get their engines now, so delays and stale rules keep running.
    for (const device of Object.keys(kept)) engineFor(device);
    const showStatus = (): void => {
      const raised = [...engines.values()].reduce((n, e) => n + e.raised().length, 0);
      this.status(
        raised
          ? { fill: 'red', shape: 'dot', text: RED._('rackpower-alarm.status.raised', { count: raised }) }
          : { fill: 'green', shape: 'dot', text: RED._('rackpower-alarm.status.clear') },
      );
    };
    const emit = (device: string, transitions: AlarmTransition[]): void => {
      if (!transitions.length) return;
      context.set(key, kept);
      for (const t of transitions) {
        this.send({ topic: `rackpower/${topicName(device)}/alarm/${t.rule}`, payload: t, alarm: t.type, severity: t.severity, device: { name: device } });
      }
      showStatus();
    };
    showStatus();
    const timer = setInterval(() => {
      const now = Date.now();
      for (const [device, e] of engines) emit(device, e.tick(now));
    }, TICK_MS);
    this.on('input', (msg, _send, done) => {
      const reading = readingOf(parseMessage(msg));
      if (reading) emit(reading.device.name, engineFor(reading.device.name).update(reading.values, Date.now()));
      done();
    });
    onClose((removed) => {
      clearInterval(timer);
      // A deleted alarm node takes its state along; a redeployed one leaves it for its successor.
      if (removed) context.set(key, undefined);
    });
  });
};
