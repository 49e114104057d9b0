// A profile's control and traps sections are checked at load like the rest of it: the schema (shapes, OIDs, command
// names, SET types and values, event names) and what it cannot say (a raw value meaning two outlet states, on and off
// sending the same SET, a delay on a command that carries none, a notification listed twice). Each refusal names
// the profile file and the field.
import { describe, expect, it } from 'vitest';
import { loadProfiles } from '../../src/profiles/load';
import type { SnmpProfile } from '../../src/profiles/types';
import { copyOfShipped, userProfileDir } from '../harness/user-profiles';

function refusal(edit: (p: SnmpProfile) => void, from = 'apc-rpdu2'): string {
  const p = copyOfShipped(from, 'x-device') as SnmpProfile;
  edit(p);
  try {
    loadProfiles([userProfileDir([p])]);
  } catch (err) {
    return (err as Error).message;
  }
  return 'loaded';
}

describe('control and traps sections at load', () => {
  it('loads the shipped sections as they are, and a copy under another id', () => {
    expect(refusal(() => undefined)).toBe('loaded');
    expect(refusal(() => undefined, 'ietf-ups')).toBe('loaded');
  });

  it('refuses a malformed section through the schema, naming the file and the field', () => {
    expect(refusal((p) => (p.control!.outlet!.index = '{n}.1'))).toMatch(/x-device\/profile\.json: control\/outlet\/index: must match pattern/);
    expect(refusal((p) => (p.control!.outlet!.commands.on.value = 'on'))).toMatch(/control\/outlet\/commands\/on\/value/);
    expect(refusal((p) => delete (p.control!.outlet!.state as { off?: number[] }).off)).toMatch(/control\/outlet\/state: must have required property 'off'/);
    expect(refusal((p) => ((p.control!.ups as Record<string, unknown>) = { 'outlet.1.off': { set: [] } }))).toMatch(/control\/ups/);
    expect(refusal((p) => (p.control!.ups!['beeper.mute']!.verify = { oid: '1.3.6.1.2.1.33.1.9.8.0' }), 'ietf-ups')).toMatch(/control\/ups\/beeper\.mute\/verify/);
    expect(refusal((p) => (p.traps!.notifications[0].event = 'POWERFAIL' as never), 'ietf-ups')).toMatch(/traps\/notifications\/0\/event/);
    expect(refusal((p) => (p.traps!.notifications[0] = { ...p.traps!.notifications[0], byVarbind: { oid: '1.3.6.1.2.1.33.1.6.2.1.2', events: { '1.3.6.1.2.1.33.1.6.3.2': 'ONBATT' } } }), 'ietf-ups')).toMatch(/traps\/notifications\/0/);
  });

  it('refuses a raw state value meaning two states: the read-back could confirm a switch that did not happen', () => {
    expect(refusal((p) => (p.control!.outlet!.state.off = [1, 2]))).toMatch(/x-device\/profile\.json: control\/outlet\/state: 2 is listed for two states/);
    expect(refusal((p) => (p.control!.outlet!.state.pending = [1]))).toMatch(/control\/outlet\/state: 1 is listed for two states/);
  });

  it('refuses on and off sending the same SET', () => {
    expect(refusal((p) => (p.control!.outlet!.commands.off = { ...p.control!.outlet!.commands.on }))).toMatch(/control\/outlet\/commands: on and off send the same SET/);
  });

  it('refuses a {delay} on a command other than shutdown.return', () => {
    expect(refusal((p) => (p.control!.ups!['shutdown.stop']!.set[0].value = '{delay}'), 'ietf-ups')).toMatch(/control\/ups\/shutdown\.stop\/set\/0\/value: only shutdown\.return carries a \{delay\}/);
  });

  it('refuses a notification listed twice in one profile', () => {
    expect(refusal((p) => p.traps!.notifications.push({ ...p.traps!.notifications[0], name: 'again' }), 'ietf-ups')).toMatch(/traps\/notifications\/4\/oid: 1\.3\.6\.1\.2\.1\.33\.2\.1 is also notifications\/0/);
  });

  it('refuses control and traps on a Modbus profile (they are SNMP SETs and notifications)', () => {
    const modbus = { ...copyOfShipped('xy-md02', 'x-meter'), control: (copyOfShipped('apc-rpdu2', 'y') as SnmpProfile).control };
    expect(() => loadProfiles([userProfileDir([modbus as never])])).toThrow(/x-meter\/profile\.json: control: /);
  });
});
