// The writable OIDs of the simulated devices: what an outlet node or a UPS command node SETs on real hardware,
// applied to the model (APC rPDU2 outlet control; RFC 1628 shutdown, auto-restart, audible alarm and test id).
import { ObjectType } from 'net-snmp';
import type { SimModel } from '../model';
import { Pdu } from './pdu';
import { Ups } from './ups';

export interface ControlCell {
  /** Instance OID (`.0` for scalars). */
  oid: string;
  type: ObjectType;
  read(): number | string;
  /** Applies a SET; false refuses the value (wrongValue). */
  write(value: unknown): boolean;
}

const RPDU2_CONTROL = '1.3.6.1.4.1.318.1.1.26.9.2.4.1.5';
const UPS_TEST_NONE = '1.3.6.1.2.1.33.1.7.7.1';
/** upsTestId values that start or stop something on the simulated UPS (RFC 1628 upsTestAbortTestInProgress ...). */
const UPS_TESTS: Record<string, 'quick' | 'calibration' | 'abort'> = {
  '1.3.6.1.2.1.33.1.7.7.2': 'abort',
  '1.3.6.1.2.1.33.1.7.7.4': 'quick',
  '1.3.6.1.2.1.33.1.7.7.5': 'calibration',
};

function pduCells(name: string, model: SimModel): ControlCell[] {
  const count = Number(model.values(name)['outlet.count'] ?? 0);
  return Array.from({ length: count }, (_, i) => i + 1).map((n) => ({
    oid: `${RPDU2_CONTROL}.${n}`,
    type: ObjectType.Integer,
    // rPDU2OutletSwitchedControlCommand reads immediateOn(1) / immediateOff(2) for the current state
    read: () => (model.values(name)[`outlet.${n}.status`] === 'on' ? 1 : 2),
    write: (v) => {
      const actions: Record<number, (p: Pdu) => void> = { 1: (p) => p.setOutlet(n, true), 2: (p) => p.setOutlet(n, false), 3: (p) => p.reboot(n) };
      const act = actions[Number(v)];
      if (act) model.control(name, (p) => act(p as Pdu));
      return act !== undefined;
    },
  }));
}

function upsCells(name: string, model: SimModel): ControlCell[] {
  const ups = (): Ups => model.control(name, (u) => u as Ups);
  let test = UPS_TEST_NONE;
  const int = (oid: string, read: (u: Ups) => number, write: (u: Ups, v: number) => boolean): ControlCell => ({
    oid,
    type: ObjectType.Integer,
    read: () => read(ups()),
    write: (v) => Number.isInteger(v) && model.control(name, (u) => write(u as Ups, v as number)),
  });
  return [
    int('1.3.6.1.2.1.33.1.8.2.0', (u) => Math.ceil(u.shutdownCountdown), (u, v) => v >= -1 && ((u.shutdownCountdown = v), true)),
    int('1.3.6.1.2.1.33.1.8.5.0', (u) => (u.autoRestart ? 1 : 2), (u, v) => (v === 1 || v === 2) && ((u.autoRestart = v === 1), true)),
    int('1.3.6.1.2.1.33.1.9.8.0', (u) => u.audible, (u, v) => v >= 1 && v <= 3 && ((u.audible = v), true)),
    {
      oid: '1.3.6.1.2.1.33.1.7.1.0',
      type: ObjectType.OID,
      read: () => test,
      write: (v) => {
        const id = String(v);
        if (!id.startsWith('1.3.6.1.2.1.33.1.7.7.')) return false;
        test = id;
        const kind = UPS_TESTS[id];
        if (kind) model.control(name, (u) => (u as Ups).startTest(kind));
        return true;
      },
    },
  ];
}

/** The control cells of a simulated device, by the profile that reads it; none for the others. */
export function controlCells(profile: string, name: string, model: SimModel): ControlCell[] {
  if (profile === 'apc-rpdu2') return pduCells(name, model);
  if (profile === 'ietf-ups') return upsCells(name, model);
  return [];
}
