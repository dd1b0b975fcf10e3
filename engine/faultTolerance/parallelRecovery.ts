// Parallel recovery (SEEP): a failed instance is restored onto k new instances at once,
// each on a VM of its own, by partitioning its last checkpoint by key; each replays only
// its share of what its upstreams kept, so recovery takes about 1/k of the replay.
//
//   probe       each receiver of the failed instance X stops taking X's channel and says
//               what it had received: the last tuple, and the cut of the last batch with
//               tuples (X's processed positions and event time when it sent that batch;
//               senders stamp their batches with cuts when parallel recovery is on)
//   decide      when some receiver lacks output X had sent before its checkpoint (lost in
//               flight), the parts could not regenerate it: X is recovered as one instead
//   deploy      the checkpoint's parts go to k new instances (new ids), each on a new VM,
//               restored by X's backup holder (or from the store)
//   hand over   the receivers take the parts as senders in place of X, whose channel ends
//               with what they received; each part suppresses, per receiver, the output
//               that receiver's cut covers (engine/outputSuppression.ts), and starts; the
//               upstreams pause, re-slice their routing over the parts, move what they
//               kept for X after the checkpoint to the part that owns each key, and resume
//
// Exactness: X processed its input in canonical order, and each part processes the same
// tuples of its keys in the same order from the same state, so a part's output for a
// tuple is X's output for it; whether a receiver had it is decided by the tuple's position
// against the receiver's cut, and for a firing by its time against the cut's event time.

import type { Checkpoint, OutputPosition } from "../checkpoint.js";
import { asNewInstancePart, partition } from "../checkpoint.js";
import type { ControlReply } from "../control.js";
import { splitRange } from "../keyGroups.js";
import type { OutputCut } from "../outputCut.js";
import type { SuppressionCut } from "../outputSuppression.js";
import {
  type InstanceSpec,
  instanceById,
  type PhysicalPlan,
  routingOf,
  upstreamIdsOf,
  withInstances,
} from "../physicalPlan.js";
import { STORE } from "./backupPlacement.js";
import type { FaultToleranceLink } from "./faultTolerance.js";

/** What parallel recovery needs of the fault-tolerance protocol. */
export interface ParallelRecoveryHost {
  readonly link: FaultToleranceLink;
  readonly plan: PhysicalPlan;
  /** Make `plan` the run's plan. */
  setPlan(plan: PhysicalPlan): void;
  /** `n` fresh instance ids; the first. */
  newIds(n: number): number;
  /** The parts are deployed: no checkpoints of them until they run. */
  deploying(ids: readonly number[]): void;
  /** `part` (null: the holder keeps it) is the backup of instance `id` until it checkpoints. */
  adopt(id: number, holder: number, part: Checkpoint | null): void;
  /** X is recovered as one instance after all (the probe found output lost in flight). */
  fallBack(): void;
  /** The parts run: the recovery is complete. */
  done(parts: readonly number[]): void;
}

/** Where X's backup is, with the positions of its checkpoint. */
export interface BackupOf {
  readonly holder: number;
  /** The checkpoint (kept by the coordinator: STORE), or null (kept by `holder`). */
  readonly checkpoint: Checkpoint | null;
  /** The checkpoint's input positions and output sides. */
  readonly positions: Pick<Checkpoint, "inputs" | "outputs">;
}

/** A receiver channel's key in the probe. */
const keyOf = (edge: number, receiver: number) => edge * 0x100000 + receiver;

/** One parallel recovery of instance `x` onto `k` instances. */
export class ParallelRecovery {
  private phase: "probing" | "deploying" | "restoring" | "pausing" | "done" = "probing";
  private readonly waiting = new Set<number>();
  /** What each receiver (edge, receiver) had received from X. */
  private readonly cuts = new Map<
    number,
    { edge: number; receiver: number; seq: number; cut: OutputCut | null }
  >();
  private specs: InstanceSpec[] = [];
  private readonly upstreams: number[];

  constructor(
    private readonly host: ParallelRecoveryHost,
    private readonly x: InstanceSpec,
    private readonly k: number,
    private readonly backup: BackupOf,
  ) {
    this.upstreams = upstreamIdsOf(host.plan, [x]);
  }

  /** Ask X's receivers what they received from it. */
  start(): void {
    const plan = this.host.plan;
    for (const e of plan.logical.edges.filter((e) => e.from === this.x.operator)) {
      for (const d of routingOf(plan, e, this.x).receivers) {
        this.waiting.add(keyOf(e.id, d));
        this.host.link.sendControl(d, { type: "reportCut", edge: e.id, sender: this.x.id });
      }
    }
    if (this.waiting.size === 0) this.decide();
  }

  /** Take in a reply; true when it was this recovery's. */
  handleReply(reply: ControlReply): boolean {
    switch (reply.type) {
      case "cutReported": {
        if (this.phase !== "probing" || reply.sender !== this.x.id) return false;
        const key = keyOf(reply.edge, reply.instance);
        if (!this.waiting.delete(key)) return false;
        this.cuts.set(key, {
          edge: reply.edge,
          receiver: reply.instance,
          seq: reply.receivedSeq,
          cut: reply.cut,
        });
        if (this.waiting.size === 0) this.decide();
        return true;
      }
      case "restored":
        if (this.phase !== "restoring" || !this.waiting.delete(reply.instance)) return false;
        if (this.waiting.size === 0) this.handOver();
        return true;
      case "paused":
        if (this.phase !== "pausing" || !this.waiting.delete(reply.instance)) return false;
        if (this.waiting.size === 0) this.resume();
        return true;
      case "senderReplaced":
        return reply.sender === this.x.id;
      default:
        return false;
    }
  }

  /** Parallel unless a receiver lacks output sent before the checkpoint, or got some unstamped. */
  private decide(): void {
    const outputs = this.backup.positions.outputs;
    const sentAt = (edge: number, receiver: number) =>
      outputs.find((o: OutputPosition) => o.edge === edge)?.sentTo.find(([r]) => r === receiver)?.[1] ?? 0;
    const whole = [...this.cuts.values()].some(
      (c) => c.seq < sentAt(c.edge, c.receiver) || (c.cut === null && c.seq > sentAt(c.edge, c.receiver)),
    );
    if (whole) {
      this.phase = "done";
      for (const c of this.cuts.values())
        this.host.link.sendControl(c.receiver, { type: "reopenChannel", edge: c.edge, sender: this.x.id });
      this.host.fallBack();
      return;
    }
    this.deploy();
  }

  /** The parts take X's place in the plan, each on a new VM. */
  private deploy(): void {
    this.phase = "deploying";
    const ranges = splitRange(this.x.range, this.k);
    const first = this.host.newIds(this.k);
    this.specs = ranges.map((range, i) => ({ ...this.x, id: first + i, range }));
    const ids = this.specs.map((s) => s.id);
    this.host.setPlan(withInstances(this.host.plan, [this.x.id], this.specs));
    this.host.deploying(ids);
    let pending = this.specs.length;
    for (const s of this.specs) {
      this.host.link.redeploy([s], true, (placed) => {
        this.host.setPlan(
          withInstances(
            this.host.plan,
            placed.map((p) => p.id),
            placed,
          ),
        );
        if (--pending === 0) this.restore();
      });
    }
  }

  /** Restore each part from its share of X's checkpoint. */
  private restore(): void {
    this.phase = "restoring";
    for (const s of this.specs) this.waiting.add(s.id);
    const b = this.backup;
    if (b.holder === STORE) {
      const parts = partition(
        b.checkpoint!,
        this.specs.map((s) => s.range),
      ).map(asNewInstancePart);
      this.specs.forEach((s, i) => {
        this.host.adopt(s.id, STORE, parts[i]);
        this.host.link.sendControl(s.id, { type: "restore", checkpoint: parts[i], resent: true });
      });
      return;
    }
    for (const s of this.specs) this.host.adopt(s.id, b.holder, null);
    this.host.link.sendControl(b.holder, {
      type: "restoreBackup",
      instance: this.x.id,
      parts: this.specs.map((s) => ({ instance: s.id, range: s.range })),
    });
  }

  /** The receivers take the parts in X's place; the parts start; the upstreams pause to re-slice. */
  private handOver(): void {
    this.phase = "pausing";
    const ids = this.specs.map((s) => s.id);
    const suppress: SuppressionCut[] = [];
    for (const c of this.cuts.values()) {
      this.host.link.sendControl(c.receiver, {
        type: "replaceSender",
        edge: c.edge,
        sender: this.x.id,
        by: ids,
      });
      if (c.cut !== null)
        suppress.push({
          edge: c.edge,
          receiver: c.receiver,
          processed: c.cut.processed,
          watermarkMs: c.cut.watermarkMs,
        });
    }
    for (const id of ids) {
      this.host.link.sendControl(id, { type: "suppressOutput", cuts: suppress });
      this.host.link.sendControl(id, { type: "start" });
    }
    for (const u of this.upstreams) {
      this.waiting.add(u);
      this.host.link.sendControl(u, { type: "pause" });
    }
    if (this.waiting.size === 0) this.resume();
  }

  /** Each upstream re-slices over the parts, moves what it kept for X after the checkpoint, and resumes. */
  private resume(): void {
    const plan = this.host.plan;
    const ids = this.specs.map((s) => s.id);
    for (const u of this.upstreams) {
      const uspec = instanceById(plan, u);
      for (const e of plan.logical.edges.filter((e) => e.to === this.x.operator)) {
        const pos = this.backup.positions.inputs.find((p) => p.edge === e.id && p.sender === u);
        if (pos === undefined) continue;
        this.host.link.sendControl(u, {
          type: "reroute",
          edge: e.id,
          routing: routingOf(plan, e, uspec),
          resumeFrom: [[this.x.id, pos.seq], ...ids.map((id) => [id, pos.seq] as const)],
        });
      }
      this.host.link.sendControl(u, { type: "resume" });
    }
    this.phase = "done";
    this.host.done(ids);
  }

  /** True once the recovery is complete or given up. */
  get finished(): boolean {
    return this.phase === "done";
  }
}
