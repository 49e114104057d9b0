// What an outlet node accepts as a request: its own form, and NUT's instant command names that Home Assistant's
// outlet switches publish, so a switch wired through `mqtt in` reaches the guarded control unchanged.
import { describe, expect, it } from 'vitest';
import { outletRequest } from '../../src/control/messages';

describe('outlet requests', () => {
  it('payload on/off/cycle with msg.outlet (number or name)', () => {
    expect(outletRequest({ payload: 'Cycle', outlet: 3 })).toEqual({ action: 'cycle', outlet: 3 });
    expect(outletRequest({ payload: { action: 'off', outlet: 'web-02' } })).toEqual({ action: 'off', outlet: 'web-02' });
  });

  it("NUT instant commands, as Home Assistant's outlet switches send them", () => {
    expect(outletRequest({ payload: 'outlet.3.load.off' })).toEqual({ action: 'off', outlet: 3 });
    expect(outletRequest({ payload: 'outlet.12.load.on' })).toEqual({ action: 'on', outlet: 12 });
    expect(outletRequest({ payload: 'outlet.1.load.cycle' })).toEqual({ action: 'cycle', outlet: 1 });
  });

  it('anything else is refused with the accepted forms named', () => {
    expect(() => outletRequest({ payload: 'outlet.3.load.toggle' })).toThrow(/"on", "off" or "cycle"/u);
    expect(() => outletRequest({ payload: 'off' })).toThrow(/which outlet/u);
  });
});
