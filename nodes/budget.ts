// rackpower-budget: the power and heat budget of one rack or circuit (src/actions/budget.ts) from the readings of
// its PDU, meter and sensor nodes. Output 1: the budget status on every reading; output 2: throttle and restore.
// Texts: locales/en-US/budget.json; a refused setting shows the engine's own message (src/actions/budget.ts).
import type { NodeAPI, NodeDef } from 'node-red';
import { BudgetEngine, type BudgetSignal, type BudgetStatus } from '../src/actions/budget';
import { parseList } from '../src/control/guards';
import { parseMessage, readingOf } from '../src/normalize/input';
import { editorNumber } from './lib/migrations';
import { registerNode } from './lib/register';

interface BudgetDef extends NodeDef {
  budgetW: number | string;
  breakerA: number | string;
  voltage: number | string;
  deratingPct: number | string;
  powerVariables: string;
  throttlePct: number | string;
  restorePct: number | string;
  temperatureLimit: number | string;
  temperatureHysteresis: number | string;
  devices: string;
  staleAfterS: number | string;
}

const TICK_MS = 5000;

export = function (RED: NodeAPI): void {
  registerNode<BudgetDef>(RED, 'rackpower-budget', function (def, { refuse, onClose }) {
    let engine: BudgetEngine;
    try {
      engine = new BudgetEngine({
        budgetW: editorNumber(def.budgetW),
        breakerA: editorNumber(def.breakerA),
        voltage: editorNumber(def.voltage, 230),
        derating: editorNumber(def.deratingPct, 80) / 100,
        powerVariables: parseList(def.powerVariables).map(String),
        throttleAt: editorNumber(def.throttlePct, 100) / 100,
        restoreAt: editorNumber(def.restorePct, 90) / 100,
        temperatureLimit: editorNumber(def.temperatureLimit),
        temperatureHysteresis: editorNumber(def.temperatureHysteresis, 2),
        staleAfterS: editorNumber(def.staleAfterS, 120),
      });
    } catch (err) {
      refuse(err);
      return;
    }
    const only = parseList(def.devices).map(String);
    const emit = ({ status, signals }: { status: BudgetStatus; signals: BudgetSignal[] }, send: boolean): void => {
      const throttled = status.throttled.power || status.throttled.temperature;
      const power = { power: status.powerW, budget: Math.round(status.budgetW) };
      const text = status.hottest
        ? RED._('rackpower-budget.status.powerHot', { ...power, temperature: status.hottest.value })
        : RED._('rackpower-budget.status.power', power);
      this.status({ fill: throttled ? 'red' : status.share >= 0.9 ? 'yellow' : 'green', shape: 'dot', text });
      if (send) this.send([{ topic: 'rackpower/budget', payload: status }, null]);
      for (const s of signals) this.send([null, { topic: `rackpower/budget/${s.signal}`, payload: s.signal, budget: s }]);
    };
    // Ticks only drop silent members (and may send their throttle); the status message follows readings.
    const timer = setInterval(() => emit(engine.tick(Date.now()), false), TICK_MS);
    this.on('input', (msg, _send, done) => {
      const reading = readingOf(parseMessage(msg));
      if (reading && (!only.length || only.includes(reading.device.name))) emit(engine.reading(reading.device.name, reading.values, Date.now()), true);
      done();
    });
    onClose(() => clearInterval(timer));
  });
};
