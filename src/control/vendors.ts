// Per-vendor control data (vendors/*.json): which OIDs and values switch an outlet or command a UPS, keyed by the
// profile ids that read those devices. Data, not code: a vendor is a new file here and a line in VENDORS.
import apcPduLegacy from './vendors/apc-pdu-legacy.json';
import apcPowernetUps from './vendors/apc-powernet-ups.json';
import apcRpdu2 from './vendors/apc-rpdu2.json';
import cyberpowerPdu from './vendors/cyberpower-pdu.json';
import cyberpowerUps from './vendors/cyberpower-ups.json';
import eatonEpdu from './vendors/eaton-epdu.json';
import eatonXups from './vendors/eaton-xups.json';
import ietfUps from './vendors/ietf-ups.json';
import raritanPx1 from './vendors/raritan-px1.json';
import raritanPx2 from './vendors/raritan-px2.json';
import servertechSentry4 from './vendors/servertech-sentry4.json';
import { RackpowerError } from '../errors';
import type { SetVarbind } from '../protocol/snmp/client';

export type OutletAction = 'on' | 'off' | 'cycle';

/** One SET; `value` may be "{delay}", replaced by the command's delay in seconds. */
export interface ControlSet {
  oid: string;
  type: SetVarbind['type'];
  value: number | string;
}

export interface OutletControl {
  /** OID suffix for outlet n: "{n}", or with a unit/cord prefix ("1.1.{n}"). */
  index: string;
  /** `cycle` absent: the outlet node switches off, waits its cycle delay, and on. */
  commands: Partial<Record<OutletAction, ControlSet>> & { on: ControlSet; off: ControlSet };
  /** Read-back: the state column and which raw values mean on, off, or a switch still in progress. */
  state: { oid: string; on: number[]; off: number[]; pending?: number[] };
  /** The outlet name column, for allowlists and requests by name. */
  name?: string;
}

export interface UpsCommand {
  set: ControlSet[];
  /** Read-back after the SET: a value to expect, or a countdown that must be running (> 0). */
  verify?: { oid: string; equals?: number; countdown?: boolean };
}

export const UPS_COMMANDS = [
  'test.battery.start',
  'beeper.mute',
  'beeper.disable',
  'beeper.enable',
  'shutdown.return',
  'shutdown.stop',
  // A deep discharge to measure the battery (rackpower calibrate plans and stops it: src/battery/calibration.ts).
  'calibrate.start',
  'calibrate.stop',
] as const;
export type UpsCommandName = (typeof UPS_COMMANDS)[number];

export interface VendorControl {
  id: string;
  profiles: string[];
  outlet?: OutletControl;
  ups?: Partial<Record<UpsCommandName, UpsCommand>>;
}

export const VENDORS = [
  apcRpdu2,
  apcPduLegacy,
  raritanPx1,
  raritanPx2,
  servertechSentry4,
  eatonEpdu,
  cyberpowerPdu,
  ietfUps,
  apcPowernetUps,
  eatonXups,
  cyberpowerUps,
] as VendorControl[];

/** The control data for a profile id, or CONFIG naming the profiles that have some. */
export function controlFor(profile: string, what: 'outlet' | 'ups'): VendorControl {
  const found = VENDORS.find((v) => v.profiles.includes(profile) && v[what]);
  if (!found) {
    const known = VENDORS.filter((v) => v[what]).flatMap((v) => v.profiles);
    throw new RackpowerError('CONFIG', `no ${what} control for profile ${profile} (supported: ${known.join(', ')})`);
  }
  return found;
}

/** The profile ids that can be controlled, for detection among them only. */
export function controllableProfiles(what: 'outlet' | 'ups'): string[] {
  return VENDORS.filter((v) => v[what]).flatMap((v) => v.profiles);
}

/** A ControlSet as the SNMP client takes it, with the delay filled in. */
export function toVarbind(set: ControlSet, suffix: string, delayS = 0): SetVarbind {
  const oid = suffix ? `${set.oid}.${suffix}` : set.oid;
  const value = set.value === '{delay}' ? Math.round(delayS) : set.value;
  return { oid, type: set.type, value };
}
