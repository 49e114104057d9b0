// rackpower-shutdown: the shutdown orchestrator (src/actions/shutdown.ts) fed by UPS device nodes' readings and
// events. Output 1: one message per action (for exec, ssh, http request, outlet or ups-command nodes); output 2:
// the audit trail, saying why each action fired and with which readings. msg.payload "drill" walks the plan with
// every action marked dry run. Its progress (trigger time, stages done, a restore still due, the on-battery clock)
// is kept in Node-RED's context (lib/kept-state.ts) before any action leaves, so a restart or redeploy resumes the
// plan instead of repeating it. Texts: locales/en-US/shutdown.json; the reasons in the audit trail and a refused setting are the
// engine's own (src/actions/shutdown.ts).
import type { NodeAPI, NodeDef, NodeMessage } from 'node-red';
import { ShutdownOrchestrator, type Output, type ShutdownPolicy, type ShutdownStage } from '../src/actions/shutdown';
import { parseList } from '../src/control/guards';
import { parseMessage, readingOf } from '../src/normalize/input';
import { KeptState } from './lib/kept-state';
import { editorNumber } from './lib/migrations';
import { registerNode } from './lib/register';

interface ShutdownDef extends NodeDef {
  supplies: string;
  redundancy: ShutdownPolicy['redundancy'];
  minHealthy: number | string;
  onBatteryS: number | string;
  runtimeBelowS: number | string;
  runtimeSource?: 'reported' | 'measured';
  chargeBelowPct: number | string;
  lowBattery: boolean;
  fsd: boolean;
  staleAfterS: number | string;
  stages: ShutdownStage[];
  drill: boolean;
  /** Restore after a cancel (off by default), once power is stable for restoreStableS. */
  restore?: boolean;
  restoreStableS?: number | string;
  /** The context store the progress is kept in (blank: the default store). */
  store?: string;
}

const TICK_MS = 1000;
const CONTEXT_PREFIX = 'rackpower-shutdown-';
/** An empty trigger field (editorNumber without a fallback: undefined) means "not a trigger". */
function policyOf(def: ShutdownDef): ShutdownPolicy {
  return {
    supplies: parseList(def.supplies).map(String),
    redundancy: def.redundancy || 'all',
    minHealthy: editorNumber(def.minHealthy),
    triggers: {
      onBatteryS: editorNumber(def.onBatteryS),
      runtimeBelowS: editorNumber(def.runtimeBelowS),
      runtimeSource: def.runtimeSource === 'measured' ? 'measured' : 'reported',
      chargeBelowPct: editorNumber(def.chargeBelowPct),
      lowBattery: def.lowBattery !== false,
      fsd: def.fsd !== false,
    },
    staleAfterS: editorNumber(def.staleAfterS, 120),
    stages: (def.stages ?? []).map((s) => ({ ...s, delayS: editorNumber(s.delayS, 0), actions: s.actions ?? [], restore: s.restore ?? [] })),
    drill: def.drill === true,
    ...(def.restore === true && { restore: { stableS: editorNumber(def.restoreStableS, 300) } }),
  };
}

export = function (RED: NodeAPI): void {
  registerNode<ShutdownDef>(RED, 'rackpower-shutdown', function (def, { onClose }) {
    const orchestrator = new ShutdownOrchestrator(policyOf(def));
    const kept = new KeptState(this, CONTEXT_PREFIX, def.store);
    const showStatus = (o?: Output): void => {
      const state = orchestrator.state;
      if (state === 'idle') {
        this.status({ fill: 'green', shape: 'dot', text: def.drill ? RED._('rackpower-shutdown.status.armedDrill') : RED._('rackpower-shutdown.status.armed') });
      } else if (o?.kind === 'audit') {
        const text = o.stage
          ? RED._('rackpower-shutdown.status.eventStage', { event: o.event, stage: o.stage })
          : RED._('rackpower-shutdown.status.event', { event: o.event });
        this.status({ fill: state === 'done' ? 'red' : 'yellow', shape: 'dot', text });
      }
    };
    let keptText = '';
    const emit = (outputs: Output[]): void => {
      // Kept whenever it changed (on battery: each reading), and before anything leaves: a crash right after an
      // action must not send it again after the restart.
      const progress = orchestrator.progress();
      const text = JSON.stringify(progress);
      if (text !== keptText) {
        keptText = text;
        kept.save(progress);
      }
      for (const o of outputs) {
        if (o.kind === 'action') {
          const msg: NodeMessage = { topic: o.topic ?? `rackpower/shutdown/${o.stage}`, payload: o.payload, dryRun: o.dryRun, shutdown: o } as NodeMessage;
          this.send([msg, null]);
        } else {
          this.send([null, { topic: `rackpower/shutdown/audit/${o.event}`, payload: o }]);
          // The audit trail also goes to the log: it is the record of why hosts went down.
          this.log(
            o.stage
              ? RED._('rackpower-shutdown.log.auditStage', { event: o.event, stage: o.stage, reason: o.reason })
              : RED._('rackpower-shutdown.log.audit', { event: o.event, reason: o.reason }),
          );
        }
        showStatus(o);
      }
      if (!outputs.length) showStatus();
    };
    showStatus();
    let closed = false;
    // Nothing is decided before the kept progress is back and every node of the flows exists (Node-RED creates them
    // one by one; a message sent to one not created yet is lost): inputs and ticks wait for both, in order.
    let started = (): void => undefined;
    const flowsStarted = new Promise<void>((resolve) => {
      started = resolve;
      RED.events.once('flows:started', started);
    });
    const ready = Promise.all([kept.load(), flowsStarted]).then(([saved]) => {
      if (!closed) emit(orchestrator.resume(saved, Date.now()));
    });
    const timer = setInterval(() => void ready.then(() => !closed && emit(orchestrator.tick(Date.now()))), TICK_MS);
    this.on('input', (msg, _send, done) => {
      void ready.then(() => {
        const now = Date.now();
        if (closed) return done();
        const input = parseMessage(msg);
        const reading = readingOf(input);
        if (input?.type === 'drill') emit(orchestrator.drill(now));
        else if (input?.type === 'event') emit(orchestrator.event(input.device.name, input.event, now));
        else if (reading) emit(orchestrator.reading(reading.device.name, reading.values, now));
        done();
      });
    });
    onClose((removed) => {
      closed = true;
      clearInterval(timer);
      RED.events.off('flows:started', started);
      // A deleted node takes its progress along; a redeployed one leaves it for its successor.
      if (removed) kept.drop();
    });
  });
};
