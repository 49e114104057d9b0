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

/**
 * A value NUT does not keep as text, typed the way every other rackpower reader types it: a number when it is a plain
 * decimal number, leading and trailing blanks aside (upsd prints "93.00", "-1", "230"), else the text as it came
 * ("1.2.3" and "0x1F" stay text). Runs for most values of every poll, so it checks the characters itself.
 */
export function numberOrText(text: string): number | string {
  const first = text.charCodeAt(0);
  const last = text.charCodeAt(text.length - 1);
  // Printable ASCII at both ends (the usual case) leaves nothing to trim.
  const trimmed = first > SPACE && first < DEL && last > SPACE && last < DEL ? text : text.trim();
  return isPlainDecimal(trimmed) ? Number(trimmed) : text;
}

const SPACE = 0x20;
const DEL = 0x7f;
const PLUS = 0x2b;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

/** `[-+]?(\d+\.?\d*|\.\d+)`, ASCII digits only: an optional sign, digits with at most one dot, at least one digit. */
function isPlainDecimal(s: string): boolean {
  let i = s.charCodeAt(0) === PLUS || s.charCodeAt(0) === MINUS ? 1 : 0;
  let digits = 0;
  let dot = false;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= ZERO && c <= NINE) digits++;
    else if (c === DOT && !dot) dot = true;
    else return false;
  }
  return digits > 0;
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
  /**
   * The last reply's variable names in row order, with whether NUT keeps each as text. upsd lists the same names in
   * the same order every poll, so a row's name is compared with the one at its position, and on a match the string
   * already used as a key and its text flag are taken from there instead of looked up again.
   */
  private readonly names: { name: string; text: boolean }[] = [];

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
    let row = 0;
    // Typed as the rows arrive; a list that then fails rejects, and what was typed so far is dropped with it.
    await this.client.eachVar(this.ups, (name, text) => {
      let known = this.names[row];
      if (known?.name !== name) known = this.names[row] = { name, text: isTextVariable(name) };
      row++;
      values[known.name] = known.text ? text : numberOrText(text);
    });
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
