// Trap definitions are profile data (`traps` sections): the shipped profiles cover the four MIB families, every
// notification is found in both its SMIv2 and RFC 3584 v1 forms, a notification several profiles list merges when
// it reads the same and refuses to load when it does not, and a user's own profile folder brings its own traps.
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as snmp from 'net-snmp';
import { shippedProfiles } from '../../src/profiles/load';
import type { SnmpProfile } from '../../src/profiles/types';
import { trapIndex, v1Form } from '../../src/traps/definitions';
import { copyOfShipped, userProfileDir } from '../harness/user-profiles';

const withTraps = (): SnmpProfile[] => shippedProfiles().filter((p): p is SnmpProfile => p.protocol === 'snmp' && !!p.traps);

describe('trap definitions from profiles', () => {
  it('the shipped profiles cover RFC 1628, APC PowerNet, Eaton XUPS and CyberPower, each with the power events', () => {
    const index = trapIndex(shippedProfiles());
    for (const vendor of ['ietf', 'apc', 'eaton', 'cyberpower']) {
      const events = [...index.values()].filter((t) => t.vendor === vendor).flatMap((t) => [t.event, ...Object.values(t.byVarbind?.events ?? {})]);
      expect(events, vendor).toEqual(expect.arrayContaining(['ONBATT', 'ONLINE', 'LOWBATT']));
    }
    expect(withTraps().map((p) => p.id).sort()).toEqual(['apc-pdu-legacy', 'apc-powernet-ups', 'cyberpower-ups', 'eaton-xups', 'ietf-ups']);
  });

  it('finds every notification of every profile in its SMIv2 form and in its RFC 3584 v1 form', () => {
    const index = trapIndex(shippedProfiles());
    for (const trap of withTraps().flatMap((p) => p.traps!.notifications)) {
      expect(index.get(trap.oid)?.name, trap.oid).toBe(trap.name);
      // v1: enterprise = the OID without its last arc (and without a trailing 0), specific = the last arc
      const arcs = trap.oid.split('.');
      const enterprise = arcs.slice(0, arcs[arcs.length - 2] === '0' ? -2 : -1).join('.');
      expect(index.get(`${enterprise}.0.${arcs[arcs.length - 1]}`)?.name, `${trap.name} as v1`).toBe(trap.name);
    }
    expect(v1Form('1.3.6.1.2.1.33.2.1')).toBe('1.3.6.1.2.1.33.2.0.1');
    expect(v1Form('1.3.6.1.4.1.318.0.5')).toBeUndefined();
  });

  it('merges a notification two profiles of one MIB list alike, in any key order', () => {
    const other = copyOfShipped('ietf-ups', 'other-ups') as SnmpProfile;
    other.traps!.notifications = other.traps!.notifications.map((t) => Object.fromEntries(Object.entries(t).reverse()) as typeof t);
    const index = trapIndex([...shippedProfiles(), other]);
    expect(index.size).toBe(trapIndex(shippedProfiles()).size);
    expect(index.get('1.3.6.1.2.1.33.2.1')).toMatchObject({ name: 'upsTrapOnBattery', event: 'ONBATT', vendor: 'ietf' });
  });

  it('refuses a notification that two profiles define differently, naming both', () => {
    const other = copyOfShipped('ietf-ups', 'other-ups') as SnmpProfile;
    other.traps!.notifications[0] = { ...other.traps!.notifications[0], event: 'LOWBATT' };
    expect(() => trapIndex([...shippedProfiles(), other])).toThrow(/profile other-ups: traps: 1\.3\.6\.1\.2\.1\.33\.2\.1 \(upsTrapOnBattery\) differs from the definition in profile ietf-ups/);
    const relabelled = copyOfShipped('ietf-ups', 'other-ups') as SnmpProfile;
    relabelled.traps!.vendor = 'acme';
    expect(() => trapIndex([...shippedProfiles(), relabelled])).toThrow(/differs/);
  });

  it('refuses a profile listing one notification twice', () => {
    const twice = copyOfShipped('ietf-ups', 'twice-ups') as SnmpProfile;
    twice.traps!.notifications.push({ ...twice.traps!.notifications[0] });
    expect(() => trapIndex([twice])).toThrow(/profile twice-ups: traps: 1\.3\.6\.1\.2\.1\.33\.2\.1 is listed twice/);
  });
});

describe('a user profile folder (RACKPOWER_PROFILES)', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it('brings its own traps to the trap normalizer', async () => {
    const acme = copyOfShipped('ietf-ups', 'acme-ups') as SnmpProfile;
    acme.traps = { vendor: 'acme', notifications: [{ oid: '1.3.6.1.4.1.99999.0.7', name: 'acmeOnBattery', event: 'ONBATT' }] };
    vi.stubEnv('RACKPOWER_PROFILES', userProfileDir([acme]));
    vi.resetModules(); // the loaded profiles are cached per process: a fresh module graph reads the variable
    const { TrapNormalizer } = await import('../../src/traps/normalize.js');
    const trap = new TrapNormalizer().normalize(
      { pdu: { type: snmp.PduType.Trap, varbinds: [], enterprise: '1.3.6.1.4.1.99999', generic: 6, specific: 7, agentAddr: '10.0.0.9' }, rinfo: { address: '10.0.0.9', port: 162 } },
      0,
    );
    expect(trap).toMatchObject({ event: 'ONBATT', trap: 'acmeOnBattery', vendor: 'acme', oid: '1.3.6.1.4.1.99999.0.7' });
  });

  it('a conflicting definition fails the receiver’s start with CONFIG naming both profiles, not its construction', async () => {
    const acme = copyOfShipped('ietf-ups', 'acme-ups') as SnmpProfile;
    acme.traps!.notifications[0] = { ...acme.traps!.notifications[0], name: 'acmeOnBattery' };
    vi.stubEnv('RACKPOWER_PROFILES', userProfileDir([acme]));
    vi.resetModules();
    const { TrapReceiver } = await import('../../src/traps/receiver.js');
    const receiver = new TrapReceiver({ host: '127.0.0.1', port: 0 });
    await expect(receiver.start()).rejects.toMatchObject({ code: 'CONFIG', message: expect.stringMatching(/profile acme-ups: traps: 1\.3\.6\.1\.2\.1\.33\.2\.1 \(acmeOnBattery\) differs from the definition in profile ietf-ups/) });
    await receiver.close();
  });

  it('refuses a folder that does not exist, naming the variable', async () => {
    vi.stubEnv('RACKPOWER_PROFILES', '/nonexistent/rackpower-profiles');
    vi.resetModules();
    const { loadedProfiles } = await import('../../src/profiles/load.js');
    expect(() => loadedProfiles()).toThrow(/RACKPOWER_PROFILES: \/nonexistent\/rackpower-profiles is not a folder/);
  });
});
