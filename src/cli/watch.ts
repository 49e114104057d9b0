// `rackpower watch <url>...`: polls devices on their own timers and prints readings, NUT events and failures as
// JSON lines until Ctrl-C; with --traps, a trap from a device makes it poll at once and is printed too. Readings carry
// what rackpower measures itself (battery truth, energy counters), kept across runs in the --state file.
import { ReadingTracker } from '../battery/tracker';
import { openDevice, type OpenDevice } from '../device';
import { RackpowerError } from '../errors';
import { DevicePoller } from '../polling/poller';
import type { DeviceEvent } from '../types';
import { TrapReceiver } from '../traps/receiver';
import { TrapRegistry } from '../traps/registry';
import { namedDevices } from './devices';
import { untilSignal } from './signals';
import { defineCommand, parseCommand, URL_FORMS } from './spec';
import { FileStore, MemoryStore, defaultStateFile } from './state';
import { TRAP_OPTIONS, receiverOptions, type CliIo } from './traps';

/** `rackpower watch <url[#name]>... [--interval S] [--confirm N] [--traps host:port] [--state FILE|none] [--replace-below PCT]` */
export async function runWatch(args: string[], io: CliIo = { out: process.stdout, err: process.stderr, until: untilSignal() }): Promise<void> {
  const { values, positionals } = parseCommand(WATCH, args);
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
    for (const { target, name } of namedDevices(positionals)) {
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
      if (target.protocol === 'snmp') registry.register({ id: name, host: target.snmp.host, trap: () => poller.trap() });
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

export const WATCH = defineCommand({
  name: 'watch',
  summary: 'poll devices and print readings, NUT events and failures as JSON lines until Ctrl-C',
  args: '<url[#name]>... [options]',
  positionals: { min: 1, max: Infinity, missing: 'watch needs at least one device URL' },
  options: {
    interval: { type: 'string', value: 'S', default: '10', help: 'seconds between polls, at least 1' },
    confirm: { type: 'string', value: 'N', default: '1', help: 'readings a status change must hold for before its event' },
    traps: { type: 'string', value: 'host:port', help: 'also receive traps here; a trap from a device makes it poll at once' },
    state: { type: 'string', value: 'FILE|none', help: 'battery history and energy counters kept across runs (default ~/.local/state/rackpower/state.json)' },
    'replace-below': { type: 'string', value: 'PCT', default: '80', help: 'REPLBATT when the measured battery health falls below this %' },
    ...TRAP_OPTIONS,
  },
  notes: [URL_FORMS, 'A #name after a URL names the device in the output; default: the host, its port unless 161, the Modbus unit.'],
  run: (args): Promise<void> => runWatch(args),
});
