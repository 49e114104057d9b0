// Setting checks shared by the editor dialogs and the runtime (the discover endpoint, the device nodes), so a dialog
// never accepts what the runtime refuses and the other way round. scripts/build.mjs inlines the compiled file into
// every node's editor HTML as `window.rackpowerValidate`: it must stay free of imports and of Node.js APIs.

/** Shortest polling interval, in seconds: faster polling only loads the device's management card. */
export const MIN_INTERVAL_S = 1;
/** Longest polling interval, in seconds (a day): also keeps the poll timer far below setTimeout's 2^31 ms limit. */
export const MAX_INTERVAL_S = 86_400;
/** Modbus unit ids: 0 is broadcast (TCP gateways accept it as "the device itself"), 248-255 are reserved. */
export const MAX_UNIT_ID = 247;

/** A whole number written as digits (the editor stores numbers as text) or a number, within [min, max]. */
export function isIntIn(v: unknown, min: number, max: number): boolean {
  const text = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : '';
  if (!/^\d+$/u.test(text)) return false;
  const n = Number(text);
  return n >= min && n <= max;
}

export function isPort(v: unknown): boolean {
  return isIntIn(v, 1, 65535);
}

export function isUnitId(v: unknown): boolean {
  return isIntIn(v, 0, MAX_UNIT_ID);
}

/** Seconds, fractions allowed (2.5), at least MIN_INTERVAL_S, at most a day. */
export function isInterval(v: unknown): boolean {
  const text = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : '';
  if (!/^\d+(\.\d+)?$/u.test(text)) return false;
  const n = Number(text);
  return n >= MIN_INTERVAL_S && n <= MAX_INTERVAL_S;
}

function isIPv4(text: string): boolean {
  const parts = text.split('.');
  return parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/u.test(p) && Number(p) <= 255);
}

/** Full, compressed (::) and IPv4-suffixed forms; a zone (%eth0) for link-local addresses. No brackets. */
function isIPv6(text: string): boolean {
  const [address, zone, extra] = text.split('%');
  if (extra !== undefined || (zone !== undefined && !/^[\w.-]+$/u.test(zone))) return false;
  if (address.includes(':::')) return false;
  const halves = address.split('::');
  if (halves.length > 2) return false;
  const groups = halves.flatMap((h) => (h === '' ? [] : h.split(':')));
  // The last group may be an IPv4 address (::ffff:10.0.0.5), worth two groups.
  let count = groups.length;
  if (count && groups[count - 1].includes('.')) {
    if (!isIPv4(groups.pop()!)) return false;
    count += 1;
  }
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/iu.test(g))) return false;
  return halves.length === 2 ? count <= 7 : count === 8;
}

/** RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens, 253 characters at most. */
function isHostName(text: string): boolean {
  const name = text.endsWith('.') ? text.slice(0, -1) : text;
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split('.');
  // All-numeric dotted text that is not a valid IPv4 address (300.1.1.1, 10.0.0) is a typo, not a host name.
  if (labels.every((l) => /^\d+$/u.test(l))) return false;
  return labels.every((l) => /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/iu.test(l));
}

/** An IPv4 or IPv6 address (IPv6 optionally in [brackets]) or a host name; surrounding spaces are ignored. */
export function isHost(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  const text = v.trim();
  if (text.startsWith('[') && text.endsWith(']')) return isIPv6(text.slice(1, -1));
  if (text.includes(':')) return isIPv6(text);
  return isIPv4(text) || isHostName(text);
}

/** A serial device: /dev/ttyUSB0, /dev/serial/by-id/..., COM3, \\.\COM12. No control characters or spaces. */
export function isSerialPath(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  const text = v.trim();
  return /^(\/[\w.:+@-]+)+$/u.test(text) || /^(\\\\\.\\)?COM\d{1,3}$/iu.test(text);
}

/** The host without IPv6 brackets, as the protocol libraries want it. */
export function bareHost(v: string): string {
  const text = v.trim();
  return text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
}
