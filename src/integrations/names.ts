// NUT names carry instance numbers inside them (`outlet.3.current`, `input.L1.current`, `ambient.2.humidity`).
// Time-series databases want the quantity as the name and the instance as a label, so that one query covers every
// outlet: this splits a NUT name into both. Shared by the Prometheus and InfluxDB outputs so they agree.

/** Instance labels a NUT name can carry. `input` numbers ENTITY-SENSOR rows and PDU inlets (`input.2.current`). */
export interface Instance {
  outlet?: string;
  group?: string;
  phase?: string;
  sensor?: string;
  input?: string;
}

export interface SplitName {
  /** The name without instance parts, NUT style: `outlet.current`, `input.current`, `ambient.temperature`. */
  base: string;
  /** The base with each removed instance shown as NUT's documentation does: `outlet.N.current`, `input.Lx.current`. */
  pattern: string;
  labels: Instance;
}

// L1, L2-N, L3-L1: NUT's phase and line-to-line designators.
const PHASE = /^L\d(-(N|L\d))?$/u;
const NUMBER = /^\d+$/u;

export function splitName(name: string): SplitName {
  const parts = name.split('.');
  const kept: string[] = [];
  const shown: string[] = [];
  const labels: Instance = {};
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    const previous = parts[i - 1];
    if (PHASE.test(part)) {
      labels.phase = part;
      shown.push('Lx');
    } else if (NUMBER.test(part) && i > 0) {
      // The segment before a number says what is numbered.
      if (previous === 'group') labels.group = part;
      else if (previous === 'outlet') labels.outlet = part;
      else if (previous === 'ambient') labels.sensor = part;
      else if (previous === 'input') labels.input = part;
      else {
        kept.push(part);
        shown.push(part);
        continue;
      }
      shown.push('N');
    } else {
      kept.push(part);
      shown.push(part);
    }
  }
  return { base: kept.join('.'), pattern: shown.join('.'), labels };
}

/** A stable, printable order of the instance labels, for series keys and tag sets. */
export const INSTANCE_LABELS: (keyof Instance)[] = ['group', 'input', 'outlet', 'phase', 'sensor'];
