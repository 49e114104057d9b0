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

/** Notification OID → its definition and vendor. */
export function trapIndex(tables: TrapTable[] = TABLES): Map<string, TrapDefinition & { vendor: string }> {
  const index = new Map<string, TrapDefinition & { vendor: string }>();
  for (const table of tables) {
    for (const trap of table.traps) {
      if (index.has(trap.oid)) throw new Error(`trap table ${table.vendor}: ${trap.oid} is defined twice`);
      index.set(trap.oid, { ...trap, vendor: table.vendor });
    }
  }
  return index;
}
