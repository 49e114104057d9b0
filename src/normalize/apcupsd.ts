// apcupsd's status fields → NUT names and units, as NUT's own apcupsd-ups driver names them: numbers without their
// unit words ("230.0 Volts" → 230), minutes as seconds, Fahrenheit as Celsius, STATUS words as ups.status tokens.
// A field apcupsd reports as "N/A", a negative delay or a number that will not parse is left out, never guessed.
import type { Values } from '../types';
import { convertUnit, round } from './transform';

export type ApcupsdKind = 'number' | 'minutes' | 'temperature' | 'text' | 'date';

export const APCUPSD_FIELDS: Array<[field: string, name: string, kind: ApcupsdKind]> = [
  ['BCHARGE', 'battery.charge', 'number'],
  ['TIMELEFT', 'battery.runtime', 'minutes'],
  ['MBATTCHG', 'battery.charge.low', 'number'],
  ['MINTIMEL', 'battery.runtime.low', 'minutes'],
  ['RETPCT', 'battery.charge.restart', 'number'],
  ['BATTV', 'battery.voltage', 'number'],
  ['NOMBATTV', 'battery.voltage.nominal', 'number'],
  ['BATTDATE', 'battery.date', 'date'],
  ['BADBATTS', 'battery.packs.bad', 'number'],
  ['EXTBATTS', 'battery.packs.external', 'number'],
  ['LOADPCT', 'ups.load', 'number'],
  ['ITEMP', 'ups.temperature', 'temperature'],
  ['NOMPOWER', 'ups.realpower.nominal', 'number'],
  ['NOMAPNT', 'ups.power.nominal', 'number'],
  ['MODEL', 'ups.model', 'text'],
  ['SERIALNO', 'ups.serial', 'text'],
  ['FIRMWARE', 'ups.firmware', 'text'],
  ['MANDATE', 'ups.mfr.date', 'date'],
  ['UPSNAME', 'ups.id', 'text'],
  ['DWAKE', 'ups.delay.start', 'number'],
  ['DSHUTD', 'ups.delay.shutdown', 'number'],
  ['LINEV', 'input.voltage', 'number'],
  ['MAXLINEV', 'input.voltage.maximum', 'number'],
  ['MINLINEV', 'input.voltage.minimum', 'number'],
  ['NOMINV', 'input.voltage.nominal', 'number'],
  ['LOTRANS', 'input.transfer.low', 'number'],
  ['HITRANS', 'input.transfer.high', 'number'],
  ['LINEFREQ', 'input.frequency', 'number'],
  ['SENSE', 'input.sensitivity', 'text'],
  ['LASTXFER', 'input.transfer.reason', 'text'],
  ['OUTPUTV', 'output.voltage', 'number'],
  ['NOMOUTV', 'output.voltage.nominal', 'number'],
  ['OUTCURNT', 'output.current', 'number'],
];

/** apcupsd STATUS words → NUT ups.status tokens. COMMLOST and NOBATT have none: see apcupsdValues. */
const STATUS_WORDS: Record<string, string> = {
  ONLINE: 'OL',
  ONBATT: 'OB',
  LOWBATT: 'LB',
  CAL: 'CAL',
  TRIM: 'TRIM',
  BOOST: 'BOOST',
  OVERLOAD: 'OVER',
  REPLACEBATT: 'RB',
  // apcupsd is shutting its host down: what upsmon calls a forced shutdown.
  SHUTTING: 'FSD',
};

/** The words of STATUS, also when apcupsd glues a second status on ("ONLINE REPLACEBATT"). */
export function statusOf(text: string): { status: string; commLost: boolean } {
  const words = text.toUpperCase().split(/\s+/u).filter(Boolean);
  const tokens: string[] = [];
  for (const w of words) {
    const token = STATUS_WORDS[w];
    if (token && !tokens.includes(token)) tokens.push(token);
  }
  // NUT's order: the power source first, as upsd's drivers publish it ("OL TRIM", "OB LB").
  const order = Object.values(STATUS_WORDS);
  tokens.sort((a, b) => order.indexOf(a) - order.indexOf(b));
  return { status: tokens.join(' '), commLost: words.includes('COMMLOST') };
}

function number(text: string): number | undefined {
  const first = text.split(/\s+/u)[0];
  if (!/^[-+]?\d+(\.\d+)?$/u.test(first)) return undefined;
  return Number(first);
}

function convert(text: string, kind: ApcupsdKind): number | string | undefined {
  if (!text || /^N\/A\b/iu.test(text)) return undefined;
  switch (kind) {
    case 'text':
      return text;
    case 'date':
      return text.split(/\s+/u)[0];
    case 'minutes': {
      const n = number(text);
      return n === undefined || n < 0 ? undefined : Math.round(convertUnit(n, 'minutes-to-s'));
    }
    case 'temperature': {
      const n = number(text);
      if (n === undefined) return undefined;
      // apcupsd prints "31.0 C" (or "C Internal"); Fahrenheit when built that way.
      return /^\S+\s+F\b/iu.test(text) ? round(convertUnit(n, 'fahrenheit-to-celsius'), 1) : n;
    }
    default: {
      const n = number(text);
      // apcupsd says -1 for a delay or count the UPS does not report.
      return n === undefined || n < 0 ? undefined : n;
    }
  }
}

export interface ApcupsdReading {
  values: Values;
  /** apcupsd has lost its UPS (STATUS COMMLOST): the poll has no values to give. */
  commLost: boolean;
}

export function apcupsdValues(fields: Map<string, string>): ApcupsdReading {
  const values: Values = {};
  for (const [field, name, kind] of APCUPSD_FIELDS) {
    const text = fields.get(field);
    if (text === undefined) continue;
    const value = convert(text, kind);
    if (value !== undefined) values[name] = value;
  }
  if (values['ups.model'] !== undefined) values['device.model'] = values['ups.model'];
  if (values['ups.serial'] !== undefined) values['device.serial'] = values['ups.serial'];
  values['device.type'] = 'ups';
  const status = fields.get('STATUS');
  const parsed = status === undefined ? { status: '', commLost: false } : statusOf(status);
  if (parsed.status) values['ups.status'] = parsed.status;
  return { values, commLost: parsed.commLost };
}
