// The short, seeded run of the Modbus fuzz harness (npm run fuzz does the long one): a misbehaving TCP server and a
// serial peer on a socat pty pair play one fault per request. Every faulty reply fails only its own request, harmless
// ones (slow, split) succeed, no register set goes to the wrong request, nothing crashes or hangs.
// @module-tag peer: socat
import { describe, expect, it } from 'vitest';
import { fuzzModbus, type ModbusFuzzFigures } from '../../src/fuzz/modbus-fuzz';
import { startPtyPair } from '../harness/pty';

function expectClean(f: ModbusFuzzFigures, lines: string[]): void {
  expect(lines, lines.join('\n')).toEqual([]);
  expect(f).toMatchObject({
    acceptedBadFrames: 0, mismatchedRegisterSets: 0, collateralFailures: 0, foreignErrors: 0, hungRequests: 0,
    uncaughtExceptions: 0, unhandledRejections: 0, readerBadValues: 0,
  });
  expect(f.refused).toBeGreaterThan(0);
  expect(f.correct).toBeGreaterThan(0);
}

describe('Modbus fuzz, short seeded run', () => {
  it('TCP: 600 faults', async () => {
    const lines: string[] = [];
    const f = await fuzzModbus({ seed: 20261204, faults: 600, kind: 'tcp', log: (l) => lines.push(l) });
    expectClean(f, lines);
    expect(Object.keys(f.byFault)).toHaveLength(15);
  }, 180_000);

  it('RTU over a pty pair: 80 faults', async () => {
    const pty = await startPtyPair();
    try {
      const lines: string[] = [];
      const f = await fuzzModbus({ seed: 20261204, faults: 80, kind: 'rtu', path: pty.b, peerPath: pty.a, log: (l) => lines.push(l) });
      expectClean(f, lines);
    } finally {
      await pty.close();
    }
  }, 180_000);
});
