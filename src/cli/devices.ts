// The device arguments of `rackpower watch` and `rackpower mqtt`: `url[#name]`, parsed, named, and refused when two
// would share a name (their readings, topics and Home Assistant devices would overwrite each other).
import { defaultDeviceName, nameKey } from '../device-name';
import { RackpowerError } from '../errors';
import { parseTarget, type DeviceTarget } from '../url';

export interface NamedDevice {
  /** The URL without its #name. */
  url: string;
  target: DeviceTarget;
  name: string;
}

export function namedDevices(args: string[]): NamedDevice[] {
  const byKey = new Map<string, NamedDevice>();
  return args.map((text) => {
    const hash = text.indexOf('#');
    const url = hash >= 0 ? text.slice(0, hash) : text;
    const target = parseTarget(url);
    const given = hash >= 0 ? decodeURIComponent(text.slice(hash + 1)).trim() : '';
    const device = { url, target, name: given || defaultDeviceName(target) };
    const other = byKey.get(nameKey(device.name));
    if (other) {
      throw new RackpowerError(
        'CONFIG',
        `two devices would be named "${device.name}" (${redact(other.url)} and ${redact(url)}): give each its own name with url#name`,
      );
    }
    byKey.set(nameKey(device.name), device);
    return device;
  });
}

/** The URL as it may be printed: no community or user. */
function redact(url: string): string {
  return url.replace(/^([a-z0-9+.-]+:\/\/)[^@/]*@/iu, '$1');
}
