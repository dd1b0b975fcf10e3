// Elasticity on a real run: the scheduled scale outs, migrations and scale ins of the
// experiment (`scaling.scaleOuts`, `scaling.scaleIns`, `--scale-out`), carried out at
// their run times, and the threshold policy: every `scaling.reportIntervalMs` of run time
// the workers' per-instance stats become a load report and the engine's elasticity
// controller (the simulator's, unchanged) decides, sheds and scales. Everything goes
// through the engine's scale-out protocol; this file only says when, and checks what the
// user asked for, so a mistake is one line (ScaleOutError) before any worker starts.

import {
  type ControlMessage,
  ElasticityController,
  type ElasticityOptions,
  FT_STRATEGIES,
  type InstanceSpec,
  instancesOf,
  type JournaledScalingTarget,
  type LogicalPlan,
  type ScaleOutRecord,
  type ScalingDecision,
  ScheduledScalings,
} from "../engine/index.js";
import type { InstanceLoads, LiveInstance } from "./instanceLoads.js";
import type { RealClock } from "./realClock.js";

/**
 * A scale out to carry out during the run: at run time `atMs`, the `index`-th instance (in
 * key-group order, as the plan stands then: as the simulator's scaling.scaleOuts) of `operator`
 * is split into `factor` instances, the new ones on workers of their own; factor 1 moves
 * it to another worker (a migration).
 */
export interface ScheduledScaleOut {
  readonly operator: string;
  readonly index: number;
  readonly atMs: number;
  readonly factor: number;
}

/** A scale in to carry out during the run: at run time `atMs`, instance `index + 1` of `operator` (key-group order) merges into `index`. */
export interface ScheduledScaleIn {
  readonly operator: string;
  readonly index: number;
  readonly atMs: number;
}

/** A scaling the run cannot carry out (the user's mistake): the run stops with it. */
export class ScaleOutError extends Error {
  override readonly name = "ScaleOutError";
}

/**
 * The fault-tolerance strategies a stopping scale out, a migration and a scale in work
 * with (every one), and those live state transfer works with (all but upstream-backup): a
 * guard for callers of CloudRun that skip the CLI, which refuses first by
 * sim/supportedCombinations.ts's table (cloud/ cannot import sim/); widen the two together.
 */
export const SCALABLE_STRATEGIES: readonly string[] = FT_STRATEGIES;
export const LIVE_TRANSFER_STRATEGIES: readonly string[] = FT_STRATEGIES.filter(
  (s) => s !== "upstream-backup",
);

/** A scheduled scaling that finds another under way tries again this much (run time) later. */
const RETRY_MS = 100;

/** What a real run scales by. */
export interface RunScalingOptions {
  readonly scaleOuts: readonly ScheduledScaleOut[];
  readonly scaleIns: readonly ScheduledScaleIn[];
  /** The threshold policy (null: none). */
  readonly policy: ElasticityOptions | null;
}

/** Check the run's scalings against its plan and strategy; throws a ScaleOutError naming the first mistake. */
export function checkRunScaling(o: RunScalingOptions, plan: LogicalPlan, strategy: string): void {
  const hasOperator = (name: string) => plan.operators.some((op) => op.name === name);
  const time = (what: string, atMs: number) => {
    if (!Number.isFinite(atMs) || atMs < 0) throw new ScaleOutError(`${what}: time ${atMs} ms must be >= 0`);
  };
  const index = (what: string, i: number) => {
    if (!Number.isInteger(i) || i < 0) throw new ScaleOutError(`${what}: index ${i} must be an integer >= 0`);
  };
  if ((o.scaleOuts.length > 0 || o.policy !== null) && !SCALABLE_STRATEGIES.includes(strategy))
    throw new ScaleOutError(
      `scale out works with strategies ${SCALABLE_STRATEGIES.join(", ")}, not ${strategy}`,
    );
  const scalesIn =
    o.scaleIns.length > 0 || (o.policy?.policy.rules.some((r) => r.action === "scaleIn") ?? false);
  if (scalesIn && !SCALABLE_STRATEGIES.includes(strategy))
    throw new ScaleOutError(
      `scale in works with strategies ${SCALABLE_STRATEGIES.join(", ")}, not ${strategy}`,
    );
  for (const so of o.scaleOuts) {
    if (!hasOperator(so.operator)) throw new ScaleOutError(`scale out: no operator "${so.operator}"`);
    index(`scale out of ${so.operator}`, so.index);
    if (!Number.isInteger(so.factor) || so.factor < 1)
      throw new ScaleOutError(`scale out of ${so.operator}: factor ${so.factor} must be an integer >= 1`);
    time(`scale out of ${so.operator}`, so.atMs);
  }
  for (const si of o.scaleIns) {
    if (!hasOperator(si.operator)) throw new ScaleOutError(`scale in: no operator "${si.operator}"`);
    index(`scale in of ${si.operator}`, si.index);
    time(`scale in of ${si.operator}`, si.atMs);
  }
  for (const r of o.policy?.policy.rules ?? []) {
    if (r.operator !== null && !hasOperator(r.operator))
      throw new ScaleOutError(`scaling rule: no operator "${r.operator}"`);
  }
}

/** What the run's scaling needs of the run. */
export interface RunScalingHost {
  /** The run's clock (run time, in event-time ms). */
  readonly clock: RealClock;
  /** The coordinator's state, and its scalings (journaled inputs). */
  readonly coordinator: JournaledScalingTarget;
  /** The heartbeats' per-instance stats. */
  readonly loads: InstanceLoads;
  /** True once the run is stopping or failed: nothing more is started. */
  stopped(): boolean;
  /** Stop the run with this error. */
  abort(error: Error): void;
  /** Ask every live worker for its stats now. */
  heartbeat(): Promise<void>;
  /** The live incarnations of the plan's instances, and where they run. */
  live(): LiveInstance[];
  /** Indexes of the workers in use (standbys excluded). */
  workersInUse(): readonly number[];
  sendControl(instance: number, message: ControlMessage): void;
}

/** A real run's scheduled scalings and threshold policy. */
export class RunScaling {
  /** The threshold policy's controller (null: no policy). */
  readonly controller: ElasticityController | null;
  /** Scheduled reconfigurations: each begins in its turn, and is asked again if given up. */
  private readonly waiting: ScheduledScalings;

  constructor(
    private readonly o: RunScalingOptions,
    private readonly host: RunScalingHost,
  ) {
    const c = host.coordinator;
    this.waiting = new ScheduledScalings(
      host.clock,
      () => c.scaling!.busy || c.recovering || c.replaying,
      RETRY_MS,
      () => host.stopped(),
    );
    this.controller =
      o.policy === null
        ? null
        : new ElasticityController(c, o.policy, {
            vmsInUse: () => host.workersInUse().length,
            // A worker runs its instances on one event loop: one core, whatever its machine has.
            vms: () => host.workersInUse().map((vm) => ({ vm, cores: 1 })),
            shed: (rate) => {
              for (const i of c.plan.instances)
                if (c.plan.logical.operators[i.operator].kind === "source")
                  host.sendControl(i.id, { type: "shed", rate });
            },
          });
  }

  /** The detector's decisions so far. */
  get decisions(): readonly ScalingDecision[] {
    return this.controller?.decisions ?? [];
  }

  /**
   * Schedule the scalings on the run's clock (call once the plan is started); a new leader's
   * leaves out the first `begun` of each kind, in time order (the old leader asked for them).
   */
  start(
    begun: { readonly scaleOuts: number; readonly scaleIns: number } = { scaleOuts: 0, scaleIns: 0 },
  ): void {
    const clock = this.host.clock;
    const inTimeOrder = <T extends { atMs: number }>(xs: readonly T[], skip: number) =>
      [...xs].sort((a, b) => a.atMs - b.atMs).slice(skip);
    for (const so of inTimeOrder(this.o.scaleOuts, begun.scaleOuts))
      clock.schedule(Math.max(0, so.atMs - clock.nowMs()), () => this.waiting.due(() => this.scaleOut(so)));
    for (const si of inTimeOrder(this.o.scaleIns, begun.scaleIns))
      clock.schedule(Math.max(0, si.atMs - clock.nowMs()), () => this.waiting.due(() => this.scaleIn(si)));
    const policy = this.o.policy;
    if (policy === null) return;
    const intervalMs = policy.policy.reportIntervalMs;
    // The first interval starts now (the plan starts a little before run time 0) and ends
    // at the first whole multiple of the interval after 0; then one every interval, as simulated.
    this.host.loads.take(clock.nowMs(), intervalMs, Date.now(), this.host.live());
    const next = (afterMs: number) => {
      const atMs = (Math.floor(afterMs / intervalMs) + 1) * intervalMs;
      clock.schedule(atMs - clock.nowMs(), () => void this.report(atMs, next));
    };
    next(Math.max(0, clock.nowMs()));
  }

  /** One interval is over: fresh stats, a report, and the controller's decisions. */
  private async report(atMs: number, next: (afterMs: number) => void): Promise<void> {
    if (this.host.stopped()) return;
    next(atMs);
    await this.host.heartbeat();
    if (this.host.stopped()) return;
    const intervalMs = this.o.policy!.policy.reportIntervalMs;
    const report = this.host.loads.take(atMs, intervalMs, Date.now(), this.host.live());
    this.attempt(() => this.controller!.observe(report));
  }

  /**
   * A scheduled scale out is due: split (or, factor 1, migrate) the instance it names, as
   * the plan stands now (its turn comes through `pump`); a refusal stops the run.
   */
  private scaleOut(so: ScheduledScaleOut, again = false): void {
    const spec = this.due(so, "scale out", 0, again);
    if (spec === null) return;
    const scaling = this.host.coordinator.scaling!;
    this.attempt(() => {
      const refused = so.factor === 1 ? scaling.migrate(spec.id) : scaling.scaleOut(spec.id, so.factor);
      if (refused !== null) throw new ScaleOutError(`scale out of ${so.operator}#${spec.id}: ${refused}`);
      this.waiting.begun(scaling.records.at(-1)!, () => this.scaleOut(so, true));
    });
  }

  /** A scheduled scale in is due: merge instance `index + 1` of the operator into `index`. */
  private scaleIn(si: ScheduledScaleIn, again = false): void {
    const x = this.due(si, "scale in", 0, again);
    const y = x === null ? null : this.due(si, "scale in", 1, again);
    if (x === null || y === null) return;
    const scaling = this.host.coordinator.scaling!;
    this.attempt(() => {
      const refused = scaling.scaleIn(x.id, y.id);
      if (refused !== null) throw new ScaleOutError(`scale in of ${si.operator}#${y.id}: ${refused}`);
      this.waiting.begun(scaling.records.at(-1)!, () => this.scaleIn(si, true));
    });
  }

  /**
   * A reconfiguration is over. A scheduled one that was given up (a failure before its cut,
   * or a recovery's replay that made its cut inexact) is asked again, as in the simulator.
   */
  ended(record: ScaleOutRecord): void {
    this.waiting.ended(record);
  }

  /**
   * Instance `index + offset` of the operator named, in key-group order; null when there is
   * none: the run stops, unless the scaling is asked `again` (it was given up; the plan
   * changed since), when it is dropped.
   */
  private due(
    s: { readonly operator: string; readonly index: number },
    what: string,
    offset: number,
    again: boolean,
  ): InstanceSpec | null {
    if (this.host.stopped()) return null;
    const plan = this.host.coordinator.plan;
    const op = plan.logical.operators.find((x) => x.name === s.operator)!;
    const spec = instancesOf(plan, op.id)[s.index + offset];
    if (spec === undefined) {
      if (!again)
        this.host.abort(new ScaleOutError(`${what}: "${s.operator}" has no instance ${s.index + offset}`));
      return null;
    }
    return spec;
  }

  /** Run `f`; an error stops the run. */
  private attempt(f: () => void): void {
    try {
      f();
    } catch (e) {
      this.host.abort(e instanceof Error ? e : new Error(String(e)));
    }
  }
}
