// upsd's `ERR <code>` replies (RFC 9271 section 6) as rackpower error codes, so a flow tells a wrong password from a
// UPS whose driver lost it. DATA-STALE and DRIVER-NOT-CONNECTED fail the poll (COMMBAD), never become a value.
import { RackpowerError } from '../../errors';
import type { ErrorCode } from '../../types';

const MEANING: Record<string, [ErrorCode, string]> = {
  'ACCESS-DENIED': ['AUTH', 'access denied (wrong user or password, or the user lacks the right in upsd.users)'],
  'USERNAME-REQUIRED': ['AUTH', 'upsd wants a user name for this'],
  'PASSWORD-REQUIRED': ['AUTH', 'upsd wants a password for this'],
  'INVALID-USERNAME': ['AUTH', 'upsd refused the user name'],
  'INVALID-PASSWORD': ['AUTH', 'upsd refused the password'],
  'USERNAME-SENT': ['PROTOCOL', 'a user name was already sent on this connection'],
  'PASSWORD-SENT': ['PROTOCOL', 'a password was already sent on this connection'],
  'ALREADY-LOGGED-IN': ['PROTOCOL', 'already logged in to this UPS'],
  'UNKNOWN-UPS': ['UNKNOWN_DEVICE', 'upsd has no UPS of that name'],
  'DATA-STALE': ['TIMEOUT', "the UPS stopped answering its driver (upsd says DATA-STALE)"],
  'DRIVER-NOT-CONNECTED': ['UNREACHABLE', 'upsd has lost its driver for this UPS (DRIVER-NOT-CONNECTED)'],
  'VAR-NOT-SUPPORTED': ['CONFIG', 'this UPS has no such variable'],
  'CMD-NOT-SUPPORTED': ['CONFIG', 'this UPS has no such instant command'],
  'INVALID-ARGUMENT': ['CONFIG', 'upsd refused the argument'],
  'INVALID-VALUE': ['CONFIG', 'upsd refused the value'],
  'READONLY': ['CONFIG', 'the variable is read-only'],
  'TOO-LONG': ['CONFIG', 'the value is too long'],
  'FEATURE-NOT-SUPPORTED': ['UNSUPPORTED', 'this upsd was built without that feature (TLS?)'],
  'FEATURE-NOT-CONFIGURED': ['UNSUPPORTED', 'this upsd has that feature off (no certificate for STARTTLS?)'],
  'ALREADY-SSL-MODE': ['PROTOCOL', 'TLS is already on'],
  'INSTCMD-FAILED': ['PROTOCOL', 'the driver failed the command'],
  'SET-FAILED': ['PROTOCOL', 'the driver failed to set the variable'],
  'UNKNOWN-COMMAND': ['PROTOCOL', 'upsd does not know this request'],
};

/** An `ERR` reply: `reply` is upsd's own code (ACCESS-DENIED ...), `code` rackpower's. */
export class NutReplyError extends RackpowerError {
  constructor(
    readonly reply: string,
    context: string,
  ) {
    const [code, meaning] = MEANING[reply] ?? ['PROTOCOL', 'upsd refused the request'];
    super(code, `${context}: ${reply} (${meaning})`);
  }
}

/** `ERR <code> [extra]` → the error; undefined when the line is not an error. */
export function replyError(line: string, context: string): NutReplyError | undefined {
  if (!line.startsWith('ERR ')) return undefined;
  return new NutReplyError(line.slice(4).split(' ')[0] || 'UNKNOWN', context);
}
