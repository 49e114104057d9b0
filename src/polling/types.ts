// Contracts between the poller, the protocol readers and their users (nodes, CLI, bench).
import type { DeviceKind, Values } from '../types';
import type { DeviceDiagnostics } from './diagnostics';

/** What a reader learned about the device when it identified it. */
export interface Identification {
  profile: string;
  kind: DeviceKind;
  manufacturer?: string;
  model?: string;
  serial?: string;
  firmware?: string;
}

/**
 * Reads one device with one profile. The poller calls identify() once (and again after a failure streak),
 * then read() each poll; calls never overlap for one reader.
 */
export interface DeviceReader {
  /** Detects or confirms the profile and reads identity. Throws RackpowerError (UNKNOWN_DEVICE, TIMEOUT, AUTH ...). */
  identify(): Promise<Identification>;
  /** One poll: every value the profile maps, in NUT names and units; absent values omitted. */
  read(): Promise<Values>;
  /** Requests sent so far (for the benchmark and tests of batching). */
  readonly requestCount: number;
  /** What was left out of readings and why, and the connection's faults (readers that count them). */
  diagnostics?(): DeviceDiagnostics;
  /** Releases what the reader holds of its connection (never closes a shared connection itself). */
  close(): Promise<void>;
}
