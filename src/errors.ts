import type { ErrorCode } from './types';

/** The one error type the engine throws: a code a flow can branch on and a one-line reason. */
export class RackpowerError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RackpowerError';
    this.code = code;
  }
}

export function isRackpowerError(err: unknown): err is RackpowerError {
  return err instanceof RackpowerError;
}

/** Wraps anything thrown into a RackpowerError, keeping the code when it already has one. */
export function asRackpowerError(err: unknown, fallback: ErrorCode = 'PROTOCOL'): RackpowerError {
  if (err instanceof RackpowerError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new RackpowerError(fallback, message, { cause: err });
}
