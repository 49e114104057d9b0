// Every shipped profile, SNMP and Modbus, impersonated by the simulator and read back by the real reader
// (openDevice(parseTarget(url)), as `rackpower read` and the nodes do): each is detected as itself among all shipped
// profiles (SNMP, profile auto; Modbus by the profile named in the URL) and gives back the model's key values for its
// kind at the resolution its profile reads them. Oracle: the simulator's model, through the profile's own transforms
// (scale, conversion, decimals) for the tolerance; the placement of every value (typed rows, helper columns, labels,
// ordinal rows, multi-arc indexes) is what is under test. No timing assertions: the racks are paused (speed 0).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDevice } from '../../src/device';
import { statusTokens } from '../../src/normalize/nut';
import { shippedProfiles } from '../../src/profiles/load';
import type { Profile, Scaling, Transform, TypedName } from '../../src/profiles/types';
import { startRack, type RunningRack } from '../../src/sim/rack';
import { parseScenario } from '../../src/sim/scenario';
import { modelKey } from '../../src/sim/wire';
import type { DeviceKind, Values } from '../../src/types';
import { parseTarget } from '../../src/url';

const PROFILES = shippedProfiles();
/** Racks started and read at once: a batch is a handful of UDP ports and one TCP server each. */
const BATCH = 8;
const OUTLETS = 6;

/**
 * Profiles that legitimately share their detection signals with another one, so that a simulated device of theirs is
 * detected as the other (profile id → the profile detected instead, and why). None today: every profile's simulated
 * device answers its own sysObjectID or probes and nothing that makes a better-ranked profile confirm.
 */
const DETECTED_AS: Record<string, { as: string; why: string }> = {};

/**
 * Values a profile publishes that the model does not hold, because of how the profile or the reader works rather than
 * how the simulator serves the device (each one reported as a problem to fix where it lives).
 */
const EXTRA: Record<string, { names: RegExp; why: string }> = {};

interface Outcome {
  kind: DeviceKind;
  detected?: string;
  detectedKind?: DeviceKind;
  values?: Values;
  model: Values;
  error?: unknown;
}

const outcomes = new Map<string, Outcome>();

async function readBack(rack: RunningRack): Promise<Omit<Outcome, 'model' | 'kind'>> {
  const device = openDevice(parseTarget(rack.devices.find((d) => d.name === 'dev')!.url));
  try {
    const identity = await device.reader.identify();
    const values = await device.reader.read();
    return { detected: identity.profile, detectedKind: identity.kind, values };
  } catch (error) {
    return { error };
  } finally {
    await device.close();
  }
}

beforeAll(async () => {
  for (let start = 0; start < PROFILES.length; start += BATCH) {
    const batch = PROFILES.slice(start, start + BATCH);
    const racks = await Promise.all(
      batch.map((p) => {
        // Anything but a PDU gets one beside it, so the UPS, the meter and the room carry a load.
        const devices = p.kind === 'pdu' ? [{ name: 'dev', profile: p.id, outlets: OUTLETS }] : [{ name: 'dev', profile: p.id }, { name: 'load', profile: 'apc-rpdu2', outlets: OUTLETS }];
        return startRack(parseScenario({ name: p.id, seed: 11, devices }, 'sim-every-profile.test.ts'), { speed: 0 });
      }),
    );
    try {
      for (const rack of racks) rack.model.advance(5);
      const read = await Promise.all(racks.map(readBack));
      batch.forEach((p, k) => outcomes.set(p.id, { kind: p.kind, model: racks[k].model.values('dev'), ...read[k] }));
    } finally {
      await Promise.all(racks.map((r) => r.close()));
    }
  }
}, 120_000);

afterAll(() => outcomes.clear());

// --- what a profile reads, and how finely -------------------------------------------------------------------------

const CONVERT_FACTOR: Record<NonNullable<Transform['convert']>, number> = {
  'timeticks-to-s': 0.01,
  'minutes-to-s': 60,
  'fahrenheit-to-celsius': 5 / 9,
  kilo: 1000,
  milli: 0.001,
};

const templateMatches = (template: string, name: string): boolean =>
  new RegExp(`^${template.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&').replace('\\{i\\}', '[^.]+')}$`, 'u').test(name);

/** Every transform under which the profile can publish `name` (variables, columns, singles, typed names). */
function transformsFor(profile: Profile, name: string): Array<Transform & Scaling> {
  if (profile.protocol === 'modbus') return profile.variables.filter((v) => v.name === name);
  const out: Array<Transform & Scaling> = profile.variables.filter((v) => v.name === name);
  for (const col of (profile.tables ?? []).flatMap((t) => t.columns)) {
    if (col.typedBy) {
      for (const e of Object.values(col.typedBy.map)) {
        const { name: template, single, ...transform } = typeof e === 'string' ? ({ name: e } as TypedName) : e;
        if (templateMatches(template, name) || single === name) out.push({ ...col, ...transform });
      }
    } else if (templateMatches(col.name, name) || col.single === name) {
      out.push(col);
    }
  }
  return out;
}

/**
 * Half a step of the coarsest way the profile reads `name`, plus half its last kept decimal: how far an honest reading
 * may lie from the model. Digits and exponents read from the device only make steps finer than `scale`.
 */
function tolerance(profile: Profile, name: string): number {
  const steps = transformsFor(profile, name).map((t) => {
    const step = Math.abs(t.scale ?? 1) * (t.convert ? CONVERT_FACTOR[t.convert] : 1);
    return step / 2 + (t.decimals !== undefined ? 10 ** -t.decimals / 2 : 0);
  });
  return Math.max(0, ...steps) + 1e-9;
}

/** Names a reading may carry a model value under: the model's own name, or line 1 / the device probe for it. */
function readNames(name: string): string[] {
  const line = /^(input|output)\.(voltage|current|realpower|power)$/u.exec(name);
  if (line) return [name, `${line[1]}.L1-N.${line[2]}`, `${line[1]}.L1.${line[2]}`];
  const probe = /^ambient\.1\.(.+)$/u.exec(name);
  if (probe) return [name, `ambient.${probe[1]}`];
  return [name];
}

const publishes = (profile: Profile, name: string): boolean => readNames(name).some((n) => transformsFor(profile, n).length > 0);

/** The key values of a kind, as model names (outlets: every outlet's state and current). */
function keyNames(kind: DeviceKind, model: Values): string[] {
  switch (kind) {
    case 'ups':
      return ['battery.charge', 'battery.runtime', 'input.voltage', 'output.voltage'];
    case 'pdu':
      return [
        'input.current',
        'input.realpower',
        'input.power',
        ...Array.from({ length: Number(model['outlet.count']) }, (_, k) => [`outlet.${k + 1}.status`, `outlet.${k + 1}.current`]).flat(),
      ];
    case 'sensor':
      return ['ambient.1.temperature', 'ambient.1.humidity'];
    case 'meter':
      return ['input.voltage', 'input.realpower', 'input.energy'];
  }
}

function expectClose(profile: Profile, readName: string, got: unknown, want: unknown): void {
  if (typeof want === 'number') {
    expect(typeof got, `${profile.id} ${readName}: ${String(got)}`).toBe('number');
    const tol = tolerance(profile, readName);
    expect(Math.abs(Number(got) - want), `${profile.id} ${readName}: read ${String(got)}, model ${want} (±${tol})`).toBeLessThanOrEqual(tol);
  } else {
    expect(got, `${profile.id} ${readName}`).toBe(want);
  }
}

describe.each(PROFILES.map((p) => [p.id, p] as const))('%s, simulated', (id, profile) => {
  it('is detected as itself and reads back the key values of its kind', () => {
    const o = outcomes.get(id)!;
    expect(o.error, `${id}: ${String(o.error)}`).toBeUndefined();
    expect(o.detected).toBe(DETECTED_AS[id]?.as ?? id);
    expect(o.detectedKind).toBe(profile.kind);
    const v = o.values!;
    let checked = 0;
    for (const name of keyNames(profile.kind, o.model)) {
      if (!publishes(profile, name) || o.model[name] === undefined) continue;
      const readName = readNames(name).find((n) => v[n] !== undefined);
      expect(readName, `${id} reads ${name}`).toBeDefined();
      expectClose(profile, readName!, v[readName!], o.model[name]);
      checked++;
    }
    if (profile.kind === 'ups') {
      expect(statusTokens(v['ups.status']), `${id} ups.status ${String(v['ups.status'])}`).toContain('OL');
      checked++;
    }
    if (profile.kind === 'pdu' && (profile.protocol === 'snmp' ? (profile.tables ?? []).some((t) => t.count === 'outlet.count') : false)) {
      expect(v['outlet.count']).toBe(OUTLETS);
      checked++;
    }
    // Some families map few of them (servertech-sentry3: infeed current, no outlets), none maps nothing.
    expect(checked, `${id}: key values checked`).toBeGreaterThanOrEqual(1);
  });

  it('reads every value it shares with the model as the model holds it, and (SNMP) nothing the model lacks', () => {
    const o = outcomes.get(id)!;
    if (!o.values) return; // reported by the test above
    for (const [name, got] of Object.entries(o.values)) {
      // Counts are the reader's, status tokens are the first test's; constants are the profile's.
      if (name.endsWith('.count') || name === 'ups.status' || (profile.constants && name in profile.constants)) continue;
      if (EXTRA[id]?.names.test(name)) continue;
      const key = modelKey(o.model, name);
      // A Modbus register has no "absent": what the model lacks reads 0 (a meter's unused lines) or its sentinel.
      if (key === undefined && profile.protocol === 'modbus') continue;
      expect(key, `${id} publishes ${name} = ${String(got)}, which the model does not have`).toBeDefined();
      expectClose(profile, name, got, o.model[key!]);
    }
  });
});
