// A device's identity from its NUT identity variables, whichever of the device.* or ups.* names the profile uses.
import type { Values } from '../types';
import type { Identification } from './types';

export function identityOf(profile: { id: string; kind: Identification['kind'] }, values: Values): Identification {
  const text = (...names: string[]): string | undefined => {
    for (const n of names) if (values[n] !== undefined && values[n] !== '') return String(values[n]);
    return undefined;
  };
  return {
    profile: profile.id,
    kind: profile.kind,
    manufacturer: text('device.mfr', 'ups.mfr'),
    model: text('device.model', 'ups.model'),
    serial: text('device.serial', 'ups.serial'),
    firmware: text('ups.firmware', 'device.firmware'),
  };
}
