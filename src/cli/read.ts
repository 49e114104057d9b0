// `rackpower read` and `rackpower discover`: one identification (and one poll) with the same engine as the nodes.
import { openDevice } from '../device';
import type { Identification } from '../polling/types';
import type { DeviceIdentity, Reading } from '../types';
import { parseTarget } from '../url';
import { formatIdentity, formatValues } from './format';

function identity(name: string, address: string, id: Identification): DeviceIdentity {
  return { name, address, ...id };
}

export async function readOnce(url: string, opts: { profile?: string; values: boolean }): Promise<Reading> {
  const target = parseTarget(url);
  if (opts.profile) target.profile = opts.profile;
  const device = openDevice(target);
  try {
    const id = await device.reader.identify();
    const values = opts.values ? await device.reader.read() : {};
    const host = target.protocol === 'snmp' ? target.snmp.host : device.address;
    return { device: identity(host, device.address, id), values, timestamp: Date.now() };
  } finally {
    await device.close();
  }
}

export async function runRead(url: string, opts: { profile?: string; json: boolean }): Promise<void> {
  const reading = await readOnce(url, { profile: opts.profile, values: true });
  if (opts.json) {
    process.stdout.write(JSON.stringify({ device: reading.device, values: reading.values, timestamp: reading.timestamp }) + '\n');
    return;
  }
  process.stdout.write(`${formatIdentity(reading.device)}\n\n${formatValues(reading.values)}\n`);
}

export async function runDiscover(url: string, opts: { profile?: string; json: boolean }): Promise<void> {
  const reading = await readOnce(url, { profile: opts.profile, values: false });
  process.stdout.write(opts.json ? JSON.stringify(reading.device) + '\n' : formatIdentity(reading.device) + '\n');
}
