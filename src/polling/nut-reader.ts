// Reads one UPS through upsd: NUT's variables already carry our names and units, so a poll is one LIST VAR and the
// only work is typing (numbers become numbers, text stays text). Its errors (DATA-STALE, DRIVER-NOT-CONNECTED,
// UNKNOWN-UPS) fail the poll; the poller turns a failure streak into COMMBAD, never into a value.
import { RackpowerError } from '../errors';
import { isTextVariable } from '../normalize/nut';
import type { NutClient } from '../protocol/nut/client';
import type { DeviceKind, Values } from '../types';
import type { DeviceReader, Identification } from './types';

/** The profile id of a device read through a NUT server: upsd's driver is the profile. */
export const NUT_PROFILE = 'nut';

/** Plain decimal numbers, as upsd prints them ("93.00", "-1", "230"); "1.2.3" or "0x1F" stay text. */
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)$/u;

/** One of upsd's values (all text on the wire) typed the way every other rackpower reader types them. */
export function typeNutValue(name: string, text: string): string | number {
  const trimmed = text.trim();
  return !isTextVariable(name) && NUMBER.test(trimmed) ? Number(trimmed) : text;
}

/** What a NUT dump says the device is: device.* (NUT 2.7+) first, ups.* as older drivers have it. */
export function nutIdentity(values: Values): Omit<Identification, 'profile'> {
  const text = (...names: string[]): string | undefined => {
    for (const n of names) {
      const v = values[n];
      if (v !== undefined && String(v).trim()) return String(v).trim();
    }
    return undefined;
  };
  const type = text('device.type');
  const kind: DeviceKind = type === 'pdu' ? 'pdu' : 'ups';
  const id: Omit<Identification, 'profile'> = { kind };
  const manufacturer = text('device.mfr', 'ups.mfr');
  const model = text('device.model', 'ups.model');
  const serial = text('device.serial', 'ups.serial');
  const firmware = text('ups.firmware', 'device.firmware');
  if (manufacturer) id.manufacturer = manufacturer;
  if (model) id.model = model;
  if (serial) id.serial = serial;
  if (firmware) id.firmware = firmware;
  return id;
}

export class NutDeviceReader implements DeviceReader {
  private readonly startCount: number;
  /** What identify() read, handed to the poll that follows it: one LIST VAR, not two. */
  private fresh: Values | undefined;

  /** `release` hands the shared client back (the reader never closes a connection others use). */
  constructor(
    private readonly client: NutClient,
    readonly ups: string,
    private readonly release: () => Promise<void> = async () => undefined,
  ) {
    this.startCount = client.requestCount;
  }

  get requestCount(): number {
    return this.client.requestCount - this.startCount;
  }

  async identify(): Promise<Identification> {
    const values = await this.read();
    this.fresh = values;
    return { profile: NUT_PROFILE, ...nutIdentity(values) };
  }

  async read(): Promise<Values> {
    const fresh = this.fresh;
    this.fresh = undefined;
    if (fresh) return fresh;
    const values: Values = {};
    // Typed as the rows arrive; a list that then fails rejects, and what was typed so far is dropped with it.
    await this.client.eachVar(this.ups, (name, text) => (values[name] = typeNutValue(name, text)));
    // upsd lists every UPS it has configured, even one whose driver never published anything yet.
    if (values['ups.status'] === undefined && Object.keys(values).length === 0) {
      throw new RackpowerError('TIMEOUT', `upsd has no data for ${this.ups} yet`);
    }
    return values;
  }

  close(): Promise<void> {
    return this.release();
  }
}
