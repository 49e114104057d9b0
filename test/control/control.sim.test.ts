// Outlet and UPS control against the simulated rack over real SNMP SETs: a power-cycle confirmed by reading the
// outlet back, on/off by name, a protected outlet refused, a dry run that sends no SET (counted at the agents),
// and RFC 1628 shutdown-with-return and beeper commands read back. The rack runs at 20× so the PDU's own 5 s
// reboot delay takes 250 ms: the only real waiting, and only because the protocol has a delay.
import { afterEach, describe, expect, it } from 'vitest';
import { Guard, type GuardConfig } from '../../src/control/guards';
import { OutletController } from '../../src/control/outlet';
import { UpsCommander } from '../../src/control/ups';
import { controlFor } from '../../src/control/profile-control';
import { SnmpClient } from '../../src/protocol/snmp/client';
import { startRack, type RunningRack } from '../../src/sim/rack';
import { parseScenario } from '../../src/sim/scenario';
import { parseTarget } from '../../src/url';

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function rack(speed = 20): Promise<RunningRack> {
  const scenario = parseScenario(
    { name: 'control', devices: [{ name: 'ups', profile: 'ietf-ups' }, { name: 'pdu', profile: 'apc-rpdu2', outlets: 8 }], events: [] },
    'control.sim.test.ts',
  );
  const r = await startRack(scenario, { speed, control: true });
  cleanups.push(() => r.close());
  return r;
}

function client(r: RunningRack, name: string): SnmpClient {
  const target = parseTarget(`${r.devices.find((d) => d.name === name)!.url}?timeout=1000&retries=0`);
  if (target.protocol !== 'snmp') throw new Error('not snmp');
  const c = new SnmpClient(target.snmp);
  cleanups.push(() => c.close());
  return c;
}

const guard = (extra: Partial<GuardConfig> = {}): Guard => new Guard({ enabled: true, allow: [1, 2, 3, 'db-01'], protect: [8], ...extra });
const outlets = (r: RunningRack, g: Guard): OutletController =>
  new OutletController(client(r, 'pdu'), controlFor('apc-rpdu2', 'outlet').outlet!, g, { readbackIntervalMs: 50, readbackTimeoutMs: 3000, cycleDelayS: 0.1 });

describe('outlet control (APC rPDU2 on the simulator)', () => {
  it('power-cycles outlet 3 with the PDU’s own reboot: the result comes after reading it off, then on again', async () => {
    const r = await rack();
    const result = await outlets(r, guard()).execute({ action: 'cycle', outlet: 3 });
    expect(result).toMatchObject({ action: 'cycle', outlet: 3, name: 'app-01', state: 'on', dryRun: false });
    expect(result.sent).toEqual([{ oid: '1.3.6.1.4.1.318.1.1.26.9.2.4.1.5.3', type: 'integer', value: 3 }]);
    expect(result.readback[0]).toBe('off'); // the SET took it off at once
    expect(result.readback.at(-1)).toBe('on');
    expect(result.message).toBe('outlet 3 (app-01) power-cycled: reads on');
    expect(r.model.values('pdu')['outlet.3.status']).toBe('on');
    expect(r.setRequests()).toBe(1);
  });

  it('switches an outlet off and on by name, confirmed by read-back each time', async () => {
    const r = await rack();
    const c = outlets(r, guard());
    expect(await c.execute({ action: 'off', outlet: 'db-01' })).toMatchObject({ outlet: 5, name: 'db-01', state: 'off' });
    expect(r.model.values('pdu')['outlet.5.status']).toBe('off');
    expect(await c.execute({ action: 'on', outlet: '5' })).toMatchObject({ outlet: 5, state: 'on' });
  });

  it('refuses a protected outlet and one off the allowlist before any SET', async () => {
    const r = await rack();
    const c = outlets(r, guard());
    await expect(c.execute({ action: 'off', outlet: 8 })).rejects.toMatchObject({ code: 'CONFIG', message: 'refused 8 (backup-01): it is protected' });
    await expect(c.execute({ action: 'off', outlet: 'app-02' })).rejects.toMatchObject({ code: 'CONFIG', message: 'refused 4 (app-02): not on the allowlist' });
    await expect(c.execute({ action: 'off', outlet: 'nope' })).rejects.toMatchObject({ code: 'CONFIG', message: 'no outlet named "nope"' });
    expect(r.setRequests()).toBe(0);
    expect(r.model.values('pdu')['outlet.8.status']).toBe('on');
  });

  it('a dry run reads the outlet and says what it would send: no SET reaches the simulator', async () => {
    const r = await rack();
    const result = await outlets(r, guard({ dryRun: true })).execute({ action: 'off', outlet: 1 });
    expect(result).toMatchObject({ dryRun: true, state: 'on', message: 'dry run: would off outlet 1 (web-01) (reads on)' });
    expect(result.sent).toEqual([{ oid: '1.3.6.1.4.1.318.1.1.26.9.2.4.1.5.1', type: 'integer', value: 2 }]);
    expect(r.setRequests()).toBe(0);
  });

  it('a device that refuses the SET (no control served) is a clear PROTOCOL failure', async () => {
    const scenario = parseScenario({ name: 'ro', devices: [{ name: 'pdu', profile: 'apc-rpdu2' }], events: [] }, 'ro');
    const r = await startRack(scenario, { speed: 0 });
    cleanups.push(() => r.close());
    await expect(outlets(r, guard()).execute({ action: 'off', outlet: 1 })).rejects.toMatchObject({ code: 'PROTOCOL', message: expect.stringContaining('refused the request') });
  });
});

describe('UPS commands (RFC 1628 on the simulator)', () => {
  it('shutdown with return: the countdown reads back running; the output goes off, and returns with mains', async () => {
    const r = await rack(0);
    const ups = new UpsCommander(client(r, 'ups'), controlFor('ietf-ups', 'ups').ups!, new Guard({ enabled: true, allow: ['shutdown.return', 'beeper.mute'] }));
    const result = await ups.execute({ command: 'shutdown.return', delayS: 30 });
    expect(result).toMatchObject({ verified: true, readback: 30 });
    expect(result.sent.map((v) => v.value)).toEqual([1, 30]);
    r.model.advance(31);
    expect(r.model.values('ups')['ups.status']).toBe('OL'); // mains on: auto-restart brought it straight back
    await expect(ups.execute({ command: 'beeper.mute' })).resolves.toMatchObject({ verified: true, readback: 3 });
    await expect(ups.execute({ command: 'test.battery.start' })).rejects.toThrow('refused test.battery.start: not on the allowlist');
    expect(r.setRequests()).toBe(2);
  });
});
