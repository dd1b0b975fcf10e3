// An operator instance: the user's logic plus the operator state the engine manages for
// it (keyed processing state, routing state, buffer state and input positions), driven
// by a runtime through `receive`, `poll`, `handle` and `checkpointStep`. Control
// messages go through the lifecycle table; data never waits on the coordinator.

import type { Batch } from "./batch.js";
import {
  asNewInstancePart,
  type BufferedChannel,
  type ChannelPosition,
  type Checkpoint,
  type OutputPosition,
  partition,
} from "./checkpoint.js";
import { type ControlMessage, ProtocolError } from "./control.js";
import { InputChannels } from "./inputChannels.js";
import { InputMerge } from "./inputMerge.js";
import { InstanceContext, PortEmitter } from "./instanceContext.js";
import { KeyedState } from "./keyedState.js";
import { type LifecycleState, nextState } from "./lifecycle.js";
import type { AlignedInputs, Operator, Source } from "./operator.js";
import type { OutputCut } from "./outputCut.js";
import { OutputEdge } from "./outputEdge.js";
import { channelKey, OutputSuppression, type Suppressed } from "./outputSuppression.js";
import { type InstanceSpec, type PhysicalPlan, routingOf, sendersOf } from "./physicalPlan.js";
import type { OperatorSpec } from "./queryPlan.js";
import { sameReceivers } from "./router.js";
import type { InstanceHost } from "./runtime.js";
import { StateSnapshot } from "./stateSnapshot.js";

/** A channel stuck on a gap asks for a replay again after this many more dropped batches. */
const GAP_REASK = 64;

/** Marks kept while waiting for their output to be trimmed downstream (older ones give way). */
const MAX_PENDING_MARKS = 64;

/** Entries copied per checkpoint step by default: bounds the pause a checkpoint causes. */
export const DEFAULT_COPY_CHUNK_ENTRIES = 4096;

/** Control messages about output that a rebuilding instance holds until its mark is reached. */
const DEFERRED_WHILE_REBUILDING: ReadonlySet<ControlMessage["type"]> = new Set([
  "ack",
  "replay",
  "replayKept",
  "mark",
  "checkpoint",
  "snapshot",
  "marker",
]);

interface PendingCheckpoint {
  readonly base: Omit<Checkpoint, "processing">;
}

/** A running operator instance. */
export class Instance<V = unknown> {
  readonly id: number;
  readonly operator: OperatorSpec;
  /** The key groups and VM of this instance. */
  readonly spec: InstanceSpec;
  /**
   * A source that produces only the sampled keys itself (`Source.sampleKeys`): each tuple
   * it produces stands for `sourceSampleOneIn`, where another source's stand for one each.
   */
  readonly presampled: boolean = false;
  private readonly logic: Operator<V> | Source<V>;
  private readonly ctx: InstanceContext<V>;
  private readonly inputs = new InputChannels();
  private outputs = new Map<number, OutputEdge>();
  private lifecycle: LifecycleState = "created";
  private opened = false;
  private ended = false;
  private early: [number, number, Batch][] = [];
  private aligned: Batch[][];
  private alignedFrom: [number, number, Batch][] = [];
  private pending: PendingCheckpoint | null = null;
  /** Pending global snapshots: snapshot id -> channel -> the position of its marker. */
  private readonly markers = new Map<number, Map<number, number>>();
  /** The latest global snapshot this instance has joined. */
  private snapshotDone = 0;
  /** Per channel with a gap: the received position a replay was asked from, and drops since. */
  private readonly gapAsks = new Map<number, { from: number; drops: number }>();
  /** Input positions of the checkpoint restored, to ask upstreams for replays on start. */
  private replaysDue: readonly ChannelPosition[] = [];
  /** The canonical merge of the input channels, once there is more than one. */
  private mergeState: InputMerge | null = null;
  /** Input edge -> input port. */
  private readonly edgePorts: Map<number, number>;
  /** Checkpoints held for downstream instances (this instance is their backup holder). */
  readonly backups = new Map<number, Checkpoint>();
  /** Batches dropped because an earlier batch of their channel was missing (awaiting a replay). */
  gapDrops = 0;
  /** Runs processed per channel since its last processed-ack (`InstanceHost.ackProcessedEvery`). */
  private readonly runsSinceAck = new Map<number, number>();
  /** Upstream backup: marks taken whose output is not yet trimmed downstream, oldest first. */
  private pendingMarks: Checkpoint[] = [];
  /** Upstream backup: the mark this instance is being rebuilt to (its output suppressed until then). */
  private rebuildTo: Checkpoint | null = null;
  /** A single-channel batch's tail beyond the mark, delivered once the rebuild is complete. */
  private rebuildRest: [number, number, Batch] | null = null;
  /** Control messages about output, held until the rebuild is complete. */
  private deferred: ControlMessage[] = [];
  /**
   * Live scale out or parallel recovery: what the instance whose keys this one took over had
   * already sent (its output for tuples up to its cuts, and for firings up to their event
   * times), suppressed here.
   */
  private suppression: OutputSuppression | null = null;
  /** Parallel recovery: per channel (edge, sender), the cut of the last batch with tuples taken. */
  private readonly lastCuts = new Map<number, OutputCut>();
  /** Parallel recovery: channels whose sender failed; nothing more is taken from them. */
  private readonly closedChannels = new Set<number>();
  /**
   * Live scale out, before the hand-over: every output is suppressed (the splitting instance
   * still owns the keys); `caughtUp` is reported once every channel is processed up to `at`.
   */
  private shadowOf: { readonly at: readonly ChannelPosition[]; reported: boolean } | null = null;
  /** Live scale out: retire once every channel has received up to these positions. */
  private retireDue: readonly ChannelPosition[] | null = null;
  /** Live scale out: senders are no longer told what was processed (they keep it for the new instances). */
  private acksHeld = false;
  /** Scale out: the checkpoint to take once every channel has received up to these positions. */
  private checkpointDue: { readonly id: number; readonly received: readonly ChannelPosition[] } | null = null;

  constructor(
    plan: PhysicalPlan,
    spec: InstanceSpec,
    private readonly host: InstanceHost,
  ) {
    this.id = spec.id;
    this.spec = spec;
    this.operator = plan.logical.operators[spec.operator];
    const op = this.operator;
    this.logic = op.create({ index: spec.index, parallelism: op.parallelism }) as Operator<V> | Source<V>;
    const oneIn = host.sourceSampleOneIn ?? 1;
    if (op.kind === "source" && oneIn > 1 && (this.logic as Source<V>).sampleKeys !== undefined) {
      (this.logic as Source<V>).sampleKeys!(oneIn);
      this.presampled = true;
    }
    const state = new KeyedState<V>(op.maxKeyGroups, spec.range, op.cloneState as ((v: V) => V) | undefined);
    for (const edge of plan.logical.edges) {
      if (edge.from === op.id) {
        this.outputs.set(
          edge.id,
          new OutputEdge(
            edge.id,
            edge.fromPort,
            this.id,
            op.outputs[edge.fromPort].fields,
            { edge: edge.id, routing: routingOf(plan, edge, spec), seq: 0, sentTo: [] },
            [],
            host.bufferOutput ?? true,
          ),
        );
      }
      if (edge.to === op.id) for (const s of sendersOf(plan, edge, spec)) this.inputs.expect(edge.id, s.id);
    }
    this.ctx = new InstanceContext<V>(state, this.portEmitters(), spec.index, op.parallelism, () =>
      host.clock.nowMs(),
    );
    this.aligned = Array.from({ length: op.inputs }, () => []);
    this.edgePorts = new Map(plan.logical.edges.filter((e) => e.to === op.id).map((e) => [e.id, e.toPort]));
  }

  private portEmitters(): PortEmitter[] {
    return this.operator.outputs.map(
      (_, port) =>
        new PortEmitter(
          [...this.outputs.values()].filter((e) => e.port === port),
          this.isSource ? (this.host.sourceSampleOneIn ?? 1) : 1,
        ),
    );
  }

  /** Where the instance is in its lifecycle. */
  get state(): LifecycleState {
    return this.lifecycle;
  }

  /** The keyed processing state (read it in tests and tools; operators use their context). */
  get keyedState(): KeyedState<V> {
    return this.ctx.state;
  }

  /** The instance's event time. */
  get eventTimeMs(): number {
    return this.ctx.eventTimeMs;
  }

  /** True when a checkpoint copy is waiting for `checkpointStep`. */
  get checkpointPending(): boolean {
    return this.pending !== null;
  }

  /** Tuples held in the output buffers. */
  get bufferedTuples(): number {
    let n = 0;
    for (const e of this.outputs.values()) n += e.bufferedTuples;
    return n;
  }

  /** Tuples dropped by load shedding (by this incarnation). */
  get shedTuples(): number {
    let n = 0;
    for (const p of this.ctx.ports) n += p.shed;
    return n;
  }

  /** Tuples emitted by the operator so far (by this incarnation). */
  get emittedTuples(): number {
    return this.ctx.emittedCount();
  }

  /** The processed position of an input channel. */
  processedSeq(edge: number, sender: number): number {
    return this.inputs.processedSeq(edge, sender);
  }

  private get isSource(): boolean {
    return this.operator.kind === "source";
  }

  private get isSink(): boolean {
    return this.operator.kind === "sink";
  }

  /** Tuples received but held back by the canonical merge (their turn has not come). */
  get heldTuples(): number {
    return this.mergeState?.heldTuples ?? 0;
  }

  /** Tuples that arrived older than a watermark their channel had sent (0 for a well-behaved plan). */
  get lateTuples(): number {
    return this.mergeState?.lateTuples ?? 0;
  }

  /** Several asynchronous input channels are merged in canonical order; one is taken as it comes. */
  private get merge(): InputMerge | null {
    if (this.mergeState === null && this.inputs.count > 1 && !this.operator.syncInputs) {
      this.mergeState = new InputMerge();
    }
    return this.mergeState;
  }

  // ---- data ----

  /** A batch arrived from instance `sender` on `edge`. */
  receive(edge: number, sender: number, batch: Batch): void {
    switch (this.lifecycle) {
      case "created":
      case "restored":
        this.early.push([edge, sender, batch]);
        return;
      case "stopped":
        return;
      default:
        break;
    }
    if (this.closedChannels.size > 0 && this.closedChannels.has(channelKey(edge, sender))) return;
    const fresh = this.inputs.accept(edge, sender, batch);
    if (fresh !== null && fresh.length > 0 && batch.cut !== null)
      this.lastCuts.set(channelKey(edge, sender), batch.cut);
    if (fresh === null) {
      this.gapDrops++;
      this.host.meter.record(this.id, "batches", 1);
      this.askForGap(edge, sender);
      return;
    }
    const merge = this.merge;
    if (merge !== null) merge.push(edge, sender, fresh);
    else if (fresh.length > 0) this.deliverFresh(edge, sender, fresh);
    this.host.meter.record(this.id, "batches", 1);
    this.progress();
    if (this.markers.size > 0) this.alignMarkers();
    if (this.checkpointDue !== null) this.checkpointIfReceived();
    if (this.retireDue !== null) this.retireIfReceived();
    if (this.shadowOf !== null && !this.shadowOf.reported) this.reportIfCaughtUp();
  }

  /** Live scale out: retire once what the paused upstreams sent is all in (and processed as far as it can be). */
  private retireIfReceived(): void {
    for (const p of this.retireDue!) if (this.inputs.receivedSeq(p.edge, p.sender) < p.seq) return;
    this.retireDue = null;
    this.retire();
  }

  /** Live scale out: tell the coordinator once the backlog is processed. */
  private reportIfCaughtUp(): void {
    const s = this.shadowOf!;
    // A sign of progress only (correctness does not hang on it): the event time has reached
    // where the upstreams were when they began to copy, so the backlog is processed.
    for (const p of s.at) if (this.ctx.eventTimeMs < p.watermarkMs) return;
    s.reported = true;
    this.host.transport.sendControl("coordinator", { type: "caughtUp", instance: this.id });
  }

  /** End every output stream and stop; tell the coordinator what was processed. */
  private retire(): void {
    this.flush();
    for (const e of this.outputs.values()) e.end(this.host.transport);
    this.lifecycle = "stopped";
    this.host.transport.sendControl("coordinator", {
      type: "retired",
      instance: this.id,
      processed: this.inputs.positions(),
      watermarkMs: this.ctx.eventTimeMs,
    });
  }

  /** Scale out: take the checkpoint asked for once what the paused upstreams sent is all in. */
  private checkpointIfReceived(): void {
    const due = this.checkpointDue!;
    for (const p of due.received) if (this.inputs.receivedSeq(p.edge, p.sender) < p.seq) return;
    this.checkpointDue = null;
    this.checkpoint(due.id);
  }

  /**
   * Release what the canonical merge may release, advance the event time and send the
   * output. While rebuilding, only up to the mark's event time, with output suppressed;
   * once the mark is reached, the rebuild completes and the rest goes as usual.
   */
  private progress(): void {
    const w = this.inputs.watermarkMs();
    const merge = this.mergeState;
    const target = this.rebuildTo;
    if (target !== null) {
      const cap = Math.min(w, target.watermarkMs);
      if (merge !== null && merge.heldTuples > 0) merge.release(cap, this.deliverRun);
      if (!this.rebuildReached(target)) {
        this.advanceEventTime(cap);
        this.flush();
        return;
      }
      this.finishRebuild(target);
    }
    if (merge !== null && merge.heldTuples > 0) merge.release(w, this.deliverRun);
    this.advanceEventTime(w);
    this.flush();
  }

  /** Deliver a single channel's fresh tuples; while rebuilding, stop at the mark's position. */
  private deliverFresh(edge: number, sender: number, fresh: Batch): void {
    const target = this.rebuildTo;
    if (target !== null) {
      const to = target.inputs.find((p) => p.edge === edge && p.sender === sender)?.seq ?? 0;
      let n = 0;
      while (n < fresh.length && fresh.seqs[n] <= to) n++;
      if (n < fresh.length) {
        this.rebuildRest = [edge, sender, fresh.slice(n)];
        if (n === 0) return;
        fresh = fresh.slice(0, n);
      }
    }
    this.deliver(edge, sender, fresh);
  }

  /**
   * A batch of (edge, sender) followed tuples this instance never got (lost with a failed
   * VM, or sent by a restored sender whose buffer counts them as sent): ask the sender to
   * replay after what was received. Asked once per received position, and again every
   * GAP_REASK drops in case the request itself was lost.
   */
  private askForGap(edge: number, sender: number): void {
    const key = edge * 0x100000 + sender;
    const resyncing = this.inputs.resyncing(edge, sender);
    const from = resyncing ? -1 : this.inputs.receivedSeq(edge, sender);
    const asked = this.gapAsks.get(key);
    if (asked !== undefined && asked.from === from && ++asked.drops % GAP_REASK !== 0) return;
    if (asked === undefined || asked.from !== from) {
      this.gapAsks.set(key, { from, drops: 0 });
      // A rebuilding channel asked for what its upstream keeps when it started: that
      // request is re-sent only after GAP_REASK drops (it may have been lost).
      if (resyncing) return;
    }
    if (resyncing) this.host.transport.sendControl(sender, { type: "replayKept", edge, receiver: this.id });
    else this.host.transport.sendControl(sender, { type: "replay", edge, receiver: this.id, afterSeq: from });
  }

  /**
   * Hand the operator tuples of one channel (in canonical order when merging). After a live
   * scale out, the leading tuples the retired instance had processed are processed with
   * their output suppressed.
   */
  private deliver(edge: number, sender: number, fresh: Batch): void {
    const s = this.suppression;
    const key = s === null ? 0 : channelKey(edge, sender);
    if (s !== null && fresh.length > 0 && s.reaches(key, fresh.seqs[0])) {
      for (const to of s.positionsOn(key, fresh.seqs[0])) {
        const n = fresh.indexAfter(to);
        this.flush();
        this.deliverTuples(edge, sender, n === fresh.length ? fresh : fresh.slice(0, n));
        this.flush(s.byPosition(key, to));
        if (n === fresh.length) return;
        fresh = fresh.slice(n);
      }
    }
    this.deliverTuples(edge, sender, fresh);
  }

  private deliverTuples(edge: number, sender: number, fresh: Batch): void {
    const port = this.edgePorts.get(edge);
    if (port === undefined) throw new Error(`instance ${this.id} has no input edge ${edge}`);
    this.host.meter.record(this.id, "tuples", fresh.length);
    if (this.operator.syncInputs) {
      this.aligned[port].push(fresh);
      this.alignedFrom.push([edge, sender, fresh]);
      if (this.aligned.every((q) => q.length > 0)) this.deliverAligned();
      return;
    }
    (this.logic as Operator<V>).onBatch?.(fresh, port, this.ctx);
    this.inputs.markProcessed(edge, sender, fresh);
    if (this.host.ackProcessedEvery) this.ackProcessed(edge, sender, this.host.ackProcessedEvery);
    if (this.isSink && this.rebuildTo === null) this.host.sinkOutput?.(this.id, edge, sender, fresh);
  }

  /** Every `every` runs of a channel, let its sender trim what this instance has processed. */
  private ackProcessed(edge: number, sender: number, every: number): void {
    if (this.acksHeld) return;
    const key = edge * 0x100000 + sender;
    const n = (this.runsSinceAck.get(key) ?? 0) + 1;
    if (n < every) {
      this.runsSinceAck.set(key, n);
      return;
    }
    this.runsSinceAck.set(key, 0);
    const seq = this.inputs.processedSeq(edge, sender);
    this.host.transport.sendControl(sender, { type: "ack", edge, receiver: this.id, seq });
  }

  private readonly deliverRun = (edge: number, sender: number, run: Batch): void =>
    this.deliver(edge, sender, run);

  private deliverAligned(): void {
    const queued = this.aligned;
    const view: AlignedInputs = { ports: queued.length, get: (p) => queued[p] };
    this.aligned = queued.map(() => []);
    (this.logic as Operator<V>).onAligned?.(view, this.ctx);
    for (const [edge, sender, b] of this.alignedFrom) this.inputs.markProcessed(edge, sender, b);
    this.alignedFrom = [];
  }

  /**
   * A source produces at most `max` tuples with event times up to `untilEventTimeMs`.
   * Returns false once it has nothing more.
   */
  poll(max: number, untilEventTimeMs: number = Number.POSITIVE_INFINITY): boolean {
    if (!this.isSource) throw new Error(`instance ${this.id} ("${this.operator.name}") is not a source`);
    if (this.lifecycle !== "running" && this.lifecycle !== "paused") return !this.ended;
    if (this.ended) return false;
    const before = this.ctx.emittedCount();
    const source = this.logic as Source<V>;
    const more = source.next(this.ctx, max, untilEventTimeMs);
    this.host.meter.record(this.id, "tuples", this.ctx.emittedCount() - before);
    const known = source.watermarkMs?.(untilEventTimeMs) ?? Number.NEGATIVE_INFINITY;
    this.advanceEventTime(
      more ? Math.max(this.ctx.maxEmittedEventTimeMs(), known) : Number.POSITIVE_INFINITY,
    );
    this.flush();
    return more;
  }

  private advanceEventTime(watermarkMs: number): void {
    const s = this.suppression;
    if (s !== null && watermarkMs > this.ctx.eventTimeMs && this.ctx.eventTimeMs < s.lastWatermarkMs) {
      // Firings up to a cut's event time were sent by the instance this one took over from.
      for (const w of s.watermarksAbove(this.ctx.eventTimeMs)) {
        const upTo = Math.min(watermarkMs, w);
        this.flush();
        this.moveEventTime(upTo);
        this.flush(s.byWatermark(upTo));
        if (watermarkMs === upTo) return;
      }
    }
    this.moveEventTime(watermarkMs);
  }

  private moveEventTime(watermarkMs: number): void {
    if (watermarkMs <= this.ctx.eventTimeMs) return;
    this.ctx.eventTimeMs = watermarkMs;
    if (this.ended) return;
    const op = this.logic as Operator<V>;
    op.onWatermark?.(this.ctx);
    if (watermarkMs === Number.POSITIVE_INFINITY) {
      if (this.operator.syncInputs && this.aligned.some((q) => q.length > 0)) this.deliverAligned();
      op.onEnd?.(this.ctx);
      this.ended = true;
      if (this.lifecycle === "running") this.lifecycle = "finished";
      this.host.transport.sendControl("coordinator", { type: "ended", instance: this.id });
    }
  }

  /** Send (or, when paused, hold) what the operator emitted. */
  /** True when the operator emitted something since the last flush. */
  private emittedSinceFlush(): boolean {
    for (const e of this.outputs.values()) if (e.pendingTuples > 0) return true;
    return false;
  }

  /** Send what the operator emitted since the last flush, but what `suppressed` names. */
  private flush(suppressed: Suppressed | null = null): void {
    if (this.rebuildTo !== null || this.shadowOf !== null) {
      for (const e of this.outputs.values()) e.discard();
      return;
    }
    const hold = this.lifecycle === "paused";
    const cut: OutputCut | null =
      this.host.stampOutputCuts === true && !this.isSource && this.emittedSinceFlush()
        ? { processed: this.inputs.positions(), watermarkMs: this.ctx.eventTimeMs }
        : null;
    let n = 0;
    let copied = 0;
    for (const e of this.outputs.values()) {
      n += e.flush(
        this.host.transport,
        this.ctx.eventTimeMs,
        hold,
        cut,
        suppressed === null ? null : (r) => suppressed(e.edge, r),
      );
      copied += e.takeCopied();
    }
    if (n > 0) this.host.meter.record(this.id, "emitted", n);
    if (copied > 0) this.host.meter.record(this.id, "replayedTuples", copied);
  }

  // ---- control ----

  /** Handle a control message; throws ProtocolError when the lifecycle refuses it. */
  handle(message: ControlMessage): void {
    const next = nextState(this.lifecycle, message.type);
    if (next === undefined) throw new ProtocolError(this.id, this.lifecycle, message);
    if (
      this.rebuildTo !== null &&
      this.lifecycle !== "created" &&
      DEFERRED_WHILE_REBUILDING.has(message.type)
    ) {
      // The output edges are stand-ins until the mark is reached: acks and replays wait.
      this.deferred.push(message);
      return;
    }
    switch (message.type) {
      case "start":
        this.lifecycle = next;
        this.start();
        return;
      case "checkpoint":
        if (message.holdAcks) this.acksHeld = true;
        this.beginCheckpoint(message.checkpointId);
        break;
      case "catchUp":
        if (message.processed === null) {
          this.shadowOf = { at: message.caughtUpAt ?? [], reported: false };
          if (this.lifecycle === "running") this.reportIfCaughtUp();
          break;
        }
        this.shadowOf = null;
        this.suppression = new OutputSuppression([
          { edge: null, receiver: null, processed: message.processed, watermarkMs: message.watermarkMs },
        ]);
        this.host.transport.sendControl("coordinator", { type: "takenOver", instance: this.id });
        break;
      case "suppressOutput":
        this.suppression = new OutputSuppression(message.cuts);
        break;
      case "reportCut": {
        const key = channelKey(message.edge, message.sender);
        this.closedChannels.add(key);
        this.host.transport.sendControl("coordinator", {
          type: "cutReported",
          instance: this.id,
          edge: message.edge,
          sender: message.sender,
          receivedSeq: this.inputs.receivedSeq(message.edge, message.sender),
          cut: this.lastCuts.get(key) ?? null,
        });
        break;
      }
      case "reopenChannel":
        this.closedChannels.delete(channelKey(message.edge, message.sender));
        break;
      case "replaceSender":
        for (const s of message.by) this.inputs.expect(message.edge, s);
        this.inputs.forget(message.edge, message.sender);
        this.lastCuts.delete(channelKey(message.edge, message.sender));
        this.host.transport.sendControl("coordinator", {
          type: "senderReplaced",
          instance: this.id,
          edge: message.edge,
          sender: message.sender,
        });
        if (this.lifecycle === "running" || this.lifecycle === "paused") this.progress();
        break;
      case "shadow": {
        this.flush();
        const sent = this.outputOf(message.edge).shadow(
          this.host.transport,
          message.of,
          message.to,
          message.routing,
          message.afterSeq,
        );
        this.host.transport.sendControl("coordinator", {
          type: "shadowing",
          instance: this.id,
          edge: message.edge,
          sentSeq: sent.seq,
          sentWatermarkMs: sent.watermarkMs,
        });
        break;
      }
      case "backup":
        this.keepBackup(message.checkpoint);
        break;
      case "ack":
        this.outputOf(message.edge).ack(message.receiver, message.seq, message.beforeTimeMs);
        if (this.pendingMarks.length > 0) this.commitMarks();
        break;
      case "replay": {
        const n = this.outputOf(message.edge).replay(
          this.host.transport,
          message.receiver,
          message.afterSeq,
          this.ctx.eventTimeMs,
        );
        this.host.meter.record(this.id, "replayedTuples", n);
        break;
      }
      case "replayKept": {
        const n = this.outputOf(message.edge).replayKept(
          this.host.transport,
          message.receiver,
          this.ctx.eventTimeMs,
        );
        this.host.meter.record(this.id, "replayedTuples", n);
        break;
      }
      case "mark":
        this.takeMark(message.checkpointId);
        break;
      case "rebuild":
        this.beginRebuild(message.mark);
        break;
      case "pause":
        this.flush();
        this.host.transport.sendControl("coordinator", {
          type: "paused",
          instance: this.id,
          sent: [...this.outputs.values()].flatMap((e) =>
            e.transmitted().map(([receiver, seq]) => ({ edge: e.edge, receiver, seq })),
          ),
        });
        break;
      case "resume":
        this.lifecycle = next;
        for (const e of this.outputs.values()) e.release(this.host.transport, this.ctx.eventTimeMs);
        if (this.ended) this.lifecycle = "finished";
        return;
      case "reroute":
        this.flush();
        this.outputOf(message.edge).reroute(message.routing, message.resumeFrom);
        break;
      case "checkpointWhenReceived":
        this.checkpointDue = { id: message.checkpointId, received: message.received };
        this.checkpointIfReceived();
        break;
      case "retire":
        if (message.received !== undefined) {
          // Live scale out: stays running until what was sent before the pause is in.
          this.retireDue = message.received;
          this.retireIfReceived();
          return;
        }
        this.retire();
        break;
      case "shed":
        if (!(message.rate >= 0 && message.rate <= 1))
          throw new RangeError(`shed rate ${message.rate} is not in [0, 1]`);
        for (const p of this.ctx.ports) p.shedRate = message.rate;
        break;
      case "addSender":
        this.inputs.expect(message.edge, message.sender);
        this.host.transport.sendControl("coordinator", {
          type: "senderAdded",
          instance: this.id,
          edge: message.edge,
          sender: message.sender,
        });
        break;
      case "restore":
        this.restore(message.checkpoint);
        if (message.resent) this.replaysDue = [];
        break;
      case "rewind":
        this.replaysDue = this.inputs.positions();
        this.host.transport.sendControl("coordinator", {
          type: "restored",
          instance: this.id,
          checkpointId: 0,
        });
        break;
      case "restoreBackup": {
        const cp = this.backups.get(message.instance);
        if (cp === undefined) {
          this.host.transport.sendControl("coordinator", {
            type: "backupMissing",
            holder: this.id,
            instance: message.instance,
          });
        } else if (message.parts !== undefined) {
          // Parallel recovery: each part under a new identity, kept as its backup.
          const parts = partition(
            cp,
            message.parts.map((p) => p.range),
          ).map(asNewInstancePart);
          this.backups.delete(message.instance);
          message.parts.forEach((p, i) => {
            this.backups.set(p.instance, parts[i]);
            this.host.transport.sendControl(p.instance, {
              type: "restore",
              checkpoint: parts[i],
              resent: true,
            });
          });
        } else {
          this.host.transport.sendControl(message.instance, { type: "restore", checkpoint: cp });
        }
        break;
      }
      case "snapshot":
        this.snapshotNow(message.snapshotId);
        break;
      case "marker":
        this.takeMarker(message.snapshotId, message.edge, message.sender, message.seq);
        break;
      case "stop":
        this.host.transport.sendControl("coordinator", { type: "stopped", instance: this.id });
        break;
      default: {
        const never: never = message;
        throw new Error(`unknown control message ${JSON.stringify(never)}`);
      }
    }
    this.lifecycle = next;
  }

  private outputOf(edge: number): OutputEdge {
    const e = this.outputs.get(edge);
    if (e === undefined) throw new Error(`instance ${this.id} has no output edge ${edge}`);
    return e;
  }

  private start(): void {
    // A restored instance asks its upstreams for everything after its checkpoint's
    // positions: what was in flight, held back, or processed after the checkpoint.
    const replays = this.replaysDue;
    this.replaysDue = [];
    if (this.rebuildTo !== null) {
      for (const p of this.rebuildTo.inputs) {
        this.host.transport.sendControl(p.sender, { type: "replayKept", edge: p.edge, receiver: this.id });
      }
    }
    for (const p of replays) {
      this.host.transport.sendControl(p.sender, {
        type: "replay",
        edge: p.edge,
        receiver: this.id,
        afterSeq: p.seq,
      });
    }
    if (!this.opened) {
      this.opened = true;
      this.logic.open?.(this.ctx);
    }
    if (this.ended) this.lifecycle = "finished";
    const early = this.early;
    this.early = [];
    for (const [edge, sender, batch] of early) this.receive(edge, sender, batch);
    if (this.rebuildTo !== null) this.progress();
    if (this.shadowOf !== null && !this.shadowOf.reported) this.reportIfCaughtUp();
    this.alignMarkers();
  }

  // ---- state primitives ----

  /**
   * Begin a checkpoint: input positions, routing state, buffer state and the source
   * position are taken now (cheap); the processing state is copied by `checkpointStep`.
   */
  beginCheckpoint(id: number): void {
    if (this.pending !== null) this.checkpointStep(Number.MAX_SAFE_INTEGER);
    this.flush();
    const outputs = [...this.outputs.values()];
    this.pending = {
      base: {
        id,
        instance: this.id,
        operator: this.operator.id,
        range: this.spec.range,
        inputs: this.checkpointInputs(),
        outputs: outputs.map((e) => e.position()),
        buffers: outputs.flatMap((e) => e.buffered()),
        sourcePosition: this.isSource ? (this.logic as Source<V>).position() : -1,
        watermarkMs: this.ctx.eventTimeMs,
        ended: this.ended,
      },
    };
    this.ctx.state.beginCopy();
  }

  /**
   * Input positions as a checkpoint keeps them: the processed position of each channel,
   * with a watermark no later than the earliest tuple received but not yet processed (held
   * back by the merge or by input alignment). A restored instance gets those tuples again by
   * replay; if it kept the channel's received watermark, it could pass them and close a
   * window without them.
   */
  private checkpointInputs(): ChannelPosition[] {
    const positions = this.inputs.positions();
    const merge = this.mergeState;
    if (merge === null && this.alignedFrom.length === 0) return positions;
    return positions.map((p) => {
      let held = merge === null ? Number.POSITIVE_INFINITY : merge.minHeldTimeMs(p.edge, p.sender);
      for (const [edge, sender, b] of this.alignedFrom) {
        if (edge !== p.edge || sender !== p.sender) continue;
        for (let i = 0; i < b.length; i++) if (b.eventTimesMs[i] < held) held = b.eventTimesMs[i];
      }
      return held < p.watermarkMs ? { ...p, watermarkMs: held } : p;
    });
  }

  /**
   * Copy at most `maxEntries` entries of the pending checkpoint. Returns the checkpoint
   * once it is complete (and reports `checkpointed` to the coordinator), otherwise null.
   */
  checkpointStep(maxEntries: number = DEFAULT_COPY_CHUNK_ENTRIES): Checkpoint<V> | null {
    const p = this.pending;
    if (p === null) throw new Error(`instance ${this.id} has no checkpoint in progress`);
    const state = this.ctx.state;
    const processing = state.copyStep(maxEntries);
    this.host.meter.record(this.id, "checkpointEntries", state.lastCopyStepEntries);
    if (processing === null) return null;
    this.pending = null;
    const checkpoint: Checkpoint<V> = { ...p.base, processing };
    this.host.transport.sendControl("coordinator", { type: "checkpointed", instance: this.id, checkpoint });
    return checkpoint;
  }

  // ---- global snapshots (SAND): markers as channel positions ----

  /**
   * Join global snapshot `id` now: begin its checkpoint (copied asynchronously while
   * processing goes on) and tell every receiver where this instance's output before the
   * snapshot ends on its channel.
   */
  private snapshotNow(id: number): void {
    if (id <= this.snapshotDone) return;
    this.snapshotDone = id;
    for (const k of [...this.markers.keys()]) if (k <= id) this.markers.delete(k);
    this.beginCheckpoint(id);
    for (const e of this.outputs.values()) {
      const sent = new Map(e.position().sentTo);
      for (const receiver of e.receivers) {
        const seq = sent.get(receiver) ?? 0;
        this.host.transport.sendControl(receiver, {
          type: "marker",
          snapshotId: id,
          edge: e.edge,
          sender: this.id,
          seq,
        });
      }
    }
  }

  /** A marker of snapshot `id` arrived from channel (edge, sender). */
  private takeMarker(id: number, edge: number, sender: number, seq: number): void {
    if (id <= this.snapshotDone) return;
    let m = this.markers.get(id);
    if (m === undefined) {
      m = new Map();
      this.markers.set(id, m);
    }
    m.set(edge * 0x100000 + sender, seq);
    this.alignMarkers();
  }

  /**
   * Join the oldest pending snapshot once every input channel has delivered its marker
   * and the tuples before it have been processed. Input is not blocked meanwhile: what a
   * channel sends after its marker may be processed before the snapshot is taken, which
   * deterministic replay makes harmless (a receiver drops what it already has).
   */
  private alignMarkers(): void {
    if (this.markers.size === 0 || this.lifecycle === "created" || this.lifecycle === "restored") return;
    const id = Math.min(...this.markers.keys());
    const m = this.markers.get(id)!;
    for (const p of this.inputs.positions()) {
      const seq = m.get(p.edge * 0x100000 + p.sender);
      if (seq === undefined || p.seq < seq) return;
    }
    this.snapshotNow(id);
  }

  /** Take a whole checkpoint at once (begin, then copy everything). */
  checkpoint(id: number): Checkpoint<V> {
    this.beginCheckpoint(id);
    return this.checkpointStep(Number.MAX_SAFE_INTEGER)!;
  }

  /** Keep a downstream instance's checkpoint and trim the buffer it covers. */
  private keepBackup(cp: Checkpoint): void {
    this.backups.set(cp.instance, cp);
    for (const pos of cp.inputs) {
      if (pos.sender === this.id) this.outputs.get(pos.edge)?.ack(cp.instance, pos.seq);
    }
    this.host.transport.sendControl("coordinator", {
      type: "backedUp",
      holder: this.id,
      instance: cp.instance,
      checkpointId: cp.id,
    });
  }

  // ---- upstream backup: marks and rebuilds ----

  /**
   * Take a mark: where this instance stands (input and output positions, event time,
   * source position) and its state's horizon, without the state. It is reported once
   * the output it covers is trimmed downstream (`commitMarks`). An operator that reads its
   * inputs in step has no exact cut to rebuild to, so it takes none and is rebuilt from
   * its initial state.
   */
  private takeMark(id: number): void {
    if (this.rebuildTo !== null || this.operator.syncInputs) return;
    this.flush();
    const logic = this.logic as Operator<V>;
    const horizonMs = this.isSource
      ? Number.POSITIVE_INFINITY
      : (logic.stateHorizonMs?.(this.ctx) ??
        (this.operator.stateful ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY));
    const range = this.spec.range;
    this.pendingMarks.push({
      id,
      instance: this.id,
      operator: this.operator.id,
      range,
      inputs: this.inputs.positions(),
      processing: new StateSnapshot<V>(
        this.operator.maxKeyGroups,
        range,
        Array.from({ length: range.size }, () => new Map()),
      ),
      outputs: [...this.outputs.values()].map((e) => e.position()),
      buffers: [],
      sourcePosition: this.isSource ? (this.logic as Source<V>).position() : -1,
      watermarkMs: this.ctx.eventTimeMs,
      ended: this.ended,
      horizonMs,
    });
    if (this.pendingMarks.length > MAX_PENDING_MARKS) this.pendingMarks.shift();
    this.commitMarks();
  }

  /**
   * Report the newest mark whose output every receiver has let go of (its channels'
   * buffers are trimmed past it): a rebuild to it regenerates only output after it.
   */
  private commitMarks(): void {
    let committed: Checkpoint | null = null;
    while (this.pendingMarks.length > 0) {
      const m = this.pendingMarks[0];
      if (!m.outputs.every((p) => this.outputs.get(p.edge)?.trimmedPast(p) ?? true)) break;
      committed = this.pendingMarks.shift()!;
    }
    if (committed === null) return;
    this.host.transport.sendControl("coordinator", {
      type: "checkpointed",
      instance: this.id,
      checkpoint: committed,
    });
  }

  /**
   * Rebuild this fresh instance to `mark`: every input channel is taken from what its
   * upstream still keeps (asked for on start) and processed with output suppressed up to
   * the mark's positions; then the output edges take the mark's positions and the
   * instance goes on as the lost one did. A source just returns to its position.
   */
  private beginRebuild(mark: Checkpoint): void {
    if (this.isSource || mark.inputs.length === 0) {
      this.restore(mark);
      return;
    }
    if (mark.operator !== this.operator.id || (mark.instance !== -1 && mark.instance !== this.id)) {
      throw new Error(
        `mark of instance ${mark.instance} (operator ${mark.operator}) rebuilt into ${this.id}`,
      );
    }
    this.rebuildTo = mark;
    for (const p of mark.inputs) this.inputs.resync(p.edge, p.sender);
    this.host.transport.sendControl("coordinator", {
      type: "restored",
      instance: this.id,
      checkpointId: mark.id,
    });
  }

  /** True once every input channel has been processed up to the mark. */
  private rebuildReached(mark: Checkpoint): boolean {
    for (const p of mark.inputs) {
      if (this.inputs.resyncing(p.edge, p.sender) && p.seq > 0) return false;
      if (this.inputs.processedSeq(p.edge, p.sender) < p.seq) return false;
    }
    return true;
  }

  /** The mark is reached: close what the lost instance had closed, then take its output positions. */
  private finishRebuild(mark: Checkpoint): void {
    for (const p of mark.inputs) {
      const seq = this.inputs.processedSeq(p.edge, p.sender);
      if (seq > p.seq) {
        throw new Error(
          `instance ${this.id} rebuilt past its mark on channel ${p.edge}/${p.sender} (${seq} > ${p.seq}): ` +
            "its input did not arrive in canonical order",
        );
      }
    }
    this.advanceEventTime(mark.watermarkMs);
    for (const e of this.outputs.values()) e.discard();
    this.replaceOutputs(mark.outputs, []);
    this.rebuildTo = null;
    const rest = this.rebuildRest;
    this.rebuildRest = null;
    if (rest !== null) this.deliver(rest[0], rest[1], rest[2]);
    const deferred = this.deferred;
    this.deferred = [];
    for (const m of deferred) this.handle(m);
  }

  /**
   * Take a checkpoint's output positions and buffers (new output edges, and the operator's
   * emitters onto them). The routing is the checkpoint's
   * unless a scale out has changed the receivers since it was taken: then it is the plan's
   * this instance was deployed with (its regenerated output goes to the keys' owners now;
   * receivers drop what they have by timestamp, the new ones from the scale out's cut on).
   */
  private replaceOutputs(positions: readonly OutputPosition[], buffers: readonly BufferedChannel[]): void {
    const rebuilt = new Map<number, OutputEdge>();
    for (const pos of positions) {
      const old = this.outputOf(pos.edge);
      const current = old.position().routing;
      const routing = sameReceivers(current, pos.routing) ? pos.routing : current;
      rebuilt.set(
        pos.edge,
        new OutputEdge(
          pos.edge,
          old.port,
          this.id,
          old.fieldCount,
          { ...pos, routing },
          buffers,
          this.host.bufferOutput ?? true,
        ),
      );
    }
    this.outputs = rebuilt;
    this.ctx.ports.splice(0, this.ctx.ports.length, ...this.portEmitters());
  }

  /** Install a checkpoint into this fresh instance. */
  private restore(cp: Checkpoint): void {
    if (cp.operator !== this.operator.id)
      throw new Error(`checkpoint of operator ${cp.operator} restored into ${this.id}`);
    if (cp.instance !== -1 && cp.instance !== this.id) {
      throw new Error(
        `checkpoint of instance ${cp.instance} can only be restored under its own id, not ${this.id}`,
      );
    }
    if (!cp.range.equals(this.spec.range)) {
      throw new RangeError(`checkpoint covers ${cp.range}, instance ${this.id} owns ${this.spec.range}`);
    }
    this.ctx.state = KeyedState.restore(
      cp.processing as StateSnapshot<V>,
      this.operator.cloneState as ((v: V) => V) | undefined,
    );
    this.host.meter.record(this.id, "restoreEntries", this.ctx.state.size);
    this.inputs.restore(cp.inputs);
    this.mergeState?.clear();
    this.replaysDue = cp.inputs;
    this.markers.clear();
    this.snapshotDone = Math.max(this.snapshotDone, cp.id);
    this.replaceOutputs(cp.outputs, cp.buffers);
    if (this.isSource) (this.logic as Source<V>).seek(cp.sourcePosition);
    this.ctx.eventTimeMs = cp.watermarkMs;
    this.ended = cp.ended;
    this.host.transport.sendControl("coordinator", {
      type: "restored",
      instance: this.id,
      checkpointId: cp.id,
    });
  }
}
