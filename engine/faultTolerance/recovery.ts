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
//               their ids; the rolled-back live ones in place. Under rsm with
//               parallelRecovery, each lost keyed instance that can be split, and whose
//               receivers were not lost with it, goes onto k new instances instead
//               (parallelRecovery.ts), one after another, once the others lost with it run
//               again (its receivers are probed and its upstreams paused: they must be up)
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
import { outputChannelsOf } from "../reconfiguration/senders.js";
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
  /** Lost instances recovered in parallel, each after the one before (their turn not come yet). */
  readonly queued: number[];
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
      queued: [],
    };
    this.current = recovery;
    this.replace(recovery, lost, live, folded !== null);
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
    for (const x of r.ready.splice(0)) {
      this.run.status.started(x);
      this.run.link.sendControl(x, { type: "start" });
    }
    this.next(r);
  }

  /** The next queued parallel recovery of `r` begins; with none left, `r` is complete. */
  private next(r: Recovery): void {
    const x = r.queued.shift();
    if (x !== undefined) {
      this.startParallel(r, x);
      return;
    }
    this.current = null;
    const now = this.run.link.clock.nowMs();
    for (const rec of r.records) rec.restoredAtMs = now;
    // Failures during its parallel recoveries, past their probes: recovered now, in the plan they made.
    for (const f of this.afterParallel.splice(0)) {
      const inPlan = f.lostIds.filter((id) => this.run.plan.current.instances.some((s) => s.id === id));
      if (inPlan.length > 0) this.recover(inPlan, f.failedAtMs, f.forced);
    }
  }

  /** Recover lost `x` of `r` in parallel (as one, if it cannot be any more). */
  private startParallel(r: Recovery, x: number): void {
    r.waiting.add(x);
    const asOne = () =>
      this.run.link.redeploy(this.specsOf([x]), true, this.restoreEachOf(r), () => this.current !== r);
    const parallel = this.parallelRecoveryOf(x, r, asOne);
    if (parallel === null) {
      asOne();
      return;
    }
    this.parallel = parallel;
    parallel.start();
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
    // Its queued parallel recoveries had not begun: as good as lost.
    for (const id of folded?.queued ?? []) lost.add(id);
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
    folded: boolean,
  ): void {
    const link = this.run.link;
    const restoreEach = this.restoreEachOf(recovery);
    const superseded = () => this.current !== recovery;
    const inParallel = live.length === 0 && !folded ? this.inParallel(lost) : [];
    for (const x of inParallel) recovery.waiting.delete(x);
    recovery.queued.push(...inParallel);
    const asOne = [...lost].filter((id) => !inParallel.includes(id));
    if (asOne.length > 0) link.redeploy(this.specsOf(asOne), true, restoreEach, superseded);
    if (live.length > 0) link.redeploy(this.specsOf(live), false, restoreEach, superseded);
    // With nothing else to restore first, the first parallel recovery begins now.
    if (asOne.length === 0 && live.length === 0) this.next(recovery);
  }

  /** The plan's specs of `ids`. */
  private specsOf(ids: Iterable<number>): InstanceSpec[] {
    const wanted = new Set(ids);
    return this.run.plan.current.instances.filter((s) => wanted.has(s.id));
  }

  /** Once deployed, each replacement `recovery` waits for is restored by the strategy. */
  private restoreEachOf(recovery: Recovery): (placed: readonly InstanceSpec[]) => void {
    return (placed) => {
      if (this.current !== recovery) return; // folded into a later recovery meanwhile
      this.run.plan.place(placed);
      for (const s of placed) {
        recovery.placed.add(s.id);
        if (recovery.waiting.has(s.id)) this.strategy.restore(s.id, recovery.rollback.has(s.id));
      }
    };
  }

  /**
   * Which of `lost` to recover in parallel: those that can be (canInParallel) and lost none
   * of their receivers. A receiver restored from its backup has emitted more than it
   * holds: only the failed instance's own output, replayed as itself, is deduplicated
   * downstream, not its parts' (found by Linear Road seed 3, segments and answers on one VM).
   */
  private inParallel(lost: ReadonlySet<number>): number[] {
    const plan = this.run.plan.current;
    return [...lost]
      .sort((a, b) => a - b)
      .filter((id) => {
        const spec = plan.instances.find((s) => s.id === id);
        if (spec === undefined || !this.canInParallel(spec)) return false;
        return outputChannelsOf(plan, spec).every((c) => !lost.has(c.receiver));
      });
  }

  /** True when `spec` can be recovered in parallel: rsm with k > 1, a backup, a splittable keyed operator. */
  private canInParallel(spec: InstanceSpec): boolean {
    const k = this.strategy.parallelRecovery;
    const plan = this.run.plan.current;
    if (k < 2 || this.run.backups.get(spec.id) === undefined) return false;
    if (plan.logical.operators[spec.operator].syncInputs) return false;
    return whyNotSplittable(plan, spec, k) === null;
  }

  /**
   * A parallel recovery of lost instance `x` (rsm with parallelRecovery k > 1, a keyed
   * operator with at least k key groups, and a backup), or null to recover it as one.
   */
  private parallelRecoveryOf(x: number, recovery: Recovery, asOne: () => void): ParallelRecovery | null {
    const b = this.run.backups.get(x);
    const spec = this.run.plan.current.instances.find((s) => s.id === x);
    if (b === undefined || spec === undefined || !this.canInParallel(spec)) return null;
    return new ParallelRecovery(
      this.parallelHost(spec, b, recovery, asOne),
      spec,
      this.strategy.parallelRecovery,
      b,
    );
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
    recovery.waiting.delete(x.id);
    status.down.delete(x.id);
    status.gone.set(x.id, x.operator);
    backups.delete(x.id);
    counts.parallelRecoveries++;
    // Each part's backup is its share of X's checkpoint under a new identity.
    for (const p of parts) {
      status.down.delete(p);
      this.strategy.checkpoint(p);
    }
    // Failures during it, past its probe, fold the parallel recoveries still queued in.
    if (this.afterParallel.length > 0) {
      this.afterParallel[0] = {
        ...this.afterParallel[0],
        lostIds: [...this.afterParallel[0].lostIds, ...recovery.queued.splice(0)],
      };
    }
    this.next(recovery);
  }
}
