// The vendor UPS profiles against real walks of real UPS cards, served by Debian's snmpsimd and read over UDP with
// SnmpDeviceReader, the engine behind `rackpower read` and the nodes. Every assertion names its oracle:
//   NUT      what NUT 2.8.0's snmp-ups printed for the same walk (shared recordings, nut-readings/<name>.upsc.txt),
//            used where NUT is right;
//   MIB      the raw value in the walk read through the vendor MIB, where NUT is silent or wrong (NUT 2.8.0 leaves
//            ups.status blank for cyberpower, publishes sentinels, and has known mapping slips).
// @module-tag peer: snmpsimd
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseProfile, probeOids } from '../../src/profiles/detect';
import { findProfile, shippedProfiles } from '../../src/profiles/load';
import type { SnmpProfile } from '../../src/profiles/types';
import { SnmpDeviceReader } from '../../src/polling/snmp-reader';
import { SnmpClient } from '../../src/protocol/snmp/client';
import { SNMP_DEFAULTS } from '../../src/protocol/snmp/target';
import type { Values } from '../../src/types';
import { startSnmpsim, type Snmpsim } from '../harness/snmpsim';
import { fixture } from '../profiles/recording-helpers';

const RECORDINGS = ['cyberpower', 'eatonups', 'eaton-93e-80', 'phoenixtec-power', 'huawei-gse200m'];
const snmpProfiles = shippedProfiles().filter((p): p is SnmpProfile => p.protocol === 'snmp');
const ietf = findProfile('ietf-ups') as SnmpProfile;

let sim: Snmpsim;
const clients: SnmpClient[] = [];
beforeAll(async () => {
  sim = await startSnmpsim(RECORDINGS.map(fixture));
});
afterAll(async () => {
  for (const c of clients) c.close();
  await sim?.stop();
});

/** The community selects the recording (snmpsimd serves `<community>.snmprec`). */
function client(community: string): SnmpClient {
  const c = new SnmpClient({ ...SNMP_DEFAULTS, host: '127.0.0.1', port: sim.port, version: 2, community });
  clients.push(c);
  return c;
}

/** Detects the profile among every shipped one, as `rackpower read` does, and reads twice (learning, then steady). */
async function readRecording(community: string, profile?: SnmpProfile): Promise<{ reader: SnmpDeviceReader; values: Values; steadyRequests: number }> {
  const reader = new SnmpDeviceReader(client(community), { profiles: snmpProfiles, profile });
  await reader.identify();
  await reader.read();
  const before = reader.requestCount;
  const values = await reader.read();
  return { reader, values, steadyRequests: reader.requestCount - before };
}

/** The card also speaks RFC 1628 (ietf-ups's probe answers), yet the vendor profile is chosen. */
async function expectVendorOverIetf(community: string, vendor: string): Promise<void> {
  const c = client(community);
  const system = await c.system();
  const answered = new Set((await c.get(probeOids(snmpProfiles))).keys());
  for (const probe of ietf.match.probe ?? []) expect(answered.has(probe), `ietf-ups probe ${probe} answers`).toBe(true);
  expect(chooseProfile([ietf], system.sysObjectID, answered)?.id, 'ietf-ups alone would apply').toBe('ietf-ups');
  expect(chooseProfile(snmpProfiles, system.sysObjectID, answered)?.id).toBe(vendor);
}

describe('CyberPower OL2200RTXL2U, RMCARD (CPS-MIB)', () => {
  it('is detected as cyberpower-ups and reads identity, battery, input, output and the ENVIROSENSOR', async () => {
    const { reader, values: v, steadyRequests } = await readRecording('cyberpower');
    // NUT: ups.mfr CYBERPOWER, ups.model OL2200RTXL2U, ups.serial ABCFT1000001, ups.firmware S1A17
    expect(await reader.identify()).toEqual({
      profile: 'cyberpower-ups', kind: 'ups', manufacturer: 'CYBERPOWER', model: 'OL2200RTXL2U', serial: 'ABCFT1000001', firmware: 'S1A17',
    });
    // NUT: battery.charge 100, battery.runtime 1740 (upsAdvanceBatteryRunTimeRemaining 174000 TimeTicks), battery.temperature 36
    expect(v['battery.charge']).toBe(100);
    expect(v['battery.runtime']).toBe(1740);
    expect(v['battery.temperature']).toBe(36);
    // NUT: input.voltage 119.50, input.frequency 60, output.voltage 120.20, output.frequency 60, output.current 6.50
    expect(v['input.voltage']).toBe(119.5);
    expect(v['input.frequency']).toBe(60);
    expect(v['output.voltage']).toBe(120.2);
    expect(v['output.frequency']).toBe(60);
    expect(v['output.current']).toBe(6.5);
    // MIB, NUT wrong: NUT also prints battery.current 6.50, read from upsAdvanceOutputCurrent (.4.2.4.0), an output
    // current; the card has no upsAdvanceBatteryCurrent (.2.2.7.0), so there is no battery current to publish.
    expect(v['battery.current']).toBeUndefined();
    // MIB, NUT blank: upsBaseOutputStatus (.4.1.1.0) 2 onLine, upsBaseBatteryStatus (.2.1.1.0) 2 batteryNormal,
    // upsAdvanceBatteryReplaceIndicator (.2.2.5.0) 1 noBatteryNeedsReplacing → "OL"
    expect(v['ups.status']).toBe('OL');
    // MIB, NUT silent: envirTemperature (.3808.1.1.4.2.1.0) 683 tenths of °F = 68.3 °F = 20.17 °C; envirHumidity 56 %
    expect(v['ambient.temperature']).toBe(20.2);
    expect(v['ambient.humidity']).toBe(56);
    // NUT: device.location <private> (sysLocation, anonymised by LibreNMS)
    expect(v['device.location']).toBe('<private>');
    // Every scalar in one GET once learned.
    expect(steadyRequests).toBe(1);
  });
});

describe('Eaton ConnectUPS Web/SNMP card (XUPS-MIB)', () => {
  it('is detected as eaton-xups by its sysObjectID and reads what the walk has', async () => {
    // NUT 2.8.0 recognises nothing here (the walk lacks xupsIdentModel, its probe): the MIB is the only oracle.
    const { reader, values: v } = await readRecording('eatonups');
    expect((await reader.identify()).profile).toBe('eaton-xups');
    // MIB: xupsBatCapacity 100 %, xupsBatVoltage 78 V
    expect(v['battery.charge']).toBe(100);
    expect(v['battery.voltage']).toBe(78);
    // MIB: xupsInputFrequency 500 tenths of Hz; xupsInputTable has one row → un-indexed names: voltage 228 V
    expect(v['input.frequency']).toBe(50);
    expect(v['input.voltage']).toBe(228);
    expect(v['input.L1-N.voltage']).toBeUndefined();
    // MIB: xupsOutputFrequency 500; xupsOutputTable row 1: 230 V, 1 A, 231 W
    expect(v['output.frequency']).toBe(50);
    expect(v['output.voltage']).toBe(230);
    expect(v['output.current']).toBe(1);
    expect(v['output.realpower']).toBe(231);
    // MIB: xupsBypassFrequency 500, xupsBypassTable row 1: 228 V
    expect(v['input.bypass.frequency']).toBe(50);
    expect(v['input.bypass.voltage']).toBe(228);
    // MIB: the walk has no xupsOutputSource, no xupsBatteryAbmStatus and no alarm: no status is invented,
    // and no xupsBatTimeRemaining: no runtime.
    expect(v['ups.status']).toBeUndefined();
    expect(v['battery.runtime']).toBeUndefined();
  });
});

describe('Eaton 93E 80 kVA, Network-MS card (MGE MIB + XUPS + RFC 1628)', () => {
  it('prefers the MGE profile (exact sysObjectID) over eaton-xups and ietf-ups, which both answer too', async () => {
    await expectVendorOverIetf('eaton-93e-80', 'mge-ups');
    const c = client('eaton-93e-80');
    const answered = new Set((await c.get(probeOids(snmpProfiles))).keys());
    const xups = findProfile('eaton-xups') as SnmpProfile;
    for (const probe of xups.match.probe ?? []) expect(answered.has(probe), `eaton-xups probe ${probe} answers`).toBe(true);
  });

  it('reads the 3-phase UPS as NUT does, minus NUT sentinels, plus the input lines NUT misses', async () => {
    const { reader, values: v, steadyRequests } = await readRecording('eaton-93e-80');
    // NUT: device.model 93E HV, device.serial 4K234LXX06, ups.firmware 2.08.0011. NUT's device.mfr "Eaton" is a
    // constant of its driver; the card names its maker itself (upsIdentManufacturer "EATON"), and that wins.
    expect(await reader.identify()).toEqual({
      profile: 'mge-ups', kind: 'ups', manufacturer: 'EATON', model: '93E HV', serial: '4K234LXX06', firmware: '2.08.0011',
    });
    // NUT: ups.status OL, battery.charge 100, battery.voltage 521, battery.charge.low 20, battery.runtime.low 180
    expect(v['ups.status']).toBe('OL');
    expect(v['battery.charge']).toBe(100);
    expect(v['battery.voltage']).toBe(521);
    expect(v['battery.charge.low']).toBe(20);
    expect(v['battery.runtime.low']).toBe(180);
    // MIB, NUT wrong: NUT prints battery.runtime 65535, upsmgBatteryRemainingTime's "unknown" (xupsBatTimeRemaining
    // says 65535 too): a sentinel, not 18 hours.
    expect(v['battery.runtime']).toBeUndefined();
    // NUT: input.phases 3, output.phases 3; output.Lx-N.voltage 220; output.Lx.current 27 / 18 / 15
    expect(v['input.phases']).toBe(3);
    expect(v['output.phases']).toBe(3);
    expect([v['output.L1-N.voltage'], v['output.L2-N.voltage'], v['output.L3-N.voltage']]).toEqual([220, 220, 220]);
    expect([v['output.L1.current'], v['output.L2.current'], v['output.L3.current']]).toEqual([27, 18, 15]);
    // NUT: ups.L1.load 21, ups.L2.load 16, ups.L3.load 12 (NUT 2.8.0's name; nut-names.txt's 3-phase name is
    // output.Lx.power.percent, as ietf-ups uses); un-indexed ups.load only on single-phase output
    expect([v['output.L1.power.percent'], v['output.L2.power.percent'], v['output.L3.power.percent']]).toEqual([21, 16, 12]);
    expect(v['ups.load']).toBeUndefined();
    // MIB, NUT silent: the card's XUPS-MIB xupsOutputWatts 5100 / 3600 / 2700 W and xupsEnvAmbientTemp 25 °C
    expect([v['output.L1.realpower'], v['output.L2.realpower'], v['output.L3.realpower']]).toEqual([5100, 3600, 2700]);
    expect(v['ups.temperature']).toBe(25);
    // NUT: output.L1.frequency 49 (upsmgOutputFrequency 490 tenths): one output frequency
    expect(v['output.frequency']).toBe(49);
    // MIB, NUT silent (its OIDs lack the card's ".0" index arc): upsmgInputVoltage 2270 / 2270 / 2330 tenths of V,
    // upsmgInputFrequency 500 per line (per-line names, as ietf-ups); the card's UPS-MIB input table agrees (227 /
    // 227 / 233 V, 50.0 Hz)
    expect([v['input.L1-N.voltage'], v['input.L2-N.voltage'], v['input.L3-N.voltage']]).toEqual([227, 227, 233]);
    expect([v['input.L1.frequency'], v['input.L2.frequency'], v['input.L3.frequency']]).toEqual([50, 50, 50]);
    // NUT: ups.firmware.aux JH, ups.beeper.status enabled
    expect(v['ups.firmware.aux']).toBe('JH');
    expect(v['ups.beeper.status']).toBe('enabled');
    // NUT: "done and passed" (upsTestResultsSummary 1); worded as RFC 1628 and ietf-ups word it
    expect(v['ups.test.result']).toBe('Done and passed');
    // MIB, NUT wrong: NUT prints ambient.temperature 0.0 and ambient.humidity 0 (upsmgEnvironAmbientTemp/Humidity 0):
    // no computer room is at 0 °C and 0 %, the card reports 0 for "no reading"
    expect(v['ambient.temperature']).toBeUndefined();
    expect(v['ambient.humidity']).toBeUndefined();
    // NUT: device.location Computer Room, device.contact Computer Room Manager
    expect(v['device.location']).toBe('Computer Room');
    expect(v['device.contact']).toBe('Computer Room Manager');
    // Scalars and both 3-row phase tables in one GET.
    expect(steadyRequests).toBe(1);
  });
});

describe('UPS with a Phoenixtec card (XPPC-MIB + RFC 1628)', () => {
  it('prefers xppc-ups over ietf-ups', async () => {
    await expectVendorOverIetf('phoenixtec-power', 'xppc-ups');
  });

  it('reads status, battery, input and output', async () => {
    const { reader, values: v, steadyRequests } = await readRecording('phoenixtec-power');
    // NUT prints its driver's constant "Tripp Lite / Phoenixtec"; the card names no maker (blank upsIdentManufacturer,
    // XPPC cards ship under many brands), so there is none to publish.
    expect(await reader.identify()).toMatchObject({ profile: 'xppc-ups', kind: 'ups', manufacturer: undefined, firmware: undefined });
    // NUT: ups.status OL, battery.charge 100, input.voltage 239, output.voltage 230.70, output.frequency 50, ups.load 2
    expect(v['ups.status']).toBe('OL');
    expect(v['battery.charge']).toBe(100);
    expect(v['input.voltage']).toBe(239);
    expect(v['output.voltage']).toBe(230.7);
    expect(v['output.frequency']).toBe(50);
    expect(v['ups.load']).toBe(2);
    // NUT: ups.temperature 31.50 from upsSmartBatteryTemperature (315 tenths of °C): the MIB says it is the battery's,
    // and the card's upsBatteryTemperature (UPS-MIB, 31 °C) agrees → battery.temperature
    expect(v['battery.temperature']).toBe(31.5);
    // MIB, NUT silent: upsBatteryVoltage (UPS-MIB) 410 tenths of V
    expect(v['battery.voltage']).toBe(41);
    // MIB, NUT silent: upsSmartInputFrequency 500 tenths of Hz; upsSmartInputMaxVoltage / MinVoltage 2446 / 2349 tenths
    expect(v['input.frequency']).toBe(50);
    expect(v['input.voltage.maximum']).toBe(244.6);
    expect(v['input.voltage.minimum']).toBe(234.9);
    // MIB: upsSmartBatteryRunTimeRemaining 0 (and upsEstimatedMinutesRemaining 0) on line at 100 % charge: "not
    // estimated", never a runtime a shutdown flow should act on
    expect(v['battery.runtime']).toBeUndefined();
    // NUT: device.location My Kert UPS, device.contact Administrator
    expect(v['device.location']).toBe('My Kert UPS');
    expect(v['device.contact']).toBe('Administrator');
    expect(steadyRequests).toBe(1);
  });
});

describe('Huawei UPS5000-E, GSE200M card (HUAWEI-UPS-MIB + RFC 1628; sysObjectID is net-snmp Linux)', () => {
  it('is recognised by its model OID and preferred over ietf-ups', async () => {
    await expectVendorOverIetf('huawei-gse200m', 'huawei-ups');
  });

  it('reads the 3-phase UPS as NUT does, with per-phase power in W and VA', async () => {
    const { reader, values: v, steadyRequests } = await readRecording('huawei-gse200m');
    // NUT: ups.mfr Huawei, ups.model UPS5000-E, ups.serial 2102310NYJ10EB000045, ups.firmware V100R001C10SPC600
    expect(await reader.identify()).toEqual({
      profile: 'huawei-ups', kind: 'ups', manufacturer: 'Huawei', model: 'UPS5000-E', serial: '2102310NYJ10EB000045', firmware: 'V100R001C10SPC600',
    });
    // NUT: ups.status OL; battery.charge 100, battery.runtime 28080, battery.voltage 538.50, battery.current 0.10
    expect(v['ups.status']).toBe('OL');
    expect(v['battery.charge']).toBe(100);
    expect(v['battery.runtime']).toBe(28080);
    expect(v['battery.voltage']).toBe(538.5);
    expect(v['battery.current']).toBe(0.1);
    // NUT: input.Lx-N.voltage 234.70 / 238 / 236.10, input.Lx.current 16.60 / 15.70 / 15.20, powerfactor 0.93 / 0.93 / 0.92, input.frequency 50
    expect([v['input.L1-N.voltage'], v['input.L2-N.voltage'], v['input.L3-N.voltage']]).toEqual([234.7, 238, 236.1]);
    expect([v['input.L1.current'], v['input.L2.current'], v['input.L3.current']]).toEqual([16.6, 15.7, 15.2]);
    expect([v['input.L1.powerfactor'], v['input.L2.powerfactor'], v['input.L3.powerfactor']]).toEqual([0.93, 0.93, 0.92]);
    expect(v['input.frequency']).toBe(50);
    // NUT: output.Lx-N.voltage 221.30 / 220.40 / 217.90, output.Lx.current 12.10 / 13.40 / 29.80, output.frequency 49.99
    expect([v['output.L1-N.voltage'], v['output.L2-N.voltage'], v['output.L3-N.voltage']]).toEqual([221.3, 220.4, 217.9]);
    expect([v['output.L1.current'], v['output.L2.current'], v['output.L3.current']]).toEqual([12.1, 13.4, 29.8]);
    expect(v['output.frequency']).toBe(49.99);
    // NUT: output.Lx.power.percent 20 / 21.90 / 48.10
    expect([v['output.L1.power.percent'], v['output.L2.power.percent'], v['output.L3.power.percent']]).toEqual([20, 21.9, 48.1]);
    // MIB, NUT wrong: NUT prints output.L1.power 2.70 (kVA under a VA name); the MIB's 27 / 29 / 64 are tenths of
    // kVA → 2700 / 2900 / 6400 VA (L3: 29.8 A × 217.9 V = 6493 VA agrees)
    expect([v['output.L1.power'], v['output.L2.power'], v['output.L3.power']]).toEqual([2700, 2900, 6400]);
    // MIB, NUT wrong: NUT maps all three active-power OIDs to output.L1.realpower (it printed 6, the L3 one, in kW);
    // 21 / 24 / 60 tenths of kW → 2100 / 2400 / 6000 W
    expect([v['output.L1.realpower'], v['output.L2.realpower'], v['output.L3.realpower']]).toEqual([2100, 2400, 6000]);
    // NUT: output.L1.powerfactor 0.77. MIB, NUT wrong: NUT prints the L3 column (92) as output.L2.powerfactor and no
    // L3; columns .19/.20/.21 are L1/L2/L3 (L2: 2400 W / 2900 VA = 0.83 ≈ 0.81)
    expect([v['output.L1.powerfactor'], v['output.L2.powerfactor'], v['output.L3.powerfactor']]).toEqual([0.77, 0.81, 0.92]);
    // NUT: input.bypass.Lx-N.voltage 234.40 / 236.60 / 236.60, input.bypass.frequency 50
    expect([v['input.bypass.L1-N.voltage'], v['input.bypass.L2-N.voltage'], v['input.bypass.L3-N.voltage']]).toEqual([234.4, 236.6, 236.6]);
    expect(v['input.bypass.frequency']).toBe(50);
    // NUT: "no test initiated" (upsTestResultsSummary 6), worded as RFC 1628
    expect(v['ups.test.result']).toBe('No test initiated');
    expect(steadyRequests).toBe(1);
  });

  it('is why the vendor MIB must win: the same card through ietf-ups says nothing useful about its battery', async () => {
    const { values: v } = await readRecording('huawei-gse200m', ietf);
    // MIB: upsEstimatedChargeRemaining -1, upsEstimatedMinutesRemaining -1 (not implemented); upsConfigOutputVA 6
    expect(v['battery.charge']).toBeUndefined();
    expect(v['battery.runtime']).toBeUndefined();
    expect(v['output.power.nominal']).toBe(6);
  });
});
