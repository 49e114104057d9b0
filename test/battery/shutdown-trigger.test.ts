// The shutdown orchestrator's runtime trigger on the learned runtime, with the UPS's estimate as the fallback.
import { describe, expect, it } from 'vitest';
import { ShutdownOrchestrator, type AuditOut, type ShutdownPolicy } from '../../src/actions/shutdown';

const T = (s: number): number => 1_000_000 + s * 1000;

function orchestrator(runtimeSource?: 'reported' | 'measured'): ShutdownOrchestrator {
  const policy: ShutdownPolicy = {
    supplies: ['ups'],
    redundancy: 'all',
    triggers: { runtimeBelowS: 300, runtimeSource, lowBattery: false },
    stages: [{ name: 'hosts', delayS: 0, actions: [{ name: 'stop hosts' }] }],
  };
  return new ShutdownOrchestrator(policy);
}

const trigger = (out: ReturnType<ShutdownOrchestrator['reading']>): AuditOut | undefined =>
  out.find((o): o is AuditOut => o.kind === 'audit' && o.event === 'trigger');

describe('shutdown on the measured runtime', () => {
  it('triggers on battery.runtime.measured when the optimistic estimate would not', () => {
    const values = { 'ups.status': 'OB DISCHRG', 'battery.charge': 60, 'battery.runtime': 480, 'battery.runtime.measured': 290 };
    expect(trigger(orchestrator('reported').reading('ups', values, T(0)))).toBeUndefined();
    const fired = trigger(orchestrator('measured').reading('ups', values, T(0)));
    expect(fired?.reason).toMatch(/measured runtime 290 s below 300 s/u);
  });

  it('falls back to the UPS estimate while nothing is learned', () => {
    const o = orchestrator('measured');
    expect(trigger(o.reading('ups', { 'ups.status': 'OB DISCHRG', 'battery.runtime': 400 }, T(0)))).toBeUndefined();
    expect(trigger(o.reading('ups', { 'ups.status': 'OB DISCHRG', 'battery.runtime': 250 }, T(5)))?.reason).toMatch(/ups: runtime 250 s below 300 s/u);
  });

  it('ignores a learned runtime unless asked to', () => {
    const o = orchestrator();
    expect(trigger(o.reading('ups', { 'ups.status': 'OB DISCHRG', 'battery.runtime': 900, 'battery.runtime.measured': 100 }, T(0)))).toBeUndefined();
  });
});
