// The simulator impersonates every profile's control section from the data alone: for each shipped profile that
// switches outlets or commands a UPS, the real engines (OutletController, UpsCommander) act on a simulated device of
// that profile over SNMP and read the result back; a new profile with control OIDs of its own (a user's package) is
// simulated the same way with no code change.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Guard } from '../../src/control/guards';
import { OutletController } from '../../src/control/outlet';
import { controlFor, controllableProfiles } from '../../src/control/profile-control';
import { UpsCommander } from '../../src/control/ups';
import { shippedProfiles } from '../../src/profiles/load';
import type { Profile, SnmpProfile, UpsCommandName } from '../../src/profiles/types';
import { SnmpClient } from '../../src/protocol/snmp/client';
import type { Ups } from '../../src/sim/devices/ups';
import { startRack, type RunningRack } from '../../src/sim/rack';
import { parseScenario } from '../../src/sim/scenario';
import { parseTarget } from '../../src/url';
import { copyOfShipped, userProfileDir } from '../harness/user-profiles';

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function simulate(profile: string, speed: number, profiles: Profile[] = shippedProfiles()): Promise<{ rack: RunningRack; client: SnmpClient }> {
  const device = profiles.find((p) => p.id === profile)!.kind === 'pdu' ? { name: 'dev', profile, outlets: 4 } : { name: 'dev', profile };
  const rack = await startRack(parseScenario({ name: 'control', devices: [device], events: [] }, 'control-profiles.test.ts', profiles), { speed, control: true, profiles });
  cleanups.push(() => rack.close());
  const target = parseTarget(`${rack.devices[0].url}?timeout=2000&retries=1`);
  if (target.protocol !== 'snmp') throw new Error('not snmp');
  const client = new SnmpClient(target.snmp);
  cleanups.push(() => client.close());
  return { rack, client };
}

async function switchOutlets(id: string, profiles: Profile[] = shippedProfiles()): Promise<void> {
  const { rack, client } = await simulate(id, 20, profiles);
  const outlets = new OutletController(client, controlFor(id, 'outlet', profiles).outlet!, new Guard({ enabled: true, allow: [1, 2, 3, 4, 9], rateLimit: { count: 100, perS: 1 } }), {
    readbackIntervalMs: 50,
    readbackTimeoutMs: 10_000,
    cycleDelayS: 0.1,
  });
  const status = (n: number): unknown => rack.model.values('dev')[`outlet.${n}.status`];
  expect(await outlets.execute({ action: 'off', outlet: 2 })).toMatchObject({ outlet: 2, state: 'off', dryRun: false });
  expect(status(2)).toBe('off');
  expect(status(1)).toBe('on');
  expect(await outlets.execute({ action: 'on', outlet: 2 })).toMatchObject({ outlet: 2, state: 'on' });
  expect(status(2)).toBe('on');
  const cycled = await outlets.execute({ action: 'cycle', outlet: 3 });
  expect(cycled.readback).toContain('off');
  expect(cycled.state).toBe('on');
  await expect(outlets.execute({ action: 'off', outlet: 9 })).rejects.toThrow(/outlet 9 does not exist .*: it reports outlets 1-4/);
}

/** Each command through the engine, and what it did to the simulated UPS. */
async function commandUps(id: string, profiles: Profile[] = shippedProfiles()): Promise<void> {
  const { rack, client } = await simulate(id, 0, profiles);
  const commands = controlFor(id, 'ups', profiles).ups!;
  const names = Object.keys(commands) as UpsCommandName[];
  const ups = new UpsCommander(client, commands, new Guard({ enabled: true, allow: names, rateLimit: { count: 100, perS: 1 } }));
  const model = <T>(read: (u: Ups) => T): T => rack.model.control('dev', (u) => read(u as Ups));
  const effects: Record<UpsCommandName, () => void> = {
    'test.battery.start': () => expect(model((u) => u.testing)).toBe(true),
    'calibrate.start': () => expect(model((u) => u.testing)).toBe(true),
    'calibrate.stop': () => expect(model((u) => u.testing)).toBe(false),
    'beeper.disable': () => expect(model((u) => u.audible)).toBe(1),
    'beeper.enable': () => expect(model((u) => u.audible)).toBe(2),
    'beeper.mute': () => expect(model((u) => u.audible)).toBe(3),
    'shutdown.return': () => expect(model((u) => [u.shutdownCountdown > 0, u.autoRestart])).toEqual([true, true]),
    'shutdown.stop': () => expect(model((u) => u.shutdownCountdown)).toBe(-1),
  };
  for (const name of names) {
    const result = await ups.execute({ command: name, delayS: 120 });
    expect(result.verified, name).toBe(commands[name]!.verify !== undefined);
    effects[name]();
  }
}

const shipped = (what: 'outlet' | 'ups'): string[] => controllableProfiles(what, shippedProfiles()).map((p) => p.id);

describe('simulated control, from each profile’s control section', () => {
  it('covers every shipped controllable profile', () => {
    expect(shipped('outlet').length).toBeGreaterThanOrEqual(7);
    expect(shipped('ups').length).toBeGreaterThanOrEqual(4);
  });

  it.each(shipped('outlet'))('%s: switches outlets off, on and power-cycles one, each read back', (id) => switchOutlets(id), 60_000);

  it.each(shipped('ups'))('%s: carries out every command it lists, with the effect on the UPS', (id) => commandUps(id), 60_000);

  it('a new PDU profile with control OIDs and values of its own needs no simulator code', async () => {
    const acme = copyOfShipped('apc-rpdu2', 'acme-pdu') as SnmpProfile;
    const at = (column: number): string => `1.3.6.1.4.1.99999.1.${column}`;
    acme.control = {
      outlet: {
        index: '7.{n}',
        commands: { on: { oid: at(1), type: 'integer', value: 11 }, off: { oid: at(1), type: 'integer', value: 12 }, cycle: { oid: at(2), type: 'integer', value: 5 } },
        state: { oid: at(3), on: [70], off: [80] },
      },
    };
    await switchOutlets('acme-pdu', [...shippedProfiles(), acme]);
  }, 60_000);

  it('a new UPS profile with command OIDs and values of its own needs no simulator code', async () => {
    const acme = copyOfShipped('ietf-ups', 'acme-ups') as SnmpProfile;
    const at = (n: number): string => `1.3.6.1.4.1.99999.2.${n}.0`;
    acme.control = {
      ups: {
        'beeper.mute': { set: [{ oid: at(1), type: 'integer', value: 30 }], verify: { oid: at(1), equals: 30 } },
        'beeper.enable': { set: [{ oid: at(1), type: 'integer', value: 20 }], verify: { oid: at(1), equals: 20 } },
        'shutdown.return': { set: [{ oid: at(2), type: 'gauge', value: '{delay}' }], verify: { oid: at(3), countdown: true } },
        'shutdown.stop': { set: [{ oid: at(4), type: 'integer', value: 1 }] },
        'test.battery.start': { set: [{ oid: at(5), type: 'string', value: 'quick' }] },
      },
    };
    await commandUps('acme-ups', [...shippedProfiles(), acme]);
  }, 60_000);

  it('a profile in a RACKPOWER_PROFILES folder is simulated by its id, control included', async () => {
    const acme = copyOfShipped('apc-rpdu2', 'acme-pdu');
    vi.stubEnv('RACKPOWER_PROFILES', userProfileDir([acme]));
    vi.resetModules(); // the loaded profiles are cached per process: a fresh module graph reads the variable
    try {
      const { startRack: start } = await import('../../src/sim/rack.js');
      const { parseScenario: parse } = await import('../../src/sim/scenario.js');
      const rack = await start(parse({ name: 'user', devices: [{ name: 'dev', profile: 'acme-pdu', outlets: 2 }], events: [] }, 'control-profiles.test.ts'), { speed: 0, control: true });
      cleanups.push(() => rack.close());
      expect(rack.devices[0]).toMatchObject({ profile: 'acme-pdu', kind: 'pdu' });
      const target = parseTarget(rack.devices[0].url);
      if (target.protocol !== 'snmp') throw new Error('not snmp');
      const client = new SnmpClient(target.snmp);
      cleanups.push(() => client.close());
      const off = (acme as SnmpProfile).control!.outlet!.commands.off;
      await client.set([{ oid: `${off.oid}.2`, type: off.type, value: off.value }]);
      expect(rack.model.values('dev')['outlet.2.status']).toBe('off');
    } finally {
      vi.unstubAllEnvs();
      vi.resetModules();
    }
  }, 60_000);
});
