// Whether a path may be opened as a Modbus RTU serial port. Opening a path configures it as a terminal and writes
// requests to it: only a serial line may be opened, never a file (/etc/passwd) nor another kind of device
// (/dev/watchdog reboots the machine once opened and left alone).
import { realpathSync, statSync, type Stats } from 'node:fs';

/**
 * Names of serial lines: ttyS0, ttyUSB0, ttyACM0, ttyAMA0 (not the consoles tty and tty1), by-id/by-path links,
 * pseudo-terminals (socat), Bluetooth RFCOMM, BSD cuaU0 and macOS tty.usbserial / cu.usbserial.
 */
const SERIAL_NAME = /^\/dev\/(tty[a-zA-Z.][^/]*|cua[^/]+|cu\.[^/]+|pts\/\d+|rfcomm\d+|serial\/.+)$/u;
/** Windows ports are names, not files: COM3, \\.\COM12. */
const WINDOWS_PORT = /^(\\\\\.\\)?COM\d{1,3}$/iu;

function what(s: Stats): string {
  if (s.isFile()) return 'a regular file';
  if (s.isDirectory()) return 'a directory';
  if (s.isBlockDevice()) return 'a block device';
  if (s.isFIFO()) return 'a named pipe';
  if (s.isSocket()) return 'a socket';
  return 'not a device';
}

/**
 * Why `path` is not a serial port, or undefined when it may be opened. A path that does not exist yet passes when it
 * is named like a serial device (a USB adapter unplugged at deploy time): opening it later says what is missing.
 */
export function serialPortProblem(path: string): string | undefined {
  if (WINDOWS_PORT.test(path)) return undefined;
  let real: string;
  try {
    real = realpathSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && SERIAL_NAME.test(path)) return undefined;
    if (code === 'ENOENT') return `${path} does not exist and is not named like a serial port (/dev/tty*, /dev/serial/by-id/*)`;
    return `${path} cannot be checked (${code ?? (err as Error).message})`;
  }
  const stats = statSync(real);
  const shown = real === path ? path : `${path} (${real})`;
  if (!stats.isCharacterDevice()) return `${shown} is ${what(stats)}, not a serial port (a character device such as /dev/ttyUSB0)`;
  if (!SERIAL_NAME.test(real)) return `${shown} is a character device but not a serial port (/dev/tty*, /dev/serial/by-id/*)`;
  return undefined;
}
