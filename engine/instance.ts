// An operator instance: the user's logic plus the operator state the engine manages for
// it, driven by a runtime through `receive`, `poll`, `handle` and `checkpointStep`. This
// file is the data path and its lifecycle: a batch is received, accepted by its channel
// (inputChannels.ts), merged with the other channels in canonical order (inputMerge.ts),
// delivered to the operator, and what the operator emits is flushed on the output edges
// (instance/outputs.ts). Each protocol keeps its per-instance part in engine/instance/: it
// hears the data path's events and owns its control messages (instance/protocolTable.ts).
// Control messages go through the lifecycle table; data never waits on the coordinator.

import type { Batch } from "./batch.js";
import type { Checkpoint } from "./checkpoint.js";
import { type ControlMessage, type ControlReply, ProtocolError } from "./control.js";
import { DEFAULT_COPY_CHUNK_ENTRIES } from "./instance/checkpointing.js";
import { Inputs } from "./instance/inputs.js";
import { Outputs } from "./instance/outputs.js";
import { ProcessedAcks } from "./instance/processedAcks.js";
import type { InstanceController } from "./instance/protocol.js";
import { ProtocolTable } from "./instance/protocolTable.js";
import { InstanceContext } from "./instanceContext.js";
import { KeyedState } from "./keyedState.js";
import { type LifecycleState, nextState } from "./lifecycle.js";
import type { AlignedInputs, Operator, Source } from "./operator.js";
import { OutputSuppression, type PieceSink, type Suppressed } from "./outputSuppression.js";
import type { InstanceSpec, PhysicalPlan } from "./physicalPlan.js";
import type { OperatorSpec } from "./queryPlan.js";
import { RecordState } from "./recordState.js";
import type { InstanceHost } from "./runtime.js";
import type { StateSnapshot } from "./stateSnapshot.js";

export { DEFAULT_COPY_CHUNK_ENTRIES };

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
  private readonly inputs: Inputs;
  private readonly outputs: Outputs;
  private lifecycle: LifecycleState = "created";
  private opened = false;
  private ended = false;
  /** Batches that arrived before start, taken in on start. */
  private early: [number, number, Batch][] = [];
  /** Output another instance already sent, dropped here (live scale out, parallel recovery). */
  private suppression: OutputSuppression | null = null;
  private readonly acks: ProcessedAcks;
  private readonly protocols: ProtocolTable;

  constructor(
    plan: PhysicalPlan,
    spec: InstanceSpec,
    private readonly host: InstanceHost,
  ) {
    this.id = spec.id;
    this.spec = spec;
    const op = plan.logical.operators[spec.operator];
    this.operator = op;
    this.logic = op.create({ index: spec.index, parallelism: op.parallelism }) as Operator<V> | Source<V>;
    const oneIn = host.sourceSampleOneIn ?? 1;
    if (op.kind === "source" && oneIn > 1 && (this.logic as Source<V>).sampleKeys !== undefined) {
      (this.logic as Source<V>).sampleKeys!(oneIn);
      this.presampled = true;
    }
    const state = new KeyedState<V>(op.maxKeyGroups, spec.range, op.cloneState as ((v: V) => V) | undefined);
    this.outputs = new Outputs(plan, spec, host);
    this.inputs = new Inputs(plan, spec);
    this.ctx = new InstanceContext<V>(state, this.outputs.ports, spec.index, op.parallelism, () =>
      host.clock.nowMs(),
    );
    if (op.recordWidth !== undefined)
      this.ctx.recordState = new RecordState(op.maxKeyGroups, spec.range, op.recordWidth, op.cloneState);
    this.acks = new ProcessedAcks(this.id, this.inputs.channels);
    this.protocols = new ProtocolTable(this.controller());
  }

  /** Where the instance is in its lifecycle. */
  get state(): LifecycleState {
    return this.lifecycle;
  }

  /** The keyed processing state (read it in tests and tools; operators use their context). */
  get keyedState(): KeyedState<V> {
    return this.ctx.state;
  }

  /** The state as records, for an operator with a record width (read it in tests and tools); null otherwise. */
  get recordState(): RecordState | null {
    return this.ctx.recordState;
  }

  /** The instance's event time. */
  get eventTimeMs(): number {
    return this.ctx.eventTimeMs;
  }

  /** True when a checkpoint copy is waiting for `checkpointStep`. */
  get checkpointPending(): boolean {
    return this.protocols.checkpointing.inProgress;
  }

  /** Checkpoints held for downstream instances (this instance is their backup holder). */
  get backups(): Map<number, Checkpoint> {
    return this.protocols.backupHolding.backups;
  }

  /** Batches dropped because an earlier batch of their channel was missing (awaiting a replay). */
  get gapDrops(): number {
    return this.protocols.gapAsks.drops;
  }

  /** Tuples held in the output buffers. */
  get bufferedTuples(): number {
    return this.outputs.bufferedTuples;
  }

  /** Tuples dropped by load shedding (by this incarnation). */
  get shedTuples(): number {
    return this.outputs.shedTuples;
  }

  /** Tuples emitted by the operator so far (by this incarnation). */
  get emittedTuples(): number {
    return this.ctx.emittedCount();
  }

  /** The processed position of an input channel. */
  processedSeq(edge: number, sender: number): number {
    return this.inputs.channels.processedSeq(edge, sender);
  }

  /** Tuples received but held back by the canonical merge (their turn has not come). */
  get heldTuples(): number {
    return this.inputs.heldTuples;
  }

  /** Tuples that arrived older than a watermark their channel had sent (0 for a well-behaved plan). */
  get lateTuples(): number {
    return this.inputs.lateTuples;
  }

  private get isSource(): boolean {
    return this.operator.kind === "source";
  }

  /** A batch arrived from instance `sender` on `edge`. */
  receive(edge: number, sender: number, batch: Batch): void {
    if (this.lifecycle === "created" || this.lifecycle === "restored") {
      this.early.push([edge, sender, batch]);
      return;
    }
    if (this.lifecycle === "stopped") return;
    const t = this.protocols;
    for (const p of t.admits) if (!p.admits(edge, sender)) return;
    const fresh = this.inputs.channels.accept(edge, sender, batch);
    if (fresh === null) this.host.meter.record(this.id, "batches", 1);
    for (const p of t.accepted) p.accepted(edge, sender, batch, fresh);
    if (fresh === null) return;
    const merge = this.inputs.merge;
    if (merge !== null) merge.push(edge, sender, fresh);
    else if (fresh.length > 0) this.deliverFresh(edge, sender, fresh);
    this.host.meter.record(this.id, "batches", 1);
    this.progress();
    for (const p of t.progressed) p.progressed();
  }

  /** Release what the canonical merge may release, advance the event time and send the output. */
  private progress(): void {
    const w = this.inputs.channels.watermarkMs();
    for (const p of this.protocols.progressing) if (!p.progressing(w)) return;
    this.inputs.release(w, this.deliverRun);
    this.advanceEventTime(w);
    this.flush();
  }

  /** Deliver a lone channel's fresh tuples (a protocol may hold some back). */
  private deliverFresh(edge: number, sender: number, fresh: Batch): void {
    let now: Batch | null = fresh;
    for (const p of this.protocols.delivering) {
      now = p.delivering(edge, sender, now);
      if (now === null) return;
    }
    this.deliver(edge, sender, now);
  }

  /**
   * Hand the operator tuples of one channel (in canonical order when merging). After a
   * hand-over, the leading tuples another instance had processed are delivered in pieces,
   * each followed by a flush that drops the output that instance had sent.
   */
  private deliver(edge: number, sender: number, fresh: Batch): void {
    const rest =
      this.suppression === null ? fresh : this.suppression.deliver(edge, sender, fresh, this.pieces);
    if (rest !== null) this.deliverTuples(edge, sender, rest);
  }

  private deliverTuples(edge: number, sender: number, fresh: Batch): void {
    const port = this.inputs.portOf(edge);
    this.host.meter.record(this.id, "tuples", fresh.length);
    const inputs = this.inputs;
    if (this.operator.syncInputs) {
      if (inputs.alignment.push(edge, sender, port, fresh))
        inputs.alignment.release(this.onAligned, inputs.channels);
      return;
    }
    (this.logic as Operator<V>).onBatch?.(fresh, port, this.ctx);
    inputs.channels.markProcessed(edge, sender, fresh);
    const every = this.host.ackProcessedEvery;
    if (every) this.acks.processed(this.host.transport, edge, sender, every);
    if (this.operator.kind === "sink" && !this.muted()) this.host.sinkOutput?.(this.id, edge, sender, fresh);
  }

  private readonly deliverRun = (edge: number, sender: number, run: Batch): void =>
    this.deliver(edge, sender, run);

  private readonly onAligned = (view: AlignedInputs): void =>
    (this.logic as Operator<V>).onAligned?.(view, this.ctx);

  /** The data path's steps that suppression cuts delivery and event time into pieces between. */
  private readonly pieces: PieceSink = {
    deliver: (edge, sender, tuples) => this.deliverTuples(edge, sender, tuples),
    moveEventTime: (watermarkMs) => this.moveEventTime(watermarkMs),
    flush: (suppressed) => this.flush(suppressed),
  };

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
    // Firings up to a cut's event time were sent by the instance this one took over from.
    const s = this.suppression;
    if (s?.advance(this.ctx.eventTimeMs, watermarkMs, this.pieces)) return;
    this.moveEventTime(watermarkMs);
  }

  private moveEventTime(watermarkMs: number): void {
    if (watermarkMs <= this.ctx.eventTimeMs) return;
    this.ctx.eventTimeMs = watermarkMs;
    if (this.ended) return;
    const op = this.logic as Operator<V>;
    op.onWatermark?.(this.ctx);
    if (watermarkMs === Number.POSITIVE_INFINITY) {
      const alignment = this.inputs.alignment;
      if (this.operator.syncInputs && alignment.waiting)
        alignment.release(this.onAligned, this.inputs.channels);
      op.onEnd?.(this.ctx);
      this.ended = true;
      if (this.lifecycle === "running") this.lifecycle = "finished";
      this.tell({ type: "ended", instance: this.id });
    }
  }

  /** True while a protocol holds every output back (a rebuild, a shadow). */
  private muted(): boolean {
    for (const p of this.protocols.mutes) if (p.mutes()) return true;
    return false;
  }

  /** Send (or, when paused, hold) what the operator emitted since the last flush, but what `suppressed` names. */
  private flush(suppressed: Suppressed | null = null): void {
    if (this.muted()) {
      this.outputs.discard();
      return;
    }
    const cut =
      this.host.stampOutputCuts === true && !this.isSource && this.outputs.pending()
        ? { processed: this.inputs.channels.positions(), watermarkMs: this.ctx.eventTimeMs }
        : null;
    this.outputs.flush(this.ctx.eventTimeMs, this.lifecycle === "paused", cut, suppressed);
  }

  /** Handle a control message; throws ProtocolError when the lifecycle refuses it. */
  handle(message: ControlMessage): void {
    const next = nextState(this.lifecycle, message.type);
    if (next === undefined) throw new ProtocolError(this.id, this.lifecycle, message);
    for (const p of this.protocols.defers) if (p.defers(message)) return;
    this.lifecycle = this.protocols.ownerOf(message.type).handle(message) ?? next;
  }

  /** Start (the lifecycle table allowed it): ask for what is needed, open, take in what arrived before. */
  private start(): void {
    this.lifecycle = "running";
    for (const p of this.protocols.starting) p.starting();
    if (!this.opened) {
      this.opened = true;
      this.logic.open?.(this.ctx);
    }
    if (this.ended) this.lifecycle = "finished";
    const early = this.early;
    this.early = [];
    for (const [edge, sender, batch] of early) this.receive(edge, sender, batch);
    for (const p of this.protocols.started) p.started();
  }

  /**
   * End every output stream and stop; tell the coordinator what was processed. A lingering
   * instance (a live scale out under a recovering strategy) stays finished instead, serving
   * its receivers' replays and acks until the coordinator retires it for good.
   */
  private retire(linger = false): LifecycleState {
    this.flush();
    this.outputs.end();
    this.lifecycle = linger ? "finished" : "stopped";
    const processed = this.inputs.channels.positions();
    this.tell({
      type: "retired",
      instance: this.id,
      processed,
      watermarkMs: this.ctx.eventTimeMs,
      ...(linger ? { lingering: true } : {}),
    });
    return this.lifecycle;
  }

  /**
   * Begin a checkpoint: input positions, routing state, buffer state and the source
   * position are taken now (cheap); the processing state is copied by `checkpointStep`.
   */
  beginCheckpoint(id: number): void {
    this.protocols.checkpointing.begin(id);
  }

  /**
   * Copy at most `maxEntries` entries of the pending checkpoint. Returns the checkpoint
   * once it is complete (and reports `checkpointed` to the coordinator), otherwise null.
   */
  checkpointStep(maxEntries: number = DEFAULT_COPY_CHUNK_ENTRIES): Checkpoint<V> | null {
    return this.protocols.checkpointing.step(maxEntries) as Checkpoint<V> | null;
  }

  /** Take a whole checkpoint at once (begin, then copy everything). */
  checkpoint(id: number): Checkpoint<V> {
    this.beginCheckpoint(id);
    return this.checkpointStep(Number.MAX_SAFE_INTEGER)!;
  }

  /** Take a checkpoint's processing state, source position, event time and end (restore.ts has the rest). */
  private adopt(cp: Checkpoint): void {
    const clone = this.operator.cloneState as ((v: V) => V) | undefined;
    if (this.operator.recordWidth !== undefined) {
      if (cp.processing.recordWidth !== this.operator.recordWidth)
        throw new TypeError(
          `instance ${this.id} keeps records of ${this.operator.recordWidth} numbers; the checkpoint does not`,
        );
      this.ctx.recordState = RecordState.restore(cp.processing, this.operator.cloneState);
    } else this.ctx.state = KeyedState.restore(cp.processing as StateSnapshot<V>, clone);
    this.inputs.clear();
    for (const p of this.protocols.restored) p.restored(cp);
    if (this.isSource) (this.logic as Source<V>).seek(cp.sourcePosition);
    this.ctx.eventTimeMs = cp.watermarkMs;
    this.ended = cp.ended;
    this.suppression = cp.suppression === undefined ? null : new OutputSuppression(cp.suppression);
  }

  /** Send the coordinator a reply. */
  private tell(reply: ControlReply): void {
    this.host.transport.sendControl("coordinator", reply);
  }

  /** What the protocols see of this instance and may ask of it. */
  private controller(): InstanceController {
    return {
      id: this.id,
      operator: this.operator,
      range: this.spec.range,
      lifecycle: () => this.lifecycle,
      eventTimeMs: () => this.ctx.eventTimeMs,
      ended: () => this.ended,
      inputs: this.inputs.channels,
      outputs: this.outputs,
      state: () => this.ctx.recordState ?? (this.ctx.state as KeyedState<unknown>),
      send: (to, message) => this.host.transport.sendControl(to, message),
      record: (kind, units) => this.host.meter.record(this.id, kind, units),
      handle: (message) => this.handle(message),
      flush: () => this.flush(),
      progress: () => this.progress(),
      release: (watermarkMs) => this.inputs.release(watermarkMs, this.deliverRun),
      deliver: (edge, sender, fresh) => this.deliver(edge, sender, fresh),
      advanceEventTime: (watermarkMs) => this.advanceEventTime(watermarkMs),
      heldTimeMs: (edge, sender) => this.inputs.heldTimeMs(edge, sender),
      sourcePosition: () => (this.isSource ? (this.logic as Source<V>).position() : -1),
      operatorHorizonMs: () => (this.logic as Operator<V>).stateHorizonMs?.(this.ctx),
      adopt: (cp) => this.adopt(cp),
      start: () => this.start(),
      suppressOutput: (cuts) => {
        this.suppression = new OutputSuppression(cuts);
      },
      suppression: () => this.suppression?.given,
      holdProcessedAcks: () => this.acks.hold(),
      retire: (linger) => this.retire(linger),
    };
  }
}
