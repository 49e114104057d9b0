// GetAnswers: a poll's GET answers, found by name or, for a reader that knows where each OID sits in the list it asked,
// by place. A place must only ever be a shortcut: a wrong, stale or unknown place gives what the name gives.
import snmp from 'net-snmp';
import { describe, expect, it } from 'vitest';
import { GetAnswers } from '../../../src/protocol/snmp/client';

const T = snmp.ObjectType;
const OIDS = ['1.3.6.1.2.1.33.1.2.4.0', '1.3.6.1.2.1.33.1.4.1.0', '1.3.6.1.2.1.33.1.9.8.0'];
const inOrder = (): snmp.Varbind[] => [
  { oid: OIDS[0], type: T.Integer, value: 87 },
  { oid: OIDS[1], type: T.Integer, value: 3 },
  { oid: OIDS[2], type: T.NoSuchObject, value: null },
];

describe('GetAnswers', () => {
  it('by place, as by name, for an agent that answered in order', () => {
    const answers = new GetAnswers(inOrder(), undefined, OIDS);
    expect(answers.answerAt(0, OIDS[0])).toEqual(answers.get(OIDS[0]));
    expect(answers.answerAt(0, OIDS[0])?.value).toBe(87);
    expect(answers.answerAt(1, OIDS[1])?.value).toBe(3);
    // An exception is no answer, by place too, and is still named by missing().
    expect(answers.answerAt(2, OIDS[2])).toBeUndefined();
    expect(answers.missing(OIDS[2])).toBe('noSuchObject');
  });

  it('a wrong, stale or unknown place gives what the name gives', () => {
    const answers = new GetAnswers(inOrder(), undefined, OIDS);
    expect(answers.answerAt(1, OIDS[0])?.value).toBe(87);
    expect(answers.answerAt(-1, OIDS[1])?.value).toBe(3);
    expect(answers.answerAt(7, OIDS[1])?.value).toBe(3);
    expect(answers.answerAt(0, '1.3.6.1.2.1.1.1.0')).toBeUndefined();
  });

  it('answers out of order (a map of what was answered): by name only, whatever place is given', () => {
    const shuffled = [inOrder()[1], inOrder()[0]];
    const at = new Map([
      [OIDS[1], 0],
      [OIDS[0], 1],
    ]);
    const answers = new GetAnswers(shuffled, at);
    expect(answers.answerAt(0, OIDS[0])?.value).toBe(87);
    expect(answers.answerAt(1, OIDS[1])?.value).toBe(3);
    expect(answers.answerAt(2, OIDS[2])).toBeUndefined();
  });
});
