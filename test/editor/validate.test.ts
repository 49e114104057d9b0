// nodes/lib/validate.ts: the setting checks the dialogs and the runtime share. The same cases run against the copy
// the build inlines into the editor HTML, evaluated as the browser would, so the two can never disagree.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import * as validate from '../../nodes/lib/validate';
import { ROOT, ensureBuilt } from '../nodes/harness';

type Validators = typeof validate;

const HOSTS_OK = ['10.0.0.5', '0.0.0.0', '255.255.255.255', 'ups1', 'ups-1.example.net', 'UPS.LOCAL', 'a.b.', 'fd00::5', '::1', '[fe80::1%eth0]', '2001:db8::192.0.2.1', ' 10.0.0.5 '];
const HOSTS_BAD = ['', ' ', '300.1.1.1', '10.0.0', '1.2.3.04', 'ups 1', 'http://ups', 'ups_1', '-ups', 'ups-', 'a..b', 'fd00:::5', '1:2:3:4:5:6:7:8:9', 'x'.repeat(64) + '.net', '[10.0.0.5]', 'ups;rm'];

function cases(v: Validators): void {
  it.each(HOSTS_OK)('host %j is accepted', (h) => expect(v.isHost(h)).toBe(true));
  it.each(HOSTS_BAD)('host %j is refused', (h) => expect(v.isHost(h)).toBe(false));

  it('checks ports, unit ids, intervals and whole numbers as the editor stores them (text)', () => {
    expect(['1', 161, '65535', ' 502 '].map(v.isPort)).toEqual([true, true, true, true]);
    expect(['0', '65536', '16a', '1.5', '', '-1', undefined].map(v.isPort)).toEqual([false, false, false, false, false, false, false]);
    expect(['0', '1', '247', 247].map(v.isUnitId)).toEqual([true, true, true, true]);
    expect(['248', '-1', 'one', ''].map(v.isUnitId)).toEqual([false, false, false, false]);
    expect(['1', '2.5', 10, '86400'].map(v.isInterval)).toEqual([true, true, true, true]);
    expect(['0', '0.5', '86401', 'ten', '', '1e3'].map(v.isInterval)).toEqual([false, false, false, false, false, false]);
    expect(v.isIntIn('10', 10, 60000) && !v.isIntIn('9', 10, 60000)).toBe(true);
  });

  it('checks serial ports', () => {
    expect(['/dev/ttyUSB0', '/dev/serial/by-id/usb-FTDI_FT232R-if00-port0', 'COM3', '\\\\.\\COM12'].map(v.isSerialPath)).toEqual([true, true, true, true]);
    expect(['', 'ttyUSB0', '/dev/tty USB0', '/dev/ttyUSB0;reboot', 'COM'].map(v.isSerialPath)).toEqual([false, false, false, false, false]);
  });
}

describe('validate.ts (runtime)', () => cases(validate));

describe('window.rackpowerValidate (inlined into the editor HTML by the build)', () => {
  const inlined = {} as Validators;
  beforeAll(() => {
    ensureBuilt();
    for (const file of ['ups.html', 'snmp-endpoint.html', 'modbus-connection.html']) {
      const html = readFileSync(path.join(ROOT, 'dist', 'nodes', file), 'utf8');
      const script = /<script type="text\/javascript">\n\/\/ nodes\/lib\/validate\.ts[\s\S]*?<\/script>/u.exec(html);
      expect(script, file).not.toBeNull();
      const window: { rackpowerValidate?: Validators } = {};
      vm.runInNewContext(script![0].replace(/^<script[^>]*>|<\/script>$/gu, ''), { window });
      Object.assign(inlined, window.rackpowerValidate);
    }
  });
  cases(new Proxy(inlined, { get: (target, key: keyof Validators) => (...args: never[]) => (target[key] as (...a: never[]) => unknown)(...args) }) as Validators);
});
