// Detection rules that are no single walk's expectation (each walk's detected family is in its package's
// expect.json, checked by packages.test.ts): no two shipped profiles may tie for the same evidence.
import { describe, expect, it } from 'vitest';
import { rankProfiles } from '../../src/profiles/detect';
import { snmpProfiles } from '../profiles/recording-helpers';

describe('detection', () => {
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
