// What an outlet node accepts as a request: its own form, and NUT's instant command names that Home Assistant's
// outlet switches publish, so a switch wired through `mqtt in` reaches the guarded control unchanged.
import { describe, expect, it } from 'vitest';
import { nutCommandRequest, outletRequest, upsRequest } from '../../src/control/messages';

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

describe('UPS command requests', () => {
  it('a command alone, or with a delay as whole seconds (a number or digits)', () => {
    expect(upsRequest({ payload: 'beeper.mute' }, 60)).toEqual({ command: 'beeper.mute', delayS: 60 });
    expect(upsRequest({ payload: { command: 'shutdown.return', delay: 120 } }, 60)).toEqual({ command: 'shutdown.return', delayS: 120 });
    expect(upsRequest({ payload: 'shutdown.return', delay: '30' }, 60)).toEqual({ command: 'shutdown.return', delayS: 30 });
    expect(upsRequest({ payload: { command: 'shutdown.return', delay: 0 }, delay: 30 }, 60)).toEqual({ command: 'shutdown.return', delayS: 0 });
  });

  it.each([
    ['msg.payload.delay', { payload: { command: 'shutdown.return', delay: 'abc' } }],
    ['msg.delay', { payload: 'shutdown.return', delay: NaN }],
    ['msg.delay', { payload: 'shutdown.return', delay: '' }],
    ['msg.delay', { payload: 'shutdown.return', delay: null }],
    ['msg.delay', { payload: 'shutdown.return', delay: -5 }],
    ['msg.delay', { payload: 'shutdown.return', delay: 1.5 }],
    ['msg.delay', { payload: 'shutdown.return', delay: '1e2' }],
    ['msg.delay', { payload: 'shutdown.return', delay: 86_401 }],
    ['msg.delay', { payload: 'shutdown.return', delay: Infinity }],
    ['msg.delay', { payload: { command: 'shutdown.return', delay: 10 }, delay: 'abc' }],
  ])('a malformed %s refuses the command: %j', (where, msg) => {
    expect(() => upsRequest(msg, 60)).toThrow(expect.objectContaining({ code: 'CONFIG', message: expect.stringContaining(`${where} must be whole seconds`) }));
  });

  it('a misspelt parameter refuses the command rather than being ignored', () => {
    expect(() => upsRequest({ payload: { command: 'shutdown.return', dealy: 30 } }, 60)).toThrow(/unknown parameter\(s\) dealy/u);
  });
});

describe('NUT instant command requests', () => {
  it('a command alone, with a param from the payload or the message', () => {
    expect(nutCommandRequest({ payload: 'beeper.mute' })).toEqual({ command: 'beeper.mute' });
    expect(nutCommandRequest({ payload: { command: 'outlet.1.load.off' } })).toEqual({ command: 'outlet.1.load.off' });
    expect(nutCommandRequest({ payload: { command: 'calibrate.start', param: 30 } })).toEqual({ command: 'calibrate.start', param: '30' });
    expect(nutCommandRequest({ payload: 'test.battery.start', param: 'quick' })).toEqual({ command: 'test.battery.start', param: 'quick' });
  });

  it.each([
    ['no command', { payload: {} }, /must name a NUT instant command/],
    ['a command that is no NUT name', { payload: 'shutdown return\nLOGOUT' }, /must name a NUT instant command/],
    ['a delay NUT cannot carry', { payload: { command: 'shutdown.return', delay: 120 } }, /take no delay/],
    ['msg.delay', { payload: 'shutdown.return', delay: 'abc' }, /take no delay/],
    ['a misspelt key', { payload: { command: 'beeper.mute', parm: 'x' } }, /parm \(only command, param\)/],
    ['an object as param', { payload: { command: 'beeper.mute', param: { a: 1 } } }, /plain string or number/],
    ['a param that would break the line', { payload: { command: 'beeper.mute', param: 'x"\nINSTCMD' } }, /plain string or number/],
    ['NaN as param', { payload: 'beeper.mute', param: NaN }, /plain string or number/],
  ])('%s refuses the command: nothing sent', (_what, msg, why) => {
    expect(() => nutCommandRequest(msg)).toThrow(why);
  });
});
