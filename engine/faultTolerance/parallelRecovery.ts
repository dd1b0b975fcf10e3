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
//   and restore restored by X's backup holder (or from the store)
//   hand over   the receivers take the parts as senders in place of X, whose channel ends
//               with what they received; each part suppresses, per receiver, the output
//               that receiver's cut covers (engine/outputSuppression.ts), and starts
//   pause       the upstreams pause, re-slice their routing over the parts, move what they
//   reroute     kept for X after the checkpoint to the part that owns each key, and resume
//
// A failure while the receivers are probed gives the parallel recovery up (X is recovered as
// one, with the other failed instances: a fold); from the deploy on it completes without
// the failed instances, which are recovered once it is done; when X's backup holder fails,
// the parts are restored from the coordinator's copy of the checkpoint.
//
// Exactness: X processed its input in canonical order, and each part processes the same
// tuples of its keys in the same order from the same state, so a part's output for a
// tuple is X's output for it; whether a receiver had it is decided by the tuple's position
// against the receiver's cut, and for a firing by its time against the cut's event time.

import type { Checkpoint, OutputPosition } from "../checkpoint.js";
import { asNewInstancePart, partition, withSuppression } from "../checkpoint.js";
import type { ControlReply } from "../control.js";
import { splitRange } from "../keyGroups.js";
import type { OutputCut } from "../outputCut.js";
import type { SuppressionCut } from "../outputSuppression.js";
import { type InstanceSpec, upstreamIdsOf } from "../physicalPlan.js";
import { deployEach, restoreParts } from "../reconfiguration/deployment.js";
import type { ReconfigurationLink } from "../reconfiguration/link.js";
import { rerouteAndResume } from "../reconfiguration/reroute.js";
import type { RunPlan } from "../reconfiguration/runPlan.js";
import { outputChannelsOf, replaceSender } from "../reconfiguration/senders.js";
import { Acting, AwaitingEach, Collecting, type Step, StepMachine } from "../reconfiguration/stepMachine.js";
import { PausingUpstreams } from "../reconfiguration/upstreamPause.js";
import { STORE } from "./backupPlacement.js";
import type { BackupOf } from "./backupTable.js";

export type { BackupOf } from "./backupTable.js";

/** What parallel recovery needs of the fault-tolerance protocol. */
export interface ParallelRecoveryHost {
  readonly link: ReconfigurationLink;
  /** The run's plan, as the recovery changes it. */
  readonly plan: RunPlan;
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

/** What one receiver (edge, receiver) had received from X. */
interface ReceivedCut {
  readonly edge: number;
  readonly receiver: number;
  readonly seq: number;
  readonly cut: OutputCut | null;
}

/** One parallel recovery of instance `x` onto `k` instances. */
export class ParallelRecovery {
  private readonly machine = new StepMachine();
  private specs: InstanceSpec[] = [];
  private readonly upstreams: number[];
  private started = false;
  /** X's backup holder failed: restore from the coordinator's copy. */
  private holderLost = false;
  /** Parts that said they are restored. */
  private readonly restoredParts = new Set<number>();
  /** X's checkpoint split into the parts' shares, once. */
  private split: { readonly cp: Checkpoint; readonly parts: Checkpoint[] } | null = null;

  constructor(
    private readonly host: ParallelRecoveryHost,
    private readonly x: InstanceSpec,
    private readonly k: number,
    private readonly backup: BackupOf,
  ) {
    this.upstreams = upstreamIdsOf(host.plan.current, [x]);
  }

  /** Ask X's receivers what they received from it. */
  start(): void {
    this.started = true;
    this.machine.go(probing(this.host, this.x, (cuts) => this.decide(cuts)));
  }

  /** Take in a reply; true when it was this recovery's. */
  handleReply(reply: ControlReply): boolean {
    if (reply.type === "senderReplaced") return reply.sender === this.x.id;
    if (reply.type === "restored" && this.specs.some((s) => s.id === reply.instance))
      this.restoredParts.add(reply.instance);
    return this.machine.handleReply(reply);
  }

  /**
   * Instances failed while it is under way. While the receivers are probed (nothing has
   * changed yet) it is given up: the receivers take X's channel again, and X is recovered
   * as one with the others (returns true). From the deploy on it completes without them
   * (no step waits for a failed instance) and they are recovered afterwards (returns false).
   */
  failed(ids: ReadonlySet<number>): boolean {
    if (this.machine.step?.name === "probing") {
      this.machine.go(null);
      for (const c of outputChannelsOf(this.host.plan.current, this.x))
        if (!ids.has(c.receiver))
          this.host.link.sendControl(c.receiver, { type: "reopenChannel", edge: c.edge, sender: this.x.id });
      return true;
    }
    // X's backup holder failed: the parts are restored from the coordinator's copy instead
    // (those it had not restored yet, when it was asked already).
    if (ids.has(this.backup.holder)) {
      this.holderLost = true;
      const cp = this.checkpoint();
      if (this.machine.step?.name === "restoring" && cp !== undefined)
        this.restoreFrom(
          cp,
          this.specs.filter((s) => !this.restoredParts.has(s.id)),
        );
    }
    this.machine.lost(ids);
    return false;
  }

  /** True once the recovery is complete or given up. */
  get finished(): boolean {
    return this.started && this.machine.step === null;
  }

  /** Parallel unless a receiver lacks output sent before the checkpoint, or got some unstamped. */
  private decide(cuts: readonly ReceivedCut[]): void {
    const outputs = this.backup.positions.outputs;
    const sentAt = (edge: number, receiver: number) =>
      outputs.find((o: OutputPosition) => o.edge === edge)?.sentTo.find(([r]) => r === receiver)?.[1] ?? 0;
    const whole = cuts.some(
      (c) => c.seq < sentAt(c.edge, c.receiver) || (c.cut === null && c.seq > sentAt(c.edge, c.receiver)),
    );
    if (whole) {
      this.machine.go(null);
      for (const c of cuts)
        this.host.link.sendControl(c.receiver, { type: "reopenChannel", edge: c.edge, sender: this.x.id });
      this.host.fallBack();
      return;
    }
    this.machine.go(new Acting("deploying", () => this.deploy(cuts)));
  }

  /** The parts take X's place in the plan, each on a new VM; then they are restored. */
  private deploy(cuts: readonly ReceivedCut[]): void {
    const ranges = splitRange(this.x.range, this.k);
    const first = this.host.newIds(this.k);
    this.specs = ranges.map((range, i) => ({ ...this.x, id: first + i, range }));
    const ids = this.specs.map((s) => s.id);
    this.host.plan.replace([this.x.id], this.specs);
    this.host.deploying(ids);
    const deployments = this.specs.map((spec) => ({ spec, newVm: true }));
    deployEach(this.host.link, this.host.plan, deployments, () =>
      this.machine.go(
        new AwaitingEach(
          "restoring",
          "restored",
          ids,
          () => this.restore(),
          () => this.handOver(cuts),
        ),
      ),
    );
  }

  /** Restore each part from its share of X's checkpoint: from the store, or by X's holder. */
  private restore(): void {
    const b = this.backup;
    // From the coordinator's copy too when the holder lost it, or may not have it yet (a
    // backup promoted on its way): the parts must start from the positions the resume uses.
    const cp = this.checkpoint();
    if (cp !== undefined && (b.holder === STORE || this.holderLost || b.unconfirmed === true)) {
      this.restoreFrom(cp, this.specs);
      return;
    }
    for (const s of this.specs) this.host.adopt(s.id, b.holder, null);
    this.host.link.sendControl(b.holder, {
      type: "restoreBackup",
      instance: this.x.id,
      parts: this.specs.map((s) => ({ instance: s.id, range: s.range })),
    });
  }

  /** X's checkpoint as the coordinator has it: in the store, or its copy of the holder's. */
  private checkpoint(): Checkpoint | undefined {
    return this.backup.checkpoint ?? this.backup.copy;
  }

  /** The parts of `cp`, one per new instance (partitioned once: it copies the whole state). */
  private partsOf(cp: Checkpoint): Checkpoint[] {
    if (this.split?.cp !== cp)
      this.split = {
        cp,
        parts: partition(
          cp,
          this.specs.map((s) => s.range),
        ).map(asNewInstancePart),
      };
    return this.split.parts;
  }

  /** Restore each part from its share of `cp`, kept by the coordinator: each part's backup. */
  private restoreFrom(cp: Checkpoint, specs: readonly InstanceSpec[]): void {
    const parts = this.partsOf(cp);
    const chosen = this.specs.map((s, i) => [s, parts[i]] as const).filter(([s]) => specs.includes(s));
    for (const [s, part] of chosen) this.host.adopt(s.id, STORE, part);
    restoreParts(
      this.host.link,
      chosen.map(([s]) => s),
      chosen.map(([, part]) => part),
    );
  }

  /** The receivers take the parts in X's place; the parts start; the upstreams pause to re-slice. */
  private handOver(cuts: readonly ReceivedCut[]): void {
    const link = this.host.link;
    const ids = this.specs.map((s) => s.id);
    // What X itself still suppressed (it had taken over keys at a cut) holds for its parts too.
    const source = this.checkpoint();
    const suppress: SuppressionCut[] = [...(source?.suppression ?? [])];
    for (const c of cuts) {
      replaceSender(link, c, this.x.id, ids);
      if (c.cut !== null)
        suppress.push({
          edge: c.edge,
          receiver: c.receiver,
          processed: c.cut.processed,
          watermarkMs: c.cut.watermarkMs,
        });
    }
    // Each part's backup suppresses what it suppresses: restored later, it must not send again
    // what the receivers had from X (the coordinator keeps it, as a checkpoint keeps its cuts).
    if (source !== undefined) {
      const parts = this.partsOf(source);
      this.specs.forEach((s, i) => {
        this.host.adopt(s.id, STORE, withSuppression(parts[i], suppress));
      });
    }
    for (const id of ids) {
      link.sendControl(id, { type: "suppressOutput", cuts: suppress });
      link.sendControl(id, { type: "start" });
    }
    this.machine.go(new PausingUpstreams(link, this.upstreams, [], () => this.resume()));
  }

  /** Each upstream re-slices over the parts, moves what it kept for X after the checkpoint, and resumes. */
  private resume(): void {
    const ids = this.specs.map((s) => s.id);
    rerouteAndResume(this.host.link, this.host.plan.current, this.upstreams, this.x.operator, (edge, u) => {
      const pos = this.backup.positions.inputs.find((p) => p.edge === edge && p.sender === u);
      return pos === undefined ? [] : [[this.x.id, pos.seq], ...ids.map((id) => [id, pos.seq] as const)];
    });
    this.machine.go(null);
    this.host.done(ids);
  }
}

/** A receiver channel's key in the probe. */
const keyOf = (edge: number, receiver: number) => edge * 0x100000 + receiver;

/** The step in which X's receivers say what they received from it. */
function probing(
  host: ParallelRecoveryHost,
  x: InstanceSpec,
  then: (cuts: readonly ReceivedCut[]) => void,
): Step {
  const read = (reply: ControlReply) =>
    reply.type === "cutReported" && reply.sender === x.id
      ? {
          key: keyOf(reply.edge, reply.instance),
          value: { edge: reply.edge, receiver: reply.instance, seq: reply.receivedSeq, cut: reply.cut },
        }
      : null;
  const send = (expect: (key: number) => void) => {
    for (const c of outputChannelsOf(host.plan.current, x)) {
      expect(keyOf(c.edge, c.receiver));
      host.link.sendControl(c.receiver, { type: "reportCut", edge: c.edge, sender: x.id });
    }
  };
  return new Collecting<ReceivedCut>("probing", read, send, (cuts) => then([...cuts.values()]));
}
