// Reads one UPS through apcupsd's NIS: one `status` request per poll, mapped to NUT names (normalize/apcupsd).
// COMMLOST (apcupsd lost its UPS) and an answer without STATUS fail the poll, so the poller raises COMMBAD.
import { RackpowerError } from '../errors';
import { nisRequest, parseStatus, type NisEndpoint } from '../protocol/apcupsd/nis';
import { apcupsdValues } from '../normalize/apcupsd';
import type { Values } from '../types';
import { nutIdentity } from './nut-reader';
import type { DeviceReader, Identification } from './types';

export const APCUPSD_PROFILE = 'apcupsd';

export class ApcupsdDeviceReader implements DeviceReader {
  private requests = 0;
  /** What identify() read, handed to the poll that follows it: one request, not two. */
  private fresh: Values | undefined;

  constructor(readonly endpoint: NisEndpoint) {}

  describe(): string {
    const host = this.endpoint.host.includes(':') ? `[${this.endpoint.host}]` : this.endpoint.host;
    return `apcupsd://${host}:${this.endpoint.port}`;
  }

  get requestCount(): number {
    return this.requests;
  }

  async identify(): Promise<Identification> {
    const values = await this.read();
    this.fresh = values;
    return { profile: APCUPSD_PROFILE, ...nutIdentity(values) };
  }

  async read(): Promise<Values> {
    const fresh = this.fresh;
    this.fresh = undefined;
    if (fresh) return fresh;
    this.requests++;
    const fields = parseStatus(await nisRequest(this.endpoint, 'status'));
    const { values, commLost } = apcupsdValues(fields);
    if (commLost) throw new RackpowerError('TIMEOUT', `apcupsd at ${this.describe()} has lost its UPS (STATUS COMMLOST)`);
    if (values['ups.status'] === undefined) throw new RackpowerError('PROTOCOL', `${this.describe()} answered without a STATUS line: not apcupsd?`);
    return values;
  }

  /** apcupsd's event log (`events`), newest last: "2024-01-02 03:04:05 +0000  Power failure." lines. */
  async events(): Promise<string[]> {
    this.requests++;
    return nisRequest(this.endpoint, 'events');
  }

  async close(): Promise<void> {
    // Nothing is held between requests.
  }
}
