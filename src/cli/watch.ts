// `rackpower watch <url>...`: polls devices on their own timers and prints readings, NUT events and failures as
// JSON lines until Ctrl-C; with --traps, a trap from a device makes it poll at once and is printed too. Readings carry
// what rackpower measures itself (battery truth, energy counters), kept across runs in the --state file.
import { parseArgs } from 'node:util';
import { ReadingTracker } from '../battery/tracker';
import { openDevice, type OpenDevice } from '../device';
import { RackpowerError } from '../errors';
import { DevicePoller } from '../polling/poller';
import type { DeviceEvent } from '../types';
import { TrapReceiver } from '../traps/receiver';
import { TrapRegistry } from '../traps/registry';
import { parseTarget } from '../url';
import { untilSignal } from './signals';
import { FileStore, MemoryStore, defaultStateFile } from './state';
import { TRAP_OPTIONS, receiverOptions, type CliIo } from './traps';

/** `url#name` → the URL and the device's name (default: host:port, or the serial port and unit). */
function splitName(text: string): { url: string; name: string } {
  const hash = text.indexOf('#');
  const url = hash >= 0 ? text.slice(0, hash) : text;
  const parsed = new URL(url);
  return { url, name: hash >= 0 ? decodeURIComponent(text.slice(hash + 1)) : parsed.host || parsed.pathname };
}

/** `rackpower watch <url[#name]>... [--interval S] [--confirm N] [--traps host:port] [--state FILE|none] [--replace-below PCT]` */
export async function runWatch(args: string[], io: CliIo = { out: process.stdout, err: process.stderr, until: untilSignal() }): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        interval: { type: 'string', default: '10' },
        confirm: { type: 'string', default: '1' },
        traps: { type: 'string' },
        state: { type: 'string' },
        'replace-below': { type: 'string', default: '80' },
        ...TRAP_OPTIONS,
      },
    });
  } catch (err) {
    throw new RackpowerError('CONFIG', (err as Error).message);
  }
  const { values, positionals } = parsed;
  if (!positionals.length) throw new RackpowerError('CONFIG', 'watch needs at least one device URL');
  const intervalS = Number(values.interval);
  const confirmPolls = Number(values.confirm);
  if (!(intervalS >= 1)) throw new RackpowerError('CONFIG', `--interval ${values.interval}: seconds, at least 1`);
  if (!(Number.isInteger(confirmPolls) && confirmPolls >= 1)) throw new RackpowerError('CONFIG', `--confirm ${values.confirm}: polls, at least 1`);
  const replaceBelowPct = Number(values['replace-below']);
  if (!(replaceBelowPct > 0 && replaceBelowPct <= 100)) throw new RackpowerError('CONFIG', `--replace-below ${values['replace-below']}: battery health %, 1 to 100`);
  const store = values.state === 'none' ? new MemoryStore() : new FileStore(values.state ?? defaultStateFile());
  const line = (o: object): unknown => io.out.write(JSON.stringify(o) + '\n');
  const registry = new TrapRegistry();
  const devices: OpenDevice[] = [];
  const pollers: DevicePoller[] = [];
  const trackers: ReadingTracker[] = [];
  try {
    for (const text of positionals) {
      const { url, name } = splitName(text);
      const target = parseTarget(url);
      const device = openDevice(target);
      devices.push(device);
      const poller = new DevicePoller(device.reader, { name, address: device.address, intervalMs: intervalS * 1000, confirmPolls });
      const tracker = new ReadingTracker({ intervalMs: intervalS * 1000, replaceBelowPct }, store);
      trackers.push(tracker);
      const event = (e: DeviceEvent): unknown =>
        line({ event: e.event, device: e.device.name, previous: e.previous, current: e.current, message: e.message, timestamp: e.timestamp, ...(e.error && { error: e.error }), ...(e.battery && { battery: e.battery }) });
      poller.on('reading', (raw) => {
        const { reading: r, events, learning } = tracker.observe(raw);
        // Until the battery is learned, say why nothing learned is shown.
        line({ device: r.device.name, timestamp: r.timestamp, values: r.values, ...(learning && learning.code !== 'ready' && { battery: learning.message }) });
        events.forEach(event);
      });
      poller.on('event', event);
      poller.on('failure', (err) => line({ error: err.code, device: name, message: err.message, timestamp: Date.now() }));
      if (target.protocol === 'snmp') registry.register({ id: text, host: target.snmp.host, trap: () => poller.trap() });
      pollers.push(poller);
    }
    let receiver: TrapReceiver | undefined;
    if (values.traps) {
      receiver = new TrapReceiver(receiverOptions(values, values.traps));
      receiver.on('trap', (t) => {
        line({ trap: t.trap ?? t.oid, event: t.event, source: t.source.agentAddress ?? t.source.address, message: t.message, timestamp: t.timestamp });
        registry.match(t.source.address, t.source.agentAddress).forEach((target) => target.trap());
      });
      receiver.on('rejected', (err) => io.err.write(`rackpower: ${err.message}\n`));
      await receiver.start();
    }
    for (const p of pollers) p.start();
    await io.until;
    await receiver?.close();
  } finally {
    await Promise.all(pollers.map((p) => p.stop()));
    await Promise.all(devices.map((d) => d.close()));
    trackers.forEach((t) => t.flush());
    store.write();
  }
}
