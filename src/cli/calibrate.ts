// `rackpower calibrate <url>`: a calibration discharge of a UPS, planned and stopped by rackpower (src/battery/
// calibration.ts), recorded into the battery history of the state file like any discharge. A dry run unless --yes;
// Ctrl-C stops the discharge before it exits.
import { DEFAULT_LIMITS, refusals, stopReason, type CalibrationLimits } from '../battery/calibration';
import { discharging } from '../battery/history';
import { ReadingTracker } from '../battery/tracker';
import { Guard } from '../control/guards';
import { UpsCommander } from '../control/ups';
import { controlFor } from '../control/profile-control';
import { assembleReader } from '../device';
import { RackpowerError } from '../errors';
import { loadedProfiles } from '../profiles/load';
import type { SnmpProfile } from '../profiles/types';
import { SnmpClient } from '../protocol/snmp/client';
import type { Reading } from '../types';
import { parseTarget } from '../url';
import { untilSignal } from './signals';
import { defineCommand, parseCommand, URL_FORMS } from './spec';
import { FileStore, MemoryStore, defaultStateFile } from './state';
import type { CliIo } from './traps';

/** Polls without the UPS going on battery before the start is called failed. */
const START_POLLS = 3;
/** Polls after the stop for the UPS to be back on line before rackpower says it did not. */
const STOP_POLLS = 5;

function number(value: string | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(n >= min && n <= max)) throw new RackpowerError('CONFIG', `--${name} ${value}: a number from ${min} to ${max}`);
  return n;
}

/** `rackpower calibrate <url[#name]> [--yes] [--floor PCT] [--min-runtime S] [--interval S] [--state FILE|none]` */
export async function runCalibrate(args: string[], io: CliIo = { out: process.stdout, err: process.stderr, until: untilSignal() }): Promise<void> {
  const { values, positionals } = parseCommand(CALIBRATE, args);
  const text = positionals[0];
  if (!text) throw new RackpowerError('CONFIG', 'calibrate needs a UPS URL');
  const hash = text.indexOf('#');
  const url = hash >= 0 ? text.slice(0, hash) : text;
  const target = parseTarget(url);
  if (target.protocol !== 'snmp') throw new RackpowerError('CONFIG', 'calibrate commands a UPS over SNMP');
  const limits: CalibrationLimits = {
    ...DEFAULT_LIMITS,
    ...(values.floor !== undefined && { floorPct: number(values.floor, 'floor', 10, 95) }),
    ...(values['min-runtime'] !== undefined && { minRuntimeS: number(values['min-runtime'], 'min-runtime', 0, 86_400) }),
  };
  const intervalS = number(values.interval, 'interval', 1, 600)!;
  const line = (o: object): unknown => io.out.write(JSON.stringify(o) + '\n');
  const store = values.state === 'none' ? new MemoryStore() : new FileStore(values.state ?? defaultStateFile());
  const tracker = new ReadingTracker({ intervalMs: intervalS * 1000 }, store);
  const client = new SnmpClient(target.snmp);
  const profiles = loadedProfiles().filter((p): p is SnmpProfile => p.protocol === 'snmp' && p.kind === 'ups');
  const { reader } = assembleReader({ protocol: 'snmp', client, profile: profiles.find((p) => p.id === target.profile), candidates: profiles });
  let stopped = false;
  void io.until.then(() => (stopped = true));
  try {
    const id = await reader.identify();
    const name = hash >= 0 ? decodeURIComponent(text.slice(hash + 1)) : target.snmp.host;
    const read = async (): Promise<Reading> => {
      const reading: Reading = { device: { name, kind: id.kind, profile: id.profile, address: client.describe(), ...(id.serial && { serial: id.serial }) }, values: await reader.read(), timestamp: Date.now() };
      const tracked = tracker.observe(reading).reading;
      line({ device: name, timestamp: tracked.timestamp, values: tracked.values });
      return tracked;
    };
    const ups = controlFor(id.profile, 'ups').ups!;
    if (!ups['calibrate.start'] || !ups['calibrate.stop']) throw new RackpowerError('CONFIG', `profile ${id.profile}: rackpower knows no calibration command for this UPS`);
    const commander = new UpsCommander(client, ups, new Guard({ enabled: true, allow: ['calibrate.start', 'calibrate.stop'], rateLimit: { count: 4, perS: 60 } }));
    const first = await read();
    const why = refusals(first.values, limits);
    if (why.length) throw new RackpowerError('CONFIG', `calibration refused: ${why.join('; ')}`);
    if (!values.yes) {
      line({ calibrate: 'dry run', message: `would send calibrate.start, then calibrate.stop at ${limits.floorPct} % charge or ${limits.minRuntimeS} s runtime; run again with --yes` });
      return;
    }
    tracker.expect('calibration');
    line({ calibrate: 'start', message: (await commander.execute({ command: 'calibrate.start' })).message });
    const wait = (): Promise<void> => Promise.race([new Promise<void>((resolve) => setTimeout(resolve, intervalS * 1000)), io.until]);
    let reason: string | undefined;
    let seen = false;
    for (let polls = 1; !reason; polls++) {
      await wait();
      const { values: now } = await read();
      seen ||= discharging(now);
      if (stopped) reason = 'interrupted';
      else if (seen && !discharging(now)) reason = 'the UPS ended the discharge itself';
      else if (!seen && polls >= START_POLLS) reason = 'the UPS did not go on battery';
      else if (seen) reason = stopReason(now, limits);
    }
    line({ calibrate: 'stop', reason, message: (await commander.execute({ command: 'calibrate.stop' })).message });
    // The discharge ends (and is filed in the history) with the first reading back on line.
    for (let polls = 0; polls < STOP_POLLS; polls++) {
      await new Promise((resolve) => setTimeout(resolve, intervalS * 1000));
      const { values: now } = await read();
      if (!discharging(now)) {
        const learned = ['battery.runtime.measured', 'battery.capacity.measured', 'battery.health', 'battery.runtime.error'].filter((k) => now[k] !== undefined);
        line({ calibrate: 'done', reason, ...Object.fromEntries(learned.map((k) => [k, now[k]])) });
        return;
      }
    }
    throw new RackpowerError('PROTOCOL', `calibrate.stop was sent but the UPS is still on battery after ${STOP_POLLS} polls: check it now`);
  } finally {
    tracker.flush();
    store.write();
    await reader.close();
    client.close();
  }
}

export const CALIBRATE = defineCommand({
  name: 'calibrate',
  summary: 'a guarded calibration discharge of an SNMP UPS (a dry run without --yes), recorded in the battery history',
  args: '<ups-url[#name]> [options]',
  positionals: { min: 1, max: 1, missing: 'calibrate needs a UPS URL' },
  options: {
    yes: { type: 'boolean', help: 'really start the discharge (without it: only the checks, nothing sent)' },
    floor: { type: 'string', value: 'PCT', help: 'stop the calibration when the charge falls to this %' },
    'min-runtime': { type: 'string', value: 'S', help: 'stop it when the runtime falls to this many seconds' },
    interval: { type: 'string', value: 'S', default: '10', help: 'seconds between polls during the discharge' },
    state: { type: 'string', value: 'FILE|none', help: 'battery history kept across runs (default ~/.local/state/rackpower/state.json)' },
  },
  notes: [URL_FORMS, 'Ctrl-C or a mains failure stops the calibration at once.'],
  run: (args): Promise<void> => runCalibrate(args),
});
