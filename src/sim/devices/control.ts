// The writable OIDs of a simulated device, from its profile's control section: what an outlet node or a UPS command
// node SETs on real hardware, applied to the model. Any profile with a control section is impersonated as its data
// says (command OIDs and values, the read-back column and its values): a new controllable device needs no code here.
import { ObjectType } from 'net-snmp';
import type { ControlSet, OutletAction, OutletControl, ProfileControl, UpsCommand, UpsCommandName } from '../../profiles/types';
import type { DeviceKind } from '../../types';
import type { SimModel } from '../model';
import type { Pdu } from './pdu';
import type { Ups } from './ups';

export interface ControlCell {
  /** Instance OID (`.0` for scalars). */
  oid: string;
  type: ObjectType;
  read(): number | string;
  /** Applies a SET; false refuses the value (wrongValue). Absent: a read-only read-back cell. */
  write?(value: unknown): boolean;
}

const SNMP_TYPES: Record<ControlSet['type'], ObjectType> = {
  integer: ObjectType.Integer,
  string: ObjectType.OctetString,
  oid: ObjectType.OID,
  gauge: ObjectType.Gauge,
  timeticks: ObjectType.TimeTicks,
};

/** What a cell reads before any command wrote it: zero, empty, or SNMPv2-SMI's zeroDotZero. */
const NOTHING: Record<ControlSet['type'], number | string> = { integer: 0, gauge: 0, timeticks: 0, string: '', oid: '0.0' };

/** A written value as this SET carries it: its literal value, or for "{delay}" any whole number of seconds ≥ 0. */
function carries(set: ControlSet, value: unknown): boolean {
  if (set.value === '{delay}') return Number.isInteger(value) && (value as number) >= 0;
  return String(value) === String(set.value);
}

const OUTLET_ACTIONS: Record<OutletAction, (pdu: Pdu, n: number) => void> = {
  on: (p, n) => p.setOutlet(n, true),
  off: (p, n) => p.setOutlet(n, false),
  cycle: (p, n) => p.reboot(n),
};

/** Per outlet: the read-back cell (on/off as the state values say) and the command cells, one per OID. */
function outletCells(control: OutletControl, name: string, model: SimModel): ControlCell[] {
  const count = Number(model.values(name)['outlet.count'] ?? 0);
  const cells: ControlCell[] = [];
  for (let n = 1; n <= count; n++) {
    const suffix = control.index.replace('{n}', String(n));
    const isOn = (): boolean => model.values(name)[`outlet.${n}.status`] === 'on';
    const byOid = new Map<string, { cell: ControlCell; actions: [OutletAction, ControlSet][] }>();
    const stateOid = `${control.state.oid}.${suffix}`;
    const stateCell: ControlCell = { oid: stateOid, type: ObjectType.Integer, read: () => (isOn() ? control.state.on[0] : control.state.off[0]) };
    byOid.set(stateOid, { cell: stateCell, actions: [] });
    for (const [action, set] of Object.entries(control.commands) as [OutletAction, ControlSet][]) {
      const oid = `${set.oid}.${suffix}`;
      let entry = byOid.get(oid);
      if (!entry) {
        // A command column that is not the read-back one reads the command of the current state (rPDU2's immediateOn).
        const value = (s: ControlSet): number | string => (s.value === '{delay}' ? 0 : s.value);
        entry = { cell: { oid, type: SNMP_TYPES[set.type], read: () => value(isOn() ? control.commands.on : control.commands.off) }, actions: [] };
        byOid.set(oid, entry);
      }
      const { actions } = entry;
      actions.push([action, set]);
      entry.cell.write = (v) => {
        const hit = actions.find(([, s]) => carries(s, v));
        if (hit) model.control(name, (p) => OUTLET_ACTIONS[hit[0]](p as Pdu, n));
        return hit !== undefined;
      };
    }
    cells.push(...[...byOid.values()].map((e) => e.cell));
  }
  return cells;
}

/** What each NUT instant command does to the simulated UPS; `delayS` is the "{delay}" a SET carried. */
const UPS_EFFECTS: Record<UpsCommandName, (ups: Ups, delayS: number) => void> = {
  'test.battery.start': (u) => u.startTest('quick'),
  'calibrate.start': (u) => u.startTest('calibration'),
  'calibrate.stop': (u) => u.startTest('abort'),
  'beeper.disable': (u) => (u.audible = 1),
  'beeper.enable': (u) => (u.audible = 2),
  'beeper.mute': (u) => (u.audible = 3),
  'shutdown.return': (u, delayS) => {
    u.autoRestart = true;
    u.shutdownCountdown = delayS;
  },
  'shutdown.stop': (u) => (u.shutdownCountdown = -1),
};

/** The delay of a shutdown whose SET carries none (APC's conserve battery): the UPS's own setting. */
const OWN_DELAY_S = 20;

/** The beeper state (UPS-MIB audible status, as the model keeps it) each beeper command leaves. */
const BEEPER: Partial<Record<UpsCommandName, number>> = { 'beeper.disable': 1, 'beeper.enable': 2, 'beeper.mute': 3 };

/**
 * One cell per OID the commands SET or read back. A command acts on the model when its last SET arrives (earlier ones
 * only store their value); a countdown read-back reads the model's shutdown countdown, a beeper OID the value of the
 * beeper command the model's state matches, any other OID what was last written to it.
 */
function upsCells(commands: Partial<Record<UpsCommandName, UpsCommand>>, name: string, model: SimModel): ControlCell[] {
  const ups = <T>(act: (u: Ups) => T): T => model.control(name, (u) => act(u as Ups));
  const entries = Object.entries(commands) as [UpsCommandName, UpsCommand][];
  const oids = new Map<string, ControlSet['type']>();
  for (const [, c] of entries) {
    for (const s of c.set) oids.set(s.oid, s.type);
    if (c.verify && !oids.has(c.verify.oid)) oids.set(c.verify.oid, 'integer');
  }
  return [...oids].map(([oid, type]) => {
    let written: number | string = NOTHING[type];
    const setters = entries.flatMap(([command, c]) => c.set.map((s, i) => ({ command, set: s, last: i === c.set.length - 1 }))).filter((x) => x.set.oid === oid);
    // Literal values before "{delay}": -1 on upsShutdownAfterDelay is shutdown.stop, not a delay.
    setters.sort((a, b) => Number(a.set.value === '{delay}') - Number(b.set.value === '{delay}'));
    const countdown = entries.some(([, c]) => c.verify?.oid === oid && c.verify.countdown);
    const beepers = setters.filter((x) => BEEPER[x.command] !== undefined);
    return {
      oid: oid.replace(/^\./u, ''),
      type: SNMP_TYPES[type],
      read: () => {
        if (countdown) return ups((u) => Math.ceil(u.shutdownCountdown));
        const beeper = beepers.find((x) => BEEPER[x.command] === ups((u) => u.audible));
        return beeper ? beeper.set.value : written;
      },
      ...(setters.length && {
        write: (v: unknown): boolean => {
          const hit = setters.find((x) => carries(x.set, v));
          if (!hit) return false;
          written = v as number | string;
          if (hit.last) ups((u) => UPS_EFFECTS[hit.command](u, hit.set.value === '{delay}' ? Number(v) : OWN_DELAY_S));
          return true;
        },
      }),
    };
  });
}

/** The control cells of a simulated device, from its profile's control section; none without one. */
export function controlCells(control: ProfileControl | undefined, kind: DeviceKind, name: string, model: SimModel): ControlCell[] {
  if (kind === 'pdu' && control?.outlet) return outletCells(control.outlet, name, model);
  if (kind === 'ups' && control?.ups) return upsCells(control.ups, name, model);
  return [];
}
