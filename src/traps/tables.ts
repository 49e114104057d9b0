// The trap normalization tables (tables/*.json, one per MIB family) as one lookup by notification OID. Data, not
// code: a vendor is added by adding a file here and to TABLES, and test/traps checks every file's shape.
import apc from './tables/apc-powernet.json';
import cyberpower from './tables/cyberpower.json';
import eaton from './tables/eaton-xups.json';
import ietf from './tables/ietf-ups.json';
import type { EventName } from '../types';

/** NUT's event names, plus outlet switching, which NUT has no notification for. */
export type TrapEventName = EventName | 'OUTLETON' | 'OUTLETOFF';

export interface TrapDefinition {
  oid: string;
  name: string;
  event?: TrapEventName;
  /** The event depends on a varbind's value (alarm-table traps): the varbind's OID prefix and value → event. */
  byVarbind?: { oid: string; events: Record<string, TrapEventName> };
}

export interface TrapTable {
  vendor: string;
  traps: TrapDefinition[];
}

export const TABLES = [ietf, apc, eaton, cyberpower] as TrapTable[];

/**
 * The OID a v1 agent's trap for this notification arrives as (RFC 3584 §3.1): an SMIv2 notification `E.N` is sent
 * by SNMPv1 as enterprise `E`, specific `N`, which reads back as `E.0.N` (RFC 1628's upsTrapOnBattery
 * 1.3.6.1.2.1.33.2.1 arrives from v1-only cards as 1.3.6.1.2.1.33.2.0.1). Undefined when both forms are the same:
 * notifications already written `E.0.N` (SMIv1 TRAP-TYPEs such as PowerNet's).
 */
export function v1Form(oid: string): string | undefined {
  const arcs = oid.split('.');
  if (arcs.length < 3 || arcs[arcs.length - 2] === '0') return undefined;
  return [...arcs.slice(0, -1), '0', arcs[arcs.length - 1]].join('.');
}

/** Notification OID, in its SMIv2 form and its RFC 3584 v1 form → its definition and vendor. */
export function trapIndex(tables: TrapTable[] = TABLES): Map<string, TrapDefinition & { vendor: string }> {
  const index = new Map<string, TrapDefinition & { vendor: string }>();
  for (const table of tables) {
    for (const trap of table.traps) {
      if (index.has(trap.oid)) throw new Error(`trap table ${table.vendor}: ${trap.oid} is defined twice`);
      index.set(trap.oid, { ...trap, vendor: table.vendor });
    }
  }
  for (const def of [...index.values()]) {
    const v1 = v1Form(def.oid);
    if (v1 && !index.has(v1)) index.set(v1, def);
  }
  return index;
}
