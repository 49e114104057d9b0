// Starts a whole simulated rack: the model, one SNMP agent per SNMP device (each on its own UDP port, like real
// network cards), one Modbus TCP server per rack copy carrying every Modbus device as a unit id (like an RS-485
// gateway), and one timer stepping the model.
import type * as snmp from 'net-snmp';
import { RackpowerError } from '../errors';
import { findProfile, loadedProfiles } from '../profiles/load';
import type { Profile } from '../profiles/types';
import type { DeviceKind } from '../types';
import { SimModel } from './model';
import { startModbusServer, type ModbusUnit } from './modbus-server';
import { controlCells } from './devices/control';
import { startSnmpAgent } from './snmp-agent';
import { startNutServer } from './nut-server';
import { apcupsdStatus, startNisServer } from './nis-server';
import type { DeviceSource, Scenario } from './types';

export interface RackOptions {
  /** First port; devices take consecutive ports from it. Absent or 0: every device gets a free port. */
  basePort?: number;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** SNMP v1/v2c community (default "public"). */
  community?: string;
  /** An SNMPv3 user every agent also accepts. */
  user?: snmp.User;
  /** Simulated seconds per real second (default 1). 0 = paused: advance `model` yourself (tests). */
  speed?: number;
  /** Identical racks, for benchmarks (default 1); device names get `-1`, `-2` ... */
  copies?: number;
  /** Where the scenario's profile ids are looked up (default: the shipped profiles and RACKPOWER_PROFILES folders). */
  profiles?: Profile[];
  /**
   * Serve the writable control OIDs (each profile's control section: outlet switching, UPS commands) so outlet and UPS command
   * nodes can act on the rack (default false: every SET answers notWritable, and walks see only what profiles read).
   */
  control?: boolean;
  /**
   * Also serve every UPS as a USB UPS is served: one NUT server (upsd) per rack copy carrying all its UPS units, and
   * one apcupsd NIS endpoint per UPS (apcupsd watches one UPS). Their ports come after the SNMP and Modbus ones.
   * NUT instant commands act on the model like the SNMP control OIDs do when `control` is on.
   */
  upsServers?: boolean;
}

export interface RackDevice {
  name: string;
  kind: DeviceKind;
  /** `snmp://public@127.0.0.1:16161` or `modbus-tcp://127.0.0.1:16163?unit=1&profile=xy-md02`. */
  url: string;
  profile: string;
}

export interface RunningRack {
  devices: RackDevice[];
  /** With `upsServers`: the UPS units again as `nut://…/<name>` and `apcupsd://…` (profile `nut` / `apcupsd`). */
  servers: RackDevice[];
  model: SimModel;
  /** SET requests that reached the SNMP agents so far (a dry run must leave this unchanged). */
  setRequests(): number;
  /** Stops the timer and every agent and server. */
  close(): Promise<void>;
}

interface Listener {
  port: number;
  setRequests?(): number;
  close(): Promise<void>;
}

/** Faster than 100× the timer would fire more often than every 10 ms; it takes bigger (sub-stepped) steps instead. */
const MIN_TICK_MS = 10;

export async function startRack(scenario: Scenario, options: RackOptions = {}): Promise<RunningRack> {
  const host = options.host ?? '127.0.0.1';
  // An IPv6 address goes in brackets inside a URL.
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const community = options.community ?? 'public';
  const copies = options.copies ?? 1;
  const speed = options.speed ?? 1;
  if (!Number.isInteger(copies) || copies < 1) throw new RackpowerError('CONFIG', `copies must be a positive integer (got ${copies})`);
  if (!Number.isFinite(speed) || speed < 0) throw new RackpowerError('CONFIG', `speed must be a number >= 0 (got ${speed})`);
  const profiles = options.profiles ?? loadedProfiles();
  const specs = scenario.devices.map((d) => ({ ...d, resolved: findProfile(d.profile, profiles) }));
  const model = new SimModel({
    devices: specs.map((d) => ({ name: d.name, kind: d.resolved.kind, outlets: d.outlets, battery: d.battery })),
    events: scenario.events,
    repeat: scenario.repeat,
    seed: scenario.seed,
    copies,
  });
  const source = (name: string): DeviceSource => ({ values: () => model.values(name), fault: () => model.fault(name) });

  let nextPort = options.basePort ?? 0;
  const takePort = (): number => (nextPort ? nextPort++ : 0);
  // Each listener with the devices it serves, described once its port is known.
  const starts: Array<{ listener: Promise<Listener>; devices: (port: number) => RackDevice[] }> = [];
  for (let copy = 1; copy <= copies; copy++) {
    const nameOf = (name: string): string => (copies > 1 ? `${name}-${copy}` : name);
    const units: Array<ModbusUnit & { name: string }> = [];
    // The copy's Modbus server takes its port where its first Modbus device stands in the scenario.
    let modbusPort: number | undefined;
    for (const d of specs) {
      const name = nameOf(d.name);
      if (d.resolved.protocol === 'snmp') {
        starts.push({
          listener: startSnmpAgent({
            name,
            profile: d.resolved,
            source: source(name),
            host,
            port: takePort(),
            community,
            user: options.user,
            controls: options.control ? controlCells(d.resolved.control, d.resolved.kind, name, model) : [],
          }),
          devices: (port) => [{ name, kind: d.resolved.kind, url: `snmp://${encodeURIComponent(community)}@${urlHost}:${port}`, profile: d.resolved.id }],
        });
      } else {
        modbusPort ??= takePort();
        units.push({ name, unit: d.unit ?? 1, profile: d.resolved, source: source(name) });
      }
    }
    if (units.length) {
      starts.push({
        listener: startModbusServer({ units, host, port: modbusPort, seed: scenario.seed + copy }),
        devices: (port) =>
          units.map((u) => ({ name: u.name, kind: u.profile.kind, url: `modbus-tcp://${urlHost}:${port}?unit=${u.unit}&profile=${u.profile.id}`, profile: u.profile.id })),
      });
    }
  }

  const serverStarts = options.upsServers ? upsServerStarts() : [];
  function upsServerStarts(): typeof starts {
    const out: typeof starts = [];
    for (let copy = 1; copy <= copies; copy++) {
      const ups = specs.filter((d) => d.resolved.kind === 'ups').map((d) => (copies > 1 ? `${d.name}-${copy}` : d.name));
      if (!ups.length) continue;
      out.push({
        listener: startNutServer({
          host,
          port: takePort(),
          units: ups.map((name) => ({ name, description: `simulated ${name}`, source: source(name), control: options.control ? { model, name } : undefined })),
        }).then((s) => ({ port: s.port, setRequests: s.commands, close: s.close })),
        devices: (port) => ups.map((name) => ({ name, kind: 'ups' as const, url: `nut://${host}:${port}/${name}`, profile: 'nut' })),
      });
      for (const name of ups) {
        out.push({
          listener: startNisServer({ host, port: takePort(), status: () => apcupsdStatus(source(name)) }),
          devices: (port) => [{ name, kind: 'ups' as const, url: `apcupsd://${host}:${port}`, profile: 'apcupsd' }],
        });
      }
    }
    return out;
  }
  starts.push(...serverStarts);

  const settled = await Promise.allSettled(starts.map((s) => s.listener));
  const listeners = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(listeners.map((l) => l.close()));
    const reason = failed.reason instanceof Error ? failed.reason.message : String(failed.reason);
    throw new RackpowerError('CONFIG', `simulator could not listen on ${host}: ${reason}`, { cause: failed.reason });
  }
  const described = starts.map((s, i) => s.devices(listeners[i].port));
  const devices = described.slice(0, starts.length - serverStarts.length).flat();
  const servers = described.slice(starts.length - serverStarts.length).flat();

  let timer: NodeJS.Timeout | undefined;
  if (speed > 0) {
    const tickMs = Math.max(MIN_TICK_MS, 1000 / speed);
    const dt = (speed * tickMs) / 1000;
    timer = setInterval(() => model.advance(dt), tickMs);
  }
  return {
    devices,
    servers,
    model,
    setRequests: () => listeners.reduce((sum, l) => sum + (l.setRequests?.() ?? 0), 0),
    close: async () => {
      clearInterval(timer);
      await Promise.all(listeners.map((l) => l.close()));
    },
  };
}
