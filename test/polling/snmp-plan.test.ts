// The learned plan builds its GETBULK requests once and reuses them poll after poll; a volatile table (an alarm table
// whose row count the GET tells) changes them: every poll must ask exactly as many rows as this poll's count says,
// never the count of an earlier poll.
import { describe, expect, it } from 'vitest';
import { SnmpPlan } from '../../src/polling/snmp-plan';
import type { SnmpProfile } from '../../src/profiles/types';
import type { TypedValue } from '../../src/protocol/snmp/client';

const ALARMS_PRESENT = '1.3.6.1.2.1.33.1.6.1.0';
const ALARM_DESCR = '1.3.6.1.2.1.33.1.6.2.1.2';
const OUTLET_CURRENT = '1.3.6.1.4.1.318.1.1.26.9.4.3.1.6';

const profile: SnmpProfile = {
  id: 'plan-test', protocol: 'snmp', kind: 'ups', vendor: 'x', models: ['x'], description: '', match: {},
  variables: [],
  tables: [
    { label: 'alarms', volatile: true, rowsOid: ALARMS_PRESENT, columns: [{ name: 'ups.alarm.{i}', oid: ALARM_DESCR }] },
    { label: 'outlets', columns: [{ name: 'outlet.{i}.current', oid: OUTLET_CURRENT }] },
  ],
};

const outletRows = Array.from({ length: 16 }, (_, i) => ({ index: String(i + 1), value: { value: i, numeric: true } }));

function learnedPlan(tables = profile.tables!): SnmpPlan {
  const plan = new SnmpPlan({ ...profile, tables });
  const walked = new Map([[ALARM_DESCR, []], [OUTLET_CURRENT, outletRows]]);
  for (const t of tables) plan.learnTable(t, walked);
  return plan;
}

/** This poll's GET, saying `alarms` alarms are present (or nothing, when undefined). */
const answers = (alarms?: number) => new Map<string, TypedValue>(alarms === undefined ? [] : [[ALARMS_PRESENT, { value: alarms, numeric: true }]]);

describe('GETBULK requests of a learned plan', () => {
  it("follow each poll's alarm count, and stay the same lists while nothing changes", () => {
    const plan = learnedPlan();
    const outlets = { columns: [OUTLET_CURRENT], rows: 16 };
    expect(plan.bulkTables(false, answers(0))).toEqual([outlets]);
    const three = plan.bulkTables(false, answers(3));
    expect(three).toEqual([{ columns: [ALARM_DESCR], rows: 3 }, outlets]);
    expect(plan.bulkTables(false, answers(3))).toBe(three);
    expect(plan.bulkTables(false, answers(5))).toEqual([{ columns: [ALARM_DESCR], rows: 5 }, outlets]);
    expect(plan.bulkTables(false, answers(0))).toEqual([outlets]);
    // No count in the GET: the rows it had at discovery (none) and a few spare.
    expect(plan.bulkTables(false, answers())).toEqual([{ columns: [ALARM_DESCR], rows: 4 }, outlets]);
  });

  it('without a volatile table: built once', () => {
    const plan = learnedPlan([profile.tables![1]]);
    const first = plan.bulkTables(false, answers());
    expect(first).toEqual([{ columns: [OUTLET_CURRENT], rows: 16 }]);
    expect(plan.bulkTables(false, answers(2))).toBe(first);
  });
});
