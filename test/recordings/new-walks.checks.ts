// What the nine real walks added for issue 10 must read as, value by value, with the oracle of each: LibreNMS's
// own reading of the same walk (shared/recordings/librenms-expected/raritan-pdu.json, and LibreNMS's
// tests/data/<name>.json for the others), NUT's mapping of the same MIB (drivers/*-mib.c), or the raw value read
// through the MIB where neither reads it. `null` means "must be absent" (a sentinel, a blank, a name that does
// not apply). Identity is checked as the NUT variables the reader publishes (device.mfr ...), plus the profile.
import type { Value, Values } from '../../src/types';

export interface WalkChecks {
  walk: string;
  profile: string;
  values: Record<string, Value | null>;
  /** Checks the reader is known to get wrong today, and why: the test fails when this list is not exactly right. */
  knownWrong?: Record<string, string>;
}

const range = (n: number, f: (i: number) => [string, Value | null]): Record<string, Value | null> =>
  Object.fromEntries(Array.from({ length: n }, (_, k) => f(k + 1)));

// Raritan PX v1 outlets, LibreNMS: current (mA/1000) and power per outlet 1..12.
const PX1_CURRENT = [0, 0, 2.192, 0, 0, 0.174, 0, 0, 0.202, 0.183, 0.192, 0];
const PX1_POWER = [0, 0, 507, 0, 0, 40, 0, 0, 46, 42, 44, 0];

export const CHECKS: WalkChecks[] = [
  {
    walk: 'apc-epdu',
    profile: 'apc-epdu',
    values: {
      'device.mfr': 'APC', // sysObjectID .318.1.3.4.9 is APC's own; NUT apc-epdu-mib states it too
      'input.L1.current': 0, // ePDUPhaseStatusCurrent.1 0 (0.01 A)
      'input.L1.realpower': 0, // ePDUPhaseStatusActivePower.1 0 W
      'input.L1.voltage': null, // ePDUPhaseStatusVoltage.1 0: no measurement on a PDU that answers
      'input.voltage': null,
    },
  },
  {
    walk: 'raritan-pdu',
    profile: 'raritan-px1',
    values: {
      'device.mfr': 'Raritan',
      ...range(12, (i) => [`outlet.${i}.current`, PX1_CURRENT[i - 1]]),
      // LibreNMS files outletApparentPower (column 8, VA) as "power": NUT's outlet.N.power is VA too
      ...range(12, (i) => [`outlet.${i}.power`, PX1_POWER[i - 1]]),
      'input.current': 2.971, // LibreNMS "Inlet L1" current
      'input.voltage': 230.5, // LibreNMS "Inlet L1" voltage
      'input.current.high.warning': 10.28, // LibreNMS limits of the inlet current
      'input.current.high.critical': 12.589,
      'ambient.1.temperature': 20.5, // LibreNMS "Temperature AEI8850418"
      'ambient.1.humidity': 39, // LibreNMS "Humidity AEI8850418"
    },
  },
  {
    walk: 'schleifenbauer',
    profile: 'schleifenbauer-pdu',
    values: {
      'device.mfr': 'Schleifenbauer',
      'device.model': 'SSDCHIN1307-002', // LibreNMS hardware
      'device.serial': 'SVNL00056319', // LibreNMS serial
      'ups.firmware': '180821PL1736', // LibreNMS version "250 (180821PL1736)"
      // LibreNMS per input (its L1..L3): current /100, voltage /100, power W, power factor /10000, kWh
      'input.L1.current': 0.32, 'input.L2.current': 0, 'input.L3.current': 0.32,
      'input.L1.voltage': 229, 'input.L2.voltage': 228.6, 'input.L3.voltage': 228.78,
      'input.L1.realpower': 70, 'input.L2.realpower': 0, 'input.L3.realpower': 70,
      'input.L1.powerfactor': 0.4594, 'input.L2.powerfactor': 1, 'input.L3.powerfactor': 0.4706,
      'input.L1.energy': 66, 'input.L2.energy': 0, 'input.L3.energy': 66,
      'input.phases': 3,
      'outlet.count': 6, // six outlet names in the outlet table
      'outlet.1.name': 'blaat',
    },
  },
  {
    walk: 'enlogic-pdu2',
    profile: 'enlogic-pdu',
    values: {
      'device.mfr': 'Enlogic',
      'device.model': 'EN1814', // pduNamePlateModelNumber
      'ups.firmware': '2.0.4.3',
      'input.realpower': 1120, // pduUnitStatusActivePower = 521 + 599 W of the phases
      'input.power': 1222, // pduUnitStatusApparentPower
      // pduInputPhaseStatus (LibreNMS reads the same columns): voltage V, current 0.01 A, W, VA, PF %
      'input.L1.voltage': 205, 'input.L2.voltage': 205, 'input.L3.voltage': 205,
      'input.L1.current': 2.77, 'input.L2.current': 4.72, 'input.L3.current': 3.18,
      'input.L1.realpower': 521, 'input.L2.realpower': 599,
      'input.L1.power': 568, 'input.L2.power': 652,
      'input.L1.powerfactor': 0.91,
      'input.phases': 3,
      // breakers B1..B3 are not lines: outlet groups, NA rows left out
      'outlet.group.1.current': 2.77, 'outlet.group.2.current': 3.18, 'outlet.group.3.current': 0,
      'outlet.group.1.name': 'B1',
      'outlet.group.count': 3,
    },
  },
  {
    walk: 'powerwalker',
    profile: 'eppc-ups',
    values: {
      'device.mfr': null, // the card names no maker
      'ups.firmware': '05616-0600', // LibreNMS version "FW: 05616-0600, NMC: 3.1.0.0"
      'ups.status': 'OL', // upsESystemStatus 4 line, upsEBatteryStatus 2 normal
      'battery.charge': 100,
      'battery.runtime': 36000, // LibreNMS 600 minutes
      'battery.voltage': 108.9,
      'ups.temperature': 30.8,
      'input.voltage': 238.2, 'input.frequency': 49.9,
      'output.voltage': 230, 'output.frequency': 49.9,
      'ups.load': 27,
      'output.current': null, // -1
    },
  },
  {
    walk: 'eaton-mgeups',
    profile: 'mge-ups',
    values: {
      'device.mfr': 'MGE UPS SYSTEMS', // enterprise 705; NUT mge-mib's own constant
      'device.model': 'Galaxy 7000',
      'device.serial': '0123456789',
      'ups.status': 'OL', // upsmgOutputOnBattery no(2), the rest no
      'battery.charge': 100,
      'battery.runtime': 7260,
      'battery.voltage': 600,
      'input.L1.frequency': 50, 'input.L2.frequency': 50, 'input.L3.frequency': 50,
      'input.L1.current': 37, 'output.L1.current': 39,
      'output.L1.power.percent': 10, 'output.L2.power.percent': 7, 'output.L3.power.percent': 9,
      // Its UPS-MIB cells (row index with an extra .0, tenths) say 235.3 V and 230.6 V line-to-neutral; the MGE
      // table's 408 V / 400 V are line-to-line values that NUT's mapping names L-N.
      'input.L1-N.voltage': 235.3,
      'output.L1-N.voltage': 230.6,
    },
    knownWrong: {
      'input.L1-N.voltage': 'mge-ups follows NUT: upsmgInputVoltage 408 V named L-N; the UPS-MIB cells are in tenths here, in volts on the 93E',
      'output.L1-N.voltage': 'same for upsmgOutputVoltage 400 V',
    },
  },
  {
    walk: 'netagent2',
    profile: 'xppc-ups',
    values: {
      'device.mfr': null, // a Megatec card under PPC's enterprise number: no maker stated
      'battery.charge': 100, 'battery.temperature': 25,
      'input.voltage': 254.5, 'input.frequency': 50,
      'output.voltage': 228.5, 'output.frequency': 50,
      'ups.load': 44,
    },
  },
  {
    walk: 'abbups_abbups',
    profile: 'ietf-ups',
    values: {
      'device.mfr': 'ABB', 'device.model': 'PowerScale',
      'ups.status': 'OL',
      'battery.charge': 100, 'battery.runtime': 27120, 'battery.voltage': 434.8,
      'input.L1-N.voltage': 239, 'input.L2-N.voltage': 239, 'input.L3-N.voltage': 238,
      'output.L1-N.voltage': 230, 'output.L2-N.voltage': 230, 'output.L3-N.voltage': 230,
      'output.L1.current': 0.7, 'output.L2.current': 0.8, 'output.L3.current': 0.5,
      'output.L1.power.percent': 6, 'output.L2.power.percent': 6, 'output.L3.power.percent': 4,
      'input.bypass.L1-N.voltage': 239,
      'output.frequency': 50,
      'input.voltage': null, // 3 lines: no single-phase name
    },
  },
  {
    walk: 'ict-pdu',
    profile: 'ict-dc-pdu',
    values: {
      'device.mfr': 'ICT',
      'device.model': 'ICT180S-12BRCP', // LibreNMS hardware
      'ups.firmware': '2.08', // LibreNMS version v2.08
      'input.voltage': 46, // LibreNMS "System Voltage"
      'input.current': 0.2, // LibreNMS "System Current"
      'outlet.1.current': 0, 'outlet.9.current': 0.2, 'outlet.12.current': 0, // outputs #1, #9 Camera, #12
      'outlet.1.name': 'test', 'outlet.9.name': 'Camera',
      'outlet.3.name': null, // a NUL byte
      'outlet.count': 12,
    },
  },
];

/** Which checks a reading gets right; `profile` is the id the reader chose (undefined when none applied). */
export function score(c: WalkChecks, profile: string | undefined, values: Values): { right: string[]; wrong: string[] } {
  const right: string[] = [];
  const wrong: string[] = [];
  (profile === c.profile ? right : wrong).push('profile');
  for (const [name, want] of Object.entries(c.values)) {
    const got = values[name];
    const ok = want === null ? got === undefined : typeof want === 'number' ? typeof got === 'number' && Math.abs(got - want) < 1e-6 : got === want;
    (ok ? right : wrong).push(name);
  }
  return { right, wrong };
}
