// rackpower readings and events → a Prometheus scrape page (text exposition format 0.0.4), named by Prometheus
// conventions: one `rackpower_` prefix, base units in the name (volts, amperes, watts, seconds, ratio 0-1, energy as a
// `_joules_total` counter), instances as labels (outlet, phase, sensor, group, input: names.ts). A private registry
// per node, written here rather than with prom-client's global one, so a redeploy never meets "already registered".
import type { Value } from '../types';
import { DeviceTable, eventTypes, stableId, type KnownDevice } from './devices';
import type { Input } from './input';
import { INSTANCE_LABELS, splitName } from './names';
import { measureOf, redundantVariable, type Quantity } from '../normalize/quantities';

const PREFIX = 'rackpower_';

/** The name suffix (base unit) and the factor from NUT's unit, per quantity. */
const UNITS: Record<Quantity, { suffix: string; factor: number; help: string }> = {
  voltage: { suffix: 'volts', factor: 1, help: 'volts' },
  current: { suffix: 'amperes', factor: 1, help: 'amperes' },
  realpower: { suffix: 'watts', factor: 1, help: 'watts' },
  power: { suffix: 'volt_amperes', factor: 1, help: 'volt-amperes (apparent power)' },
  reactivepower: { suffix: 'volt_amperes_reactive', factor: 1, help: 'volt-amperes reactive' },
  powerfactor: { suffix: 'ratio', factor: 1, help: 'ratio 0-1' },
  frequency: { suffix: 'hertz', factor: 1, help: 'hertz' },
  // NUT counts energy in kWh; Prometheus' base unit is the joule.
  energy: { suffix: 'joules_total', factor: 3.6e6, help: 'joules (NUT kWh x 3.6e6)' },
  stored: { suffix: 'joules', factor: 3600, help: 'joules (Wh x 3600)' },
  temperature: { suffix: 'celsius', factor: 1, help: 'degrees Celsius' },
  humidity: { suffix: 'ratio', factor: 0.01, help: 'ratio 0-1 (NUT %)' },
  charge: { suffix: 'ratio', factor: 0.01, help: 'ratio 0-1 (NUT %)' },
  percent: { suffix: 'ratio', factor: 0.01, help: 'ratio 0-1 (NUT %)' },
  duration: { suffix: 'seconds', factor: 1, help: 'seconds' },
};

// `_count` is reserved for histograms and summaries: NUT's counts get plural names instead.
const COUNTS: Record<string, string> = {
  'outlet.count': 'outlets',
  'outlet.group.count': 'outlet_groups',
  'ambient.count': 'ambient_sensors',
  'device.count': 'devices',
};

/** ups.status tokens exported as one 0/1 series each (NUT's names, as nut_exporter does). */
export const STATUS_FLAGS = ['OL', 'OB', 'LB', 'HB', 'RB', 'CHRG', 'DISCHRG', 'BYPASS', 'CAL', 'OFF', 'OVER', 'TRIM', 'BOOST', 'FSD'];

type Labels = Record<string, string>;
interface Family {
  type: 'gauge' | 'counter';
  help: string;
  samples: { labels: Labels; value: number }[];
}

export interface Metric {
  name: string;
  type: 'gauge' | 'counter';
  help: string;
  labels: Labels;
  value: number;
}

/** Float noise from unit factors (39.8 × 0.01) would show as 0.39799999999999996. */
const tidy = (n: number): number => Number(n.toPrecision(12));

/** The series one numeric NUT variable becomes; undefined for text. */
export function variableMetric(name: string, value: Value): Metric | undefined {
  if (typeof value !== 'number') return undefined;
  const { base, pattern, labels } = splitName(name);
  const instance: Labels = {};
  for (const l of INSTANCE_LABELS) if (labels[l] !== undefined) instance[l] = labels[l]!;
  const count = COUNTS[base];
  if (count) return { name: `${PREFIX}${count}`, type: 'gauge', help: `NUT ${pattern}.`, labels: instance, value };
  const measure = measureOf(base);
  const stem = `${PREFIX}${base.replace(/[.-]/gu, '_')}`;
  if (!measure) return { name: stem.replace(/_count$/u, '_number'), type: 'gauge', help: `NUT ${pattern}.`, labels: instance, value };
  const unit = UNITS[measure.quantity];
  // `output.power.percent` is a ratio already by its name: no `_percent_ratio`.
  const metric = `${stem.replace(/_percent$/u, '')}_${unit.suffix}`;
  return {
    name: metric,
    type: measure.quantity === 'energy' ? 'counter' : 'gauge',
    help: `NUT ${pattern}, in ${unit.help}.`,
    labels: instance,
    value: measure.quantity === 'energy' ? Math.round(value * unit.factor) : tidy(value * unit.factor),
  };
}

/** Text the format allows in a label value. */
const escapeLabel = (v: string): string => v.replace(/\\/gu, '\\\\').replace(/"/gu, '\\"').replace(/\n/gu, '\\n');
const escapeHelp = (v: string): string => v.replace(/\\/gu, '\\\\').replace(/\n/gu, '\\n');

function formatValue(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : '-Inf';
  return String(n);
}

export class MetricsRegistry {
  private readonly table = new DeviceTable();
  /** Events per device and event name since the device was first heard of. */
  private readonly events = new Map<string, Map<string, number>>();

  handle(input: Input, now = Date.now()): void {
    const known = this.table.apply(input, now);
    if (input.type !== 'event') return;
    const counts = this.events.get(known.device.name) ?? new Map<string, number>();
    counts.set(input.event.event, (counts.get(input.event.event) ?? 0) + 1);
    this.events.set(known.device.name, counts);
  }

  /** Drops one device's series (by name) or all of them. */
  remove(name?: string): void {
    for (const gone of this.table.remove(name)) this.events.delete(gone.device.name);
  }

  /** Drops the series of devices nothing was heard of for `afterMs`. */
  expire(now: number, afterMs: number): void {
    for (const gone of this.table.expire(now, afterMs)) this.events.delete(gone.device.name);
  }

  get size(): number {
    return this.table.all().length;
  }

  /** Every series, grouped by metric name. */
  metrics(): Metric[] {
    return this.table.all().flatMap((known) => this.deviceMetrics(known));
  }

  private deviceMetrics(known: KnownDevice): Metric[] {
    const { device } = known;
    // `device` is the name a flow gives it; `device_id` stays when it is renamed (serial-based where there is one).
    const who = { device: device.name, device_id: stableId(device) };
    const out: Metric[] = [
      {
        name: `${PREFIX}device_info`,
        type: 'gauge',
        help: 'Identity of a rackpower device; always 1.',
        labels: {
          ...who,
          kind: device.kind,
          profile: device.profile,
          manufacturer: device.manufacturer ?? '',
          model: device.model ?? '',
          serial: device.serial ?? '',
          firmware: device.firmware ?? '',
        },
        value: 1,
      },
      { name: `${PREFIX}device_up`, type: 'gauge', help: '1 if the device answered its last poll, 0 after COMMBAD.', labels: who, value: known.up ? 1 : 0 },
    ];
    // Every event the device can raise from 0, so rate() and increase() see the first one.
    const counts = new Map<string, number>(eventTypes(device.kind).map((e) => [e, 0]));
    for (const [event, count] of this.events.get(device.name) ?? []) counts.set(event, count);
    for (const [event, count] of counts) {
      out.push({ name: `${PREFIX}events_total`, type: 'counter', help: 'NUT events (ONBATT, COMMBAD ...) since the device was first seen.', labels: { ...who, event }, value: count });
    }
    // A device that does not answer has no current values: exporting the last ones would lie about now.
    if (!known.up || known.readAt === undefined) return out;
    out.push({ name: `${PREFIX}last_reading_timestamp_seconds`, type: 'gauge', help: 'When the latest reading was taken (Unix time).', labels: who, value: known.readAt / 1000 });
    for (const [name, value] of Object.entries(known.values)) {
      if (redundantVariable(name, known.seen)) continue;
      if (name === 'device.uptime') {
        out.push(...bootTime(value, known.readAt, who));
        continue;
      }
      const metric = variableMetric(name, value);
      if (metric) out.push({ ...metric, labels: { ...who, ...metric.labels } });
      else out.push(...textMetrics(name, value, who));
    }
    return out;
  }

  /** The scrape page. */
  render(): string {
    const families = new Map<string, Family>();
    for (const m of this.metrics()) {
      const family = families.get(m.name) ?? { type: m.type, help: m.help, samples: [] };
      family.samples.push({ labels: m.labels, value: m.value });
      families.set(m.name, family);
    }
    const lines: string[] = [];
    for (const name of [...families.keys()].sort()) {
      const f = families.get(name)!;
      lines.push(`# HELP ${name} ${escapeHelp(f.help)}`, `# TYPE ${name} ${f.type}`);
      for (const s of f.samples) {
        const labels = Object.entries(s.labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',');
        lines.push(`${name}{${labels}} ${formatValue(s.value)}`);
      }
    }
    return lines.length ? lines.join('\n') + '\n' : '';
  }
}

/**
 * device.uptime as the time the device booted: a steady value, where an uptime gauge only grows (and restarts look
 * like any drop). Whole seconds; the reading's own clock.
 */
function bootTime(uptime: Value, readAt: number, who: Labels): Metric[] {
  if (typeof uptime !== 'number' || uptime < 0) return [];
  return [{ name: `${PREFIX}device_boot_time_seconds`, type: 'gauge', help: 'When the device (its network card) last started, from NUT device.uptime (Unix time).', labels: who, value: Math.round(readAt / 1000 - uptime) }];
}

/** The text variables worth a series: the UPS status flags, outlet on/off, and outlet and probe names as info. */
function textMetrics(name: string, value: Value, who: Labels): Metric[] {
  if (typeof value !== 'string') return [];
  if (name === 'ups.status') {
    const tokens = new Set(value.split(/\s+/u));
    return STATUS_FLAGS.map((flag) => ({
      name: `${PREFIX}ups_status`,
      type: 'gauge' as const,
      help: 'ups.status flags (NUT tokens: OL, OB, LB, RB, CHRG ...): 1 when set.',
      labels: { ...who, flag },
      value: tokens.has(flag) ? 1 : 0,
    }));
  }
  const { base, labels } = splitName(name);
  if (base === 'outlet.status' && labels.outlet && (value === 'on' || value === 'off')) {
    return [{ name: `${PREFIX}outlet_on`, type: 'gauge', help: 'NUT outlet.N.status: 1 when the outlet is on.', labels: { ...who, outlet: labels.outlet }, value: value === 'on' ? 1 : 0 }];
  }
  if (base === 'outlet.name' && labels.outlet) {
    return [{ name: `${PREFIX}outlet_info`, type: 'gauge', help: 'NUT outlet.N.name: the outlet label; always 1.', labels: { ...who, outlet: labels.outlet, name: value }, value: 1 }];
  }
  if (base === 'ambient.name' && labels.sensor) {
    return [{ name: `${PREFIX}sensor_info`, type: 'gauge', help: 'NUT ambient.N.name: the probe label; always 1.', labels: { ...who, sensor: labels.sensor, name: value }, value: 1 }];
  }
  return [];
}
