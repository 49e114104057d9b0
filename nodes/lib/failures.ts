// Rate limit for node.error on failed polls: a dead device polled every 10 s must not write a log line (and wake
// every Catch node) each time. Reported: the first failure of a streak and any change of error code.
import type { ErrorCode } from '../../src/types';

export class FailureLog {
  private lastCode: ErrorCode | undefined;

  /** True when this failure should be reported. */
  failed(code: ErrorCode): boolean {
    const report = code !== this.lastCode;
    this.lastCode = code;
    return report;
  }

  /** A successful poll ends the streak. */
  succeeded(): void {
    this.lastCode = undefined;
  }

  get failing(): boolean {
    return this.lastCode !== undefined;
  }
}
