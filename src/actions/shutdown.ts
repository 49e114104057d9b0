// The shutdown orchestrator: NUT upsmon's policy (which supplies are critical, how many must stay healthy) plus
// ordered stages with delays, cancellation when power returns before a stage commits, and drills. Pure and
// clock-injectable: readings, events and ticks carry the time; the caller (node, test) owns timers and I/O.
//
// It never acts on stale or missing data: a supply that stopped answering (COMMBAD, NOCOMM) or whose last reading
// is older than `staleAfterS` is "unknown", which counts as possibly healthy. Silence is never a power cut.
//
// Its progress (when the plan started, which stages fired, a restore still due, since when each supply has been on
// battery) is plain data the caller persists
// (progress()) and hands to the next instance after a restart or redeploy (resume()): no stage fires twice, and
// later stages keep their times from the original trigger.
import { statusTokens } from '../normalize/nut';
import type { Value, Values } from '../types';

export interface ShutdownTriggers {
  /** On battery without a break for this long (absent: not a trigger). */
  onBatteryS?: number;
  /** On battery with battery.runtime below this (s). */
  runtimeBelowS?: number;
  /**
   * Which runtime `runtimeBelowS` compares: the UPS's own estimate (`reported`, default) or rackpower's learned one
   * (`measured`: battery.runtime.measured, with the UPS's estimate while nothing is learned yet).
   */
  runtimeSource?: 'reported' | 'measured';
  /** On battery with battery.charge below this (%). */
  chargeBelowPct?: number;
  /** On battery with LB (NUT's "critical"); default true. */
  lowBattery?: boolean;
  /** FSD in ups.status (forced shutdown from a primary); default true. */
  fsd?: boolean;
}

export interface StageAction {
  /** What it is, for the audit ("stop batch hosts", "UPS shutdown with return"). */
  name: string;
  /** msg.topic and msg.payload of the action message, for the exec/ssh/http/outlet/ups-command node behind. */
  topic?: string;
  payload?: unknown;
}

export interface ShutdownStage {
  name: string;
  /** Seconds after the previous stage (the first: after the trigger). */
  delayS: number;
  actions: StageAction[];
  /** What switches back on what this stage switched off, when the plan is cancelled and restore is on. */
  restore?: StageAction[];
}

export type Redundancy = 'all' | 'any' | 'atLeast';

export interface ShutdownPolicy {
  /** Device names (msg.device.name) of the supplies feeding the load. */
  supplies: string[];
  /** How many supplies must stay healthy: all of them, any one, or at least `minHealthy`. */
  redundancy: Redundancy;
  minHealthy?: number;
  triggers: ShutdownTriggers;
  /** A supply whose last reading is older than this is unknown, not critical (default 120 s). */
  staleAfterS?: number;
  stages: ShutdownStage[];
  /** Every action is marked dry run (the plan runs, nothing acts). */
  drill?: boolean;
  /**
   * Off when absent. After a cancel, once the supplies that triggered the plan have been healthy for `stableS`
   * seconds, the restore actions of the stages that fired go out, last stage first.
   */
  restore?: { stableS: number };
}

export type SupplyState = 'healthy' | 'on-battery' | 'critical' | 'unknown';

/** What the orchestrator knew of one supply when it decided: the readings an audit shows. */
export interface SupplyReport {
  name: string;
  state: SupplyState;
  /** Why it is critical (or unknown). */
  reasons: string[];
  status?: string;
  charge?: Value;
  runtime?: Value;
  /** Seconds since its last reading. */
  ageS?: number;
}

export interface ActionOut {
  kind: 'action';
  stage: string;
  stageIndex: number;
  action: string;
  topic?: string;
  payload?: unknown;
  dryRun: boolean;
  /** A restore action (switching back on after a cancel), not a shutdown action. */
  restore?: true;
  /** Why the plan runs. */
  reason: string;
  supplies: SupplyReport[];
  timestamp: number;
}

/** The message one stage action sends (a shutdown action, or with `restore` a switch back on). */
function actionOut(stage: string, stageIndex: number, a: StageAction, how: Pick<ActionOut, 'dryRun' | 'reason' | 'supplies' | 'timestamp'>): ActionOut {
  return {
    kind: 'action',
    stage,
    stageIndex,
    action: a.name,
    ...(a.topic !== undefined && { topic: a.topic }),
    ...(a.payload !== undefined && { payload: a.payload }),
    ...how,
  };
}

export interface AuditOut {
  kind: 'audit';
  event: 'trigger' | 'drill' | 'stage' | 'cancel' | 'complete' | 'reset' | 'resume' | 'restore';
  reason: string;
  stage?: string;
  actions?: string[];
  dryRun: boolean;
  supplies: SupplyReport[];
  timestamp: number;
  /** When the run began (ms), on every audit of a run: a resumed run keeps its original trigger time. */
  triggeredAt?: number;
  /** A stage: when it was planned (trigger time plus the delays), whatever delayed the node. */
  due?: number;
}

export type Output = ActionOut | AuditOut;

export type PlanState = 'idle' | 'running' | 'done';

interface Supply {
  values?: Values;
  lastSeen?: number;
  commBad: boolean;
  /** When the current uninterrupted on-battery stretch began (as far as readings tell). */
  obSince?: number;
}

interface Run {
  start: number;
  next: number;
  drill: boolean;
  reason: string;
  /** The supplies that were critical at the trigger: the plan is cancelled when all of them are healthy again. */
  critical: string[];
  /**
   * Set when resumed after a restart: nothing fires until the critical supplies have been read again (power may have
   * come back while nobody watched), or `staleAfterS` passed without a word from them.
   */
  resumedAt?: number;
}

/** Restore actions still due after a cancel. */
interface PendingRestore {
  /** How many stages had fired: their restore actions go out, last first. */
  stages: number;
  critical: string[];
  cancelledAt: number;
  /** Since when every critical supply reads healthy; never persisted: time nobody observed does not count. */
  stableSince?: number;
}

/** What survives a restart or redeploy (JSON, kept in Node-RED's context by the node). */
export interface ShutdownProgress {
  version: 1;
  state: PlanState;
  run?: Omit<Run, 'resumedAt'> & { stagesDone: string[] };
  /** state "done": the supplies that must be healthy again before the policy re-arms. */
  doneCritical?: string[];
  /** Supplies on battery: since when, and when last read (the on-battery trigger's clock). */
  onBattery?: Record<string, { since: number; seen: number }>;
  restore?: Omit<PendingRestore, 'stableSince'>;
}

export class ShutdownOrchestrator {
  private readonly supplies = new Map<string, Supply>();
  private run: Run | undefined;
  private pendingRestore: PendingRestore | undefined;
  /** After a completed run: the supplies whose return re-arms the policy (power back, not merely triggers quiet). */
  private doneCritical: string[] = [];
  /** On-battery stretches a previous instance saw, until each supply's first reading after the restart. */
  private readonly carried = new Map<string, { since: number; seen: number }>();
  private stateNow: PlanState = 'idle';

  constructor(private readonly policy: ShutdownPolicy) {
    checkPolicy(policy);
    for (const name of policy.supplies) this.supplies.set(name, { commBad: false });
  }

  get state(): PlanState {
    return this.stateNow;
  }

  /** The progress to persist after any output: enough to resume without repeating a stage. */
  progress(): ShutdownProgress {
    const run = this.run;
    const restore = this.pendingRestore;
    const onBattery = [...this.supplies]
      .filter(([, sp]) => sp.obSince !== undefined && sp.lastSeen !== undefined)
      .map(([name, sp]) => [name, { since: sp.obSince!, seen: sp.lastSeen! }] as const);
    return {
      version: 1,
      state: this.stateNow,
      ...(run && {
        run: { start: run.start, next: run.next, drill: run.drill, reason: run.reason, critical: run.critical, stagesDone: this.policy.stages.slice(0, run.next).map((st) => st.name) },
      }),
      ...(restore && { restore: { stages: restore.stages, critical: restore.critical, cancelledAt: restore.cancelledAt } }),
      ...(this.stateNow === 'done' && { doneCritical: this.doneCritical }),
      ...(onBattery.length && { onBattery: Object.fromEntries(onBattery) }),
    };
  }

  /**
   * Takes over the progress a previous instance persisted (after a restart or a redeploy): stages that fired do not
   * fire again and the next ones keep their times from the original trigger. Says so in the audit trail.
   */
  resume(saved: unknown, now: number): Output[] {
    const p = saved as Partial<ShutdownProgress> | undefined;
    if (!p || p.version !== 1 || this.run || this.stateNow !== 'idle') return [];
    // Supplies renamed since: every supply of the policy then has to be healthy before anything counts as power back.
    const known = (names: unknown): string[] => {
      const kept = (Array.isArray(names) ? names : []).filter((n): n is string => this.supplies.has(n as string));
      return kept.length ? kept : [...this.supplies.keys()];
    };
    for (const [name, ob] of Object.entries(p.onBattery ?? {})) {
      if (this.supplies.has(name) && Number.isFinite(ob?.since) && Number.isFinite(ob?.seen)) this.carried.set(name, { since: ob.since, seen: ob.seen });
    }
    const supplies = this.report(now);
    const stages = this.policy.stages;
    if (p.run && Number.isFinite(p.run.start) && Number.isInteger(p.run.next)) {
      const r = p.run;
      const next = Math.min(Math.max(r.next, 0), stages.length);
      this.run = { start: r.start, next, drill: r.drill === true, reason: String(r.reason), critical: r.drill === true ? [] : known(r.critical), resumedAt: now };
      this.stateNow = 'running';
      const done = stages.slice(0, next).map((st) => st.name);
      const edited = JSON.stringify(done) !== JSON.stringify(r.stagesDone ?? done) ? ` (the plan was edited since: ${r.stagesDone?.length ?? 0} stage(s) had fired)` : '';
      const left = next < stages.length ? `; "${stages[next].name}" due ${new Date(this.dueAt(this.run, next)).toISOString()}` : '';
      const why = `resumed after a restart or redeploy: triggered ${new Date(r.start).toISOString()}, ${next} of ${stages.length} stage(s) done${done.length ? ` (${done.join(', ')})` : ''}, not repeated${left}${edited}`;
      return [this.audit('resume', why, supplies, now)];
    }
    if (p.state === 'done') {
      this.stateNow = 'done';
      this.doneCritical = known(p.doneCritical);
      return [this.audit('resume', 'resumed after a restart or redeploy: the plan had completed; armed again once power is back', supplies, now)];
    }
    if (p.restore && Number.isInteger(p.restore.stages) && this.policy.restore) {
      const r = p.restore;
      this.pendingRestore = { stages: Math.min(r.stages, stages.length), critical: known(r.critical), cancelledAt: r.cancelledAt };
      const since = Number.isFinite(r.cancelledAt) ? ` (cancelled ${new Date(r.cancelledAt).toISOString()})` : '';
      return [this.audit('resume', `resumed after a restart or redeploy: restore of ${this.pendingRestore.stages} stage(s)${since} still due once power is stable for ${this.policy.restore.stableS} s`, supplies, now)];
    }
    return [];
  }

  /** A reading from a device node (msg.device.name, msg.payload). Other devices are ignored. */
  reading(source: string, values: Values, now: number): Output[] {
    const s = this.supplies.get(source);
    if (!s) return [];
    const wasUnknown = this.unknown(s, now);
    s.values = values;
    s.lastSeen = now;
    s.commBad = false;
    const ob = statusTokens(values['ups.status']).includes('OB');
    // After a gap the stretch on battery is only known from now: never count time nobody observed.
    if (!ob || wasUnknown) s.obSince = undefined;
    // A restart shorter than staleAfterS is a gap like any between two readings: the stretch goes on.
    const carried = this.carried.get(source);
    this.carried.delete(source);
    if (ob && carried && now - carried.seen <= (this.policy.staleAfterS ?? 120) * 1000) s.obSince = carried.since;
    if (ob) s.obSince ??= now;
    return this.evaluate(now);
  }

  /** A NUT event from a device node: only reachability matters here (readings carry the power state). */
  event(source: string, event: string, now: number): Output[] {
    const s = this.supplies.get(source);
    if (!s) return [];
    if (event === 'COMMBAD' || event === 'NOCOMM') s.commBad = true;
    return this.evaluate(now);
  }

  /** Time passing: on-battery timers, staleness and stage delays. */
  tick(now: number): Output[] {
    return this.evaluate(now);
  }

  /** Walks the whole plan with every action marked dry run, whatever the supplies say. */
  drill(now: number): Output[] {
    if (this.run) return [];
    const supplies = this.report(now);
    this.run = { start: now, next: 0, drill: true, reason: 'drill requested', critical: [] };
    this.stateNow = 'running';
    return [this.audit('drill', 'drill requested: every action below is a dry run', supplies, now), ...this.fireDue(now, supplies)];
  }

  private unknown(s: Supply, now: number): boolean {
    return s.commBad || s.lastSeen === undefined || now - s.lastSeen > (this.policy.staleAfterS ?? 120) * 1000;
  }

  private supplyReport(name: string, s: Supply, now: number): SupplyReport {
    const v = s.values ?? {};
    const base: SupplyReport = {
      name,
      state: 'healthy',
      reasons: [],
      ...(v['ups.status'] !== undefined && { status: String(v['ups.status']) }),
      ...(v['battery.charge'] !== undefined && { charge: v['battery.charge'] }),
      ...(v['battery.runtime'] !== undefined && { runtime: v['battery.runtime'] }),
      ...(s.lastSeen !== undefined && { ageS: Math.round((now - s.lastSeen) / 1000) }),
    };
    if (this.unknown(s, now)) {
      const why = s.commBad ? 'not answering (COMMBAD)' : s.lastSeen === undefined ? 'no reading yet' : `last reading ${base.ageS} s old`;
      return { ...base, state: 'unknown', reasons: [why] };
    }
    const t = this.policy.triggers;
    const tokens = statusTokens(v['ups.status']);
    const ob = tokens.includes('OB');
    const reasons: string[] = [];
    if (t.fsd !== false && tokens.includes('FSD')) reasons.push('forced shutdown (FSD)');
    if (ob) {
      if (t.lowBattery !== false && tokens.includes('LB')) reasons.push('low battery (OB LB)');
      const onBatteryS = s.obSince === undefined ? 0 : (now - s.obSince) / 1000;
      if (t.onBatteryS !== undefined && onBatteryS >= t.onBatteryS) reasons.push(`on battery for ${Math.round(onBatteryS)} s (limit ${t.onBatteryS} s)`);
      const measured = t.runtimeSource === 'measured' && typeof v['battery.runtime.measured'] === 'number';
      const runtime = measured ? v['battery.runtime.measured'] : v['battery.runtime'];
      if (t.runtimeBelowS !== undefined && typeof runtime === 'number' && runtime < t.runtimeBelowS) {
        reasons.push(`${measured ? 'measured runtime' : 'runtime'} ${runtime} s below ${t.runtimeBelowS} s`);
      }
      const charge = v['battery.charge'];
      if (t.chargeBelowPct !== undefined && typeof charge === 'number' && charge < t.chargeBelowPct) {
        reasons.push(`charge ${charge} % below ${t.chargeBelowPct} %`);
      }
    }
    return { ...base, state: reasons.length ? 'critical' : ob ? 'on-battery' : 'healthy', reasons };
  }

  private report(now: number): SupplyReport[] {
    return [...this.supplies].map(([name, s]) => this.supplyReport(name, s, now));
  }

  /** How many supplies must stay healthy. */
  private required(): number {
    const m = this.policy.supplies.length;
    if (this.policy.redundancy === 'all') return m;
    if (this.policy.redundancy === 'any') return 1;
    return this.policy.minHealthy!;
  }

  private evaluate(now: number): Output[] {
    const supplies = this.report(now);
    const critical = supplies.filter((r) => r.state === 'critical');
    // Unknown supplies count as possibly healthy: only known-critical ones can take the count below the minimum.
    const mustAct = supplies.length - critical.length < this.required();
    const out: Output[] = [];
    const run = this.run;
    if (!run) {
      // Power back, not merely triggers quiet: after a restart or a gap the on-battery clock starts over, and a plan
      // that re-armed on that would run again from stage 1 while the outage goes on.
      if (this.stateNow === 'done' && !mustAct && this.powerBack({ critical: this.doneCritical }, supplies)) {
        this.stateNow = 'idle';
        out.push(this.audit('reset', 'power is back: the policy is armed again', supplies, now));
      }
      if (this.stateNow !== 'idle') return out;
      if (!mustAct) return [...out, ...this.restoreDue(supplies, now)];
      const reason = critical.map((r) => `${r.name}: ${r.reasons.join(', ')}`).join('; ');
      const healthy = supplies.length - critical.length;
      const abandoned = this.pendingRestore ? ` (the restore still due from the last cancel is abandoned)` : '';
      this.pendingRestore = undefined;
      const why = `${reason} (${healthy} of ${supplies.length} supplies left, ${this.required()} needed)${abandoned}`;
      this.run = { start: now, next: 0, drill: false, reason: why, critical: critical.map((r) => r.name) };
      this.stateNow = 'running';
      out.push(this.audit('trigger', why, supplies, now));
      return [...out, ...this.fireDue(now, supplies)];
    }
    if (!run.drill && this.powerBack(run, supplies)) {
      const left = this.policy.stages.length - run.next;
      const back = run.critical.map((n) => `${n} ${supplies.find((r) => r.name === n)?.status ?? ''}`.trim()).join(', ');
      const cancel = this.audit('cancel', `power is back (${back}) before stage "${this.policy.stages[run.next].name}": ${left} stage(s) cancelled`, supplies, now);
      const stableS = this.policy.restore?.stableS;
      if (stableS !== undefined && this.policy.stages.slice(0, run.next).some((st) => st.restore?.length)) {
        this.pendingRestore = { stages: run.next, critical: run.critical, cancelledAt: now, stableSince: now };
        cancel.reason += `; restore of ${run.next} stage(s) once power is stable for ${stableS} s`;
      }
      this.run = undefined;
      this.stateNow = 'idle';
      return [cancel, ...this.restoreDue(supplies, now)];
    }
    if (run.resumedAt !== undefined) {
      // After a restart: hear from the supplies first (or give up waiting after staleAfterS), then catch up.
      const heard = run.critical.every((n) => this.supplies.get(n)?.lastSeen !== undefined);
      if (!heard && now - run.resumedAt < (this.policy.staleAfterS ?? 120) * 1000) return [];
      run.resumedAt = undefined;
    }
    return this.fireDue(now, supplies);
  }

  /** Every supply that made the plan start is answering and healthy again (not merely silent). */
  private powerBack(run: { critical: string[] }, supplies: SupplyReport[]): boolean {
    return run.critical.every((n) => supplies.find((r) => r.name === n)?.state === 'healthy');
  }

  /** A stage's planned time: the trigger plus the delays of every stage up to it. */
  private dueAt(run: Run, index: number): number {
    return run.start + this.policy.stages.slice(0, index + 1).reduce((sum, st) => sum + st.delayS * 1000, 0);
  }

  /** The restore actions once power has been stable long enough after a cancel: last stage first. */
  private restoreDue(supplies: SupplyReport[], now: number): Output[] {
    const r = this.pendingRestore;
    const stableS = this.policy.restore?.stableS;
    if (!r || stableS === undefined) return [];
    if (!this.powerBack(r, supplies)) {
      r.stableSince = undefined; // a flicker or silence starts the wait over
      return [];
    }
    r.stableSince ??= now;
    if (now - r.stableSince < stableS * 1000) return [];
    this.pendingRestore = undefined;
    const dryRun = this.policy.drill === true;
    const out: Output[] = [];
    const reason = `power stable for ${Math.round((now - r.stableSince) / 1000)} s since the cancel: switching back on what the plan switched off`;
    for (let index = r.stages - 1; index >= 0; index--) {
      const stage = this.policy.stages[index];
      const actions = stage.restore ?? [];
      if (!actions.length) continue;
      for (const a of actions) out.push({ ...actionOut(stage.name, index, a, { dryRun, reason, supplies, timestamp: now }), restore: true });
      out.push({ ...this.audit('restore', reason, supplies, now), stage: stage.name, actions: actions.map((a) => a.name), dryRun });
    }
    return out;
  }

  /** Fires the stages whose time has come, in order; the last one completes the run. */
  private fireDue(now: number, supplies: SupplyReport[]): Output[] {
    const run = this.run!;
    const stages = this.policy.stages;
    const out: Output[] = [];
    let at = this.dueAt(run, run.next);
    while (run.next < stages.length && now >= at) {
      const index = run.next;
      const stage = stages[index];
      const dryRun = run.drill || this.policy.drill === true;
      for (const a of stage.actions) out.push(actionOut(stage.name, index, a, { dryRun, reason: run.reason, supplies, timestamp: now }));
      out.push({ ...this.audit('stage', run.reason, supplies, now), stage: stage.name, actions: stage.actions.map((a) => a.name), due: at });
      run.next++;
      at += (stages[run.next]?.delayS ?? 0) * 1000;
    }
    if (run.next >= stages.length) {
      out.push(this.audit('complete', run.drill ? 'drill finished: nothing was switched' : `all ${stages.length} stage(s) fired`, supplies, now));
      this.run = undefined;
      // A drill leaves the policy armed; a real run stays done until power is back.
      this.stateNow = run.drill ? 'idle' : 'done';
      this.doneCritical = run.critical;
    }
    return out;
  }

  private audit(event: AuditOut['event'], reason: string, supplies: SupplyReport[], now: number): AuditOut {
    const dryRun = this.run?.drill === true || event === 'drill' || this.policy.drill === true;
    return { kind: 'audit', event, reason, dryRun, supplies, timestamp: now, ...(this.run && { triggeredAt: this.run.start }) };
  }
}

/** Throws with the field at fault: a policy that cannot work must not look armed. */
export function checkPolicy(p: ShutdownPolicy): void {
  const n = p.supplies.length;
  if (n === 0) throw new Error('shutdown policy: name at least one supply (the UPS device name)');
  if (new Set(p.supplies).size !== n) throw new Error('shutdown policy: a supply is listed twice');
  if (!['all', 'any', 'atLeast'].includes(p.redundancy)) throw new Error(`shutdown policy: unknown redundancy "${p.redundancy}"`);
  if (p.redundancy === 'atLeast' && !(Number.isInteger(p.minHealthy) && p.minHealthy! >= 1 && p.minHealthy! <= n)) {
    throw new Error(`shutdown policy: "at least N healthy" needs N from 1 to ${n}`);
  }
  const t = p.triggers;
  const armed = t.onBatteryS !== undefined || t.runtimeBelowS !== undefined || t.chargeBelowPct !== undefined || t.lowBattery !== false || t.fsd !== false;
  if (!armed) throw new Error('shutdown policy: every trigger is off');
  for (const [k, v] of Object.entries(t)) {
    if (typeof v === 'number' && !(Number.isFinite(v) && v >= 0)) throw new Error(`shutdown policy: ${k} must be a number >= 0`);
  }
  if (p.stages.length === 0) throw new Error('shutdown policy: the plan has no stage');
  p.stages.forEach((s, i) => {
    if (!(Number.isFinite(s.delayS) && s.delayS >= 0)) throw new Error(`shutdown policy: stage ${i + 1} delay must be >= 0 s`);
  });
  if (p.restore && !(Number.isFinite(p.restore.stableS) && p.restore.stableS >= 0)) throw new Error('shutdown policy: restore needs power stable for a number of seconds >= 0');
}
