// Detection over every recorded walk in shared/recordings/snmp (copied into test/fixtures/snmprec): the family
// each one must be read with, as NUT's snmp-ups would pick it (exact sysObjectID, prefix, probes; vendor over
// generic). UPS family ids belong to the UPS profiles; PDU and sensor ids to the PDU/sensor profiles. Eight of the
// walks hold sysDescr and sysObjectID only: their family is recognised from sysObjectID alone.
// @module-tag peer: snmpsimd
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SnmpDeviceReader } from '../../src/polling/snmp-reader';
import { rankProfiles } from '../../src/profiles/detect';
import { startSnmpsim, type Snmpsim } from '../harness/snmpsim';
import { client, fixture, snmpProfiles } from '../profiles/recording-helpers';

const EXPECTED: Record<string, string> = {
  // data walks
  'apc-8932': 'apc-rpdu2', // sysObjectID .318.1.3.4.6 exact + rPDU2 model OID (NUT: apc_pdu)
  cyberpower: 'cyberpower-ups', // .3808.1.1.3: CPS-MIB UPS group answers (NUT: cyberpower via probe)
  'eaton-93e-80': 'mge-ups', // .705.1 (NUT: mge)
  eatonups: 'eaton-xups', // .534.1 ConnectUPS, XUPS-MIB
  'geist-temperature-sensor': 'geist-watchdog', // .21239.42.1.31 Watchdog 15, GEIST-V4 answers
  'huawei-gse200m': 'huawei-ups', // net-snmp's generic id + Huawei probe (NUT: huawei)
  'phoenixtec-power': 'xppc-ups', // .935.1.1.1 (NUT: xppc via fallback)
  sentry4: 'servertech-sentry4', // .1718.4
  // issue 10's nine walks (read value by value in new-walks.test.ts)
  'apc-epdu': 'apc-epdu', // .318.1.3.4.9 Easy PDU: ePDU tree, not rPDU2
  'raritan-pdu': 'raritan-px1', // .13742.4 PX v1
  schleifenbauer: 'schleifenbauer-pdu', // .31034.11.1, databus MIB answers
  'enlogic-pdu2': 'enlogic-pdu', // .38446.1
  powerwalker: 'eppc-ups', // .935.10.1: EPPC answers, XPPC (also under .935) does not
  'eaton-mgeups': 'mge-ups', // .705.1.2 Galaxy 7000
  netagent2: 'xppc-ups', // ".1.3.6.1.4.1.935" with a leading dot, a few XPPC values
  abbups_abbups: 'ietf-ups', // net-snmp's generic id, UPS-MIB without upsIdent: no vendor profile may claim it
  'ict-pdu': 'ict-dc-pdu', // .39145.10
  'ups-mib-sloppy': 'ietf-ups', // edited ABB walk (ups-mib-quirks.test.ts)
  'tripplite-ats-2in': 'tripplite-ats', // synthetic, from the MIB (pdu-tripplite-ats.test.ts)
  'cyberpower-pdu-banks': 'cyberpower-pdu', // synthetic, from the MIB (pdu-cyberpower.test.ts)
  'sentry3-two-towers': 'servertech-sentry3', // synthetic, from the MIB (pdu-sentry3.test.ts)
  'vertiv-v5-delta': 'vertiv-geist-pdu', // synthetic, from the MIB (pdu-vertiv.test.ts)
  'eaton-epdu-wye': 'eaton-epdu', // synthetic, from the MIB (pdu-eaton.test.ts)
  // sysObjectID-only walks
  apc: 'apc-env', // NetBotz Rack Monitor 200 on an APC card, .318.1.3.8.4
  akcp_sp2plus: 'akcp-sensorprobe', // .3854
  eatonpdu: 'eaton-epdu', // .534.6.6.7 ePDU MA
  'geist-watchdog': 'geist-watchdog', // .21239.5.1 Watchdog 100
  liebert: 'liebert-ups', // .476.1.42
  poweralert: 'tripplite-ups', // .850.1
  poweralert_1: 'tripplite-ups', // .850
  raritan: 'raritan-px1', // .13742.4 Dominion PX (PDU-MIB, not PX2's PDU2-MIB)
  // synthetic (see sensor-entity.test.ts)
  'entity-sensor': 'entity-sensor',
};

let sim: Snmpsim;
beforeAll(async () => {
  sim = await startSnmpsim(Object.keys(EXPECTED).map(fixture));
});
afterAll(() => sim?.stop());

describe('detection over every recorded walk', () => {
  for (const [name, id] of Object.entries(EXPECTED)) {
    it(`${name} → ${id}`, async () => {
      const c = client(sim.port, name);
      try {
        const profile = await new SnmpDeviceReader(c, { profiles: snmpProfiles() }).detect();
        expect(profile.id).toBe(id);
      } finally {
        c.close();
      }
    });
  }

  it('a node of one kind detects among its kind: the PDU and sensor profiles of mixed cards', async () => {
    const cases: Array<[string, 'pdu' | 'sensor', string]> = [
      ['cyberpower', 'sensor', 'cyberpower-envirosensor'], // ENVIROSENSOR on the UPS card
      ['apc-8932', 'sensor', 'apc-env'], // rPDU2 probe table (no probe plugged: reads ambient.count 0)
      ['eaton-93e-80', 'pdu', ''], // a UPS is no PDU
    ];
    for (const [name, kind, id] of cases) {
      const c = client(sim.port, name);
      const reader = new SnmpDeviceReader(c, { profiles: snmpProfiles().filter((p) => p.kind === kind) });
      if (id) expect((await reader.detect()).id).toBe(id);
      else await expect(reader.detect()).rejects.toMatchObject({ code: 'UNKNOWN_DEVICE' });
      c.close();
    }
  });

  it('no two shipped profiles tie for the sysObjectIDs of the PDU and sensor walks', () => {
    // A tie (same confirmation, rank and priority) would make the choice depend on file order.
    const profiles = snmpProfiles();
    for (const sysObjectID of ['1.3.6.1.4.1.318.1.3.4.6', '1.3.6.1.4.1.21239.42.1.31', '1.3.6.1.4.1.1718.4']) {
      const [a, b] = rankProfiles(profiles, sysObjectID, new Set());
      if (a && b) {
        const same = a.confirmed === b.confirmed && a.rank === b.rank && (a.profile.match.priority ?? 0) === (b.profile.match.priority ?? 0);
        expect(same, `${a.profile.id} ties with ${b.profile.id} for ${sysObjectID}`).toBe(false);
      }
    }
  });
});
