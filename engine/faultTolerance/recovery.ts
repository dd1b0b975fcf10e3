// Recovery from failed instances, on the coordinator's side: the steps every strategy
// shares. The strategy (rsm.ts, upstreamBackup.ts, sourceReplay.ts, globalSnapshot.ts)
// says whom to roll back and how each replacement is restored.
//
//   fold        a failure during a recovery folds the recovery under way into this one:
//               its replacements (restored or not) are replaced again, alongside the newly
//               lost; a replacement still waiting for its VM is as good as lost
//   take down   the lost instances are down (no checkpoints, no acks); backups they held
//               are gone, to be re-made once their owners run again
//   roll back   who restarts from the initial state (rollback.ts); those still alive are
//               replaced in place
//   replace     the lost instances are deployed afresh on one VM from the pool, under
//               their ids (or, under rsm with parallelRecovery, onto k new instances:
//               parallelRecovery.ts); the rolled-back live ones in place
//   restore     each replacement, once deployed, is restored by the strategy: from its
//               holder or the store, rebuilt to its mark, or rewound
//   start       once every replacement is restored they start together, and ask their
//               upstreams to replay; the recovery's records get their restoredAtMs
//
// Invariant: at most one recovery is under way. A message of an abandoned (folded)
// recovery that is still on its way goes to an incarnation that no longer exists and is
// dropped, as on a real network; a deployment of it whose VM comes later is not made
// (the runtime asks `superseded` before it places anything on the VM, and releases it).

import type { ControlReply } from "../control.js";
import type { InstanceSpec } from "../physicalPlan.js";
import { whyNotSplittable } from "../reconfiguration/scalable.js";
import type { BackupOf } from "./backupTable.js";
import { ParallelRecovery, type ParallelRecoveryHost } from "./parallelRecovery.js";
import { rollbackOf } from "./rollback.js";
import type { FaultToleranceRun, RecoveryStrategy } from "./strategy.js";

/** One recovery: from the failure to every replacement restored and started. */
export interface RecoveryRecord {
  /** The failure's time, as the runtime knows it. */
  readonly failedAtMs: number;
  /** When the coordinator learnt of it. */
  readonly detectedAtMs: number;
  /** The instances lost. */
  readonly instances: readonly number[];
  /** Instances restarted from their initial state (lost or not) because no backup could serve. */
  readonly rolledBack: readonly number[];
  /** When every replacement was restored and started (null: never, the run ended first). */
  restoredAtMs: number | null;
}

/** One recovery under way. */
interface Recovery {
  /** The failures it recovers from (several when a failure came during a recovery). */
  readonly records: RecoveryRecord[];
  /** Replacements not yet restored. */
  readonly waiting: Set<number>;
  /** Replacements restored, to start together. */
  readonly ready: number[];
  /** Replacements deployed (on their new VM, or in place). */
  readonly placed: Set<number>;
  /** Instances it restarts from their initial state (a fold keeps them so). */
  readonly rollback: ReadonlySet<number>;
}

/** The recoveries of a run, one at a time. */
export class Recoveries {
  readonly records: RecoveryRecord[] = [];
  /** The recovery under way (a failure during a recovery folds it in). */
  private current: Recovery | null = null;
  /** The parallel recovery under way. */
  private parallel: ParallelRecovery | null = null;
  /** Failures during the parallel recovery under way past its probe: recovered once it is done. */
  private readonly afterParallel: { lostIds: readonly number[]; failedAtMs: number; forced: boolean }[] = [];

  constructor(
    private readonly run: FaultToleranceRun,
    private readonly strategy: RecoveryStrategy,
  ) {}

  /** True while a recovery is under way. */
  get recovering(): boolean {
    return this.current !== null;
  }

  /** Take in a reply of the parallel recovery under way; true when it was its. */
  handleReply(reply: ControlReply): boolean {
    return this.parallel?.handleReply(reply) ?? false;
  }

  /** Recover from the loss of `lostIds` at `failedAtMs` (`forced`: restart them from their initial state). */
  recover(lostIds: readonly number[], failedAtMs: number, forced: boolean): void {
    if (this.parallel !== null) {
      // Given up while probing (folded into this recovery, X as one), or completed first.
      // Queued first: the parallel recovery may complete at once, without them, and recover them.
      const after = { lostIds, failedAtMs, forced };
      this.afterParallel.push(after);
      if (!this.parallel.failed(new Set(lostIds))) return;
      this.afterParallel.splice(this.afterParallel.indexOf(after), 1);
      this.parallel = null;
      this.run.counts.parallelFallbacks++;
    }
    const now = this.run.link.clock.nowMs();
    const { lost, again, folded } = this.fold(lostIds);
    this.takeDown(lost);
    const orphans = this.run.backups.dropHeldBy((h) => lost.has(h)).filter((x) => !lost.has(x));
    // Replacements of folded recoveries go through this one too, in place.
    // What a folded recovery rolled back stays rolled back: its downstreams ask it for
    // everything from the start.
    const rollback = rollbackOf(this.run, this.strategy, [...lost, ...again], forced);
    for (const id of folded?.rollback ?? []) rollback.add(id);
    const live = [...new Set([...rollback, ...again])].filter((id) => !lost.has(id)).sort((a, b) => a - b);
    for (const id of live) {
      this.takeDown([id]);
      const dropped = this.run.backups.dropHeldBy((h) => h === id);
      for (const x of dropped) if (!lost.has(x) && !rollback.has(x)) orphans.push(x);
    }
    for (const id of rollback) this.run.backups.trimmed.delete(id);
    const record: RecoveryRecord = {
      failedAtMs,
      detectedAtMs: now,
      instances: [...lost].sort((a, b) => a - b),
      rolledBack: [...rollback].sort((a, b) => a - b),
      restoredAtMs: null,
    };
    this.records.push(record);
    const recovery: Recovery = {
      records: [...(folded?.records ?? []), record],
      waiting: new Set([...lost, ...live]),
      ready: [],
      placed: new Set(),
      rollback,
    };
    this.current = recovery;
    this.replace(recovery, lost, live, rollback, folded !== null);
    // Re-protect instances whose backups were lost, once they run again.
    for (const x of orphans) {
      this.run.counts.rebackups++;
      if (!this.run.status.down.has(x)) this.strategy.checkpoint(x);
    }
  }

  /** Replacement `id` is restored; once all are, they start together. */
  restored(id: number): void {
    const r = this.current;
    if (r === null || !r.waiting.delete(id)) return;
    r.ready.push(id);
    if (r.waiting.size > 0) return;
    this.current = null;
    for (const x of r.ready) {
      this.run.status.started(x);
      this.run.link.sendControl(x, { type: "start" });
    }
    const now = this.run.link.clock.nowMs();
    for (const rec of r.records) rec.restoredAtMs = now;
  }

  /**
   * Fold the recovery under way into this one: its replacements deployed already are
   * replaced again (`again`), those still waiting for a VM are as good as lost.
   */
  private fold(lostIds: readonly number[]): {
    lost: Set<number>;
    again: Set<number>;
    folded: Recovery | null;
  } {
    const lost = new Set(lostIds);
    const folded = this.current;
    this.current = null;
    const again = new Set<number>();
    for (const id of folded === null ? [] : [...folded.waiting, ...folded.ready]) {
      if (lost.has(id)) continue;
      if (folded!.placed.has(id)) again.add(id);
      else lost.add(id);
    }
    return { lost, again, folded };
  }

  /**
   * `ids` are down until their replacements start: no checkpoints; a backup on its way to a
   * holder that is up is theirs (BackupTable.promotePending), any other is void.
   */
  private takeDown(ids: Iterable<number>): void {
    const down = [...ids];
    for (const id of down) this.run.status.down.add(id);
    const status = this.run.status;
    for (const id of down) this.run.backups.promotePending(id, (h) => status.down.has(h));
  }

  /** Deploy the replacements: the lost on a new VM (or in parallel), the rolled-back live ones in place. */
  private replace(
    recovery: Recovery,
    lost: ReadonlySet<number>,
    live: readonly number[],
    rollback: ReadonlySet<number>,
    folded: boolean,
  ): void {
    const link = this.run.link;
    const specs = (ids: Iterable<number>) => {
      const wanted = new Set(ids);
      return this.run.plan.current.instances.filter((s) => wanted.has(s.id));
    };
    const restoreEach = (placed: readonly InstanceSpec[]) => {
      if (this.current !== recovery) return; // folded into a later recovery meanwhile
      this.run.plan.place(placed);
      for (const s of placed) {
        recovery.placed.add(s.id);
        if (recovery.waiting.has(s.id)) this.strategy.restore(s.id, rollback.has(s.id));
      }
    };
    const superseded = () => this.current !== recovery;
    const asOne = () => link.redeploy(specs(lost), true, restoreEach, superseded);
    const parallel =
      lost.size === 1 && live.length === 0 && !folded
        ? this.parallelRecoveryOf([...lost][0], recovery, asOne)
        : null;
    if (parallel !== null) {
      this.parallel = parallel;
      parallel.start();
    } else if (lost.size > 0) asOne();
    if (live.length > 0) link.redeploy(specs(live), false, restoreEach, superseded);
  }

  /**
   * A parallel recovery of lost instance `x` (rsm with parallelRecovery k > 1, a keyed
   * operator with at least k key groups, and a backup), or null to recover it as one.
   */
  private parallelRecoveryOf(x: number, recovery: Recovery, asOne: () => void): ParallelRecovery | null {
    const k = this.strategy.parallelRecovery;
    const b = this.run.backups.get(x);
    const plan = this.run.plan.current;
    const spec = plan.instances.find((s) => s.id === x);
    if (k < 2 || b === undefined || spec === undefined) return null;
    if (plan.logical.operators[spec.operator].syncInputs) return null;
    if (whyNotSplittable(plan, spec, k) !== null) return null;
    return new ParallelRecovery(this.parallelHost(spec, b, recovery, asOne), spec, k, b);
  }

  /** What the parallel recovery of `x` (backed up as `b`) may do to the run's fault tolerance. */
  private parallelHost(
    x: InstanceSpec,
    b: BackupOf,
    recovery: Recovery,
    asOne: () => void,
  ): ParallelRecoveryHost {
    const run = this.run;
    return {
      link: run.link,
      plan: run.plan,
      newIds: (n) => run.ids.take(run.plan.current, n),
      deploying: (ids) => {
        run.backups.useCopies();
        for (const id of ids) run.status.down.add(id);
      },
      adopt: (id, holder, part) => {
        const positions = part ?? {
          inputs: b.positions.inputs,
          outputs: b.positions.outputs.map((o) => ({ ...o, seq: 0, sentTo: [] })),
        };
        run.backups.set(id, { holder, checkpoint: part, positions });
        run.backups.trimmed.add(id);
      },
      fallBack: () => {
        this.parallel = null;
        run.counts.parallelFallbacks++;
        asOne();
      },
      done: (parts) => this.parallelDone(x, recovery, parts),
    };
  }

  /** X's parts run: X is gone for good, and each part checkpoints as itself at once. */
  private parallelDone(x: InstanceSpec, recovery: Recovery, parts: readonly number[]): void {
    const { status, backups, counts } = this.run;
    this.parallel = null;
    this.current = null;
    status.down.delete(x.id);
    status.gone.set(x.id, x.operator);
    backups.delete(x.id);
    counts.parallelRecoveries++;
    const now = this.run.link.clock.nowMs();
    for (const rec of recovery.records) rec.restoredAtMs = now;
    // Each part's backup is its share of X's checkpoint under a new identity.
    for (const p of parts) {
      status.down.delete(p);
      this.strategy.checkpoint(p);
    }
    // Failures during it, past its probe: recovered now, in the plan it made.
    for (const f of this.afterParallel.splice(0)) {
      const inPlan = f.lostIds.filter((id) => this.run.plan.current.instances.some((s) => s.id === id));
      if (inPlan.length > 0) this.recover(inPlan, f.failedAtMs, f.forced);
    }
  }
}
