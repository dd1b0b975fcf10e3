// The output side of one edge at one instance: routing state, the edge's timestamp
// counter, a batch builder per receiver and an output buffer per receiver. Emitting
// routes the tuple at once, so a batch is never split after it is built. Every batch
// names its predecessor on the channel (`prevSeq`), so receivers can tell a gap.

import { Batch, BatchBuilder } from "./batch.js";
import type { BufferedChannel, OutputPosition } from "./checkpoint.js";
import { emitColumnsAsRows } from "./operator.js";
import { OutputBuffer } from "./outputBuffer.js";
import type { OutputCut } from "./outputCut.js";
import { ALL_RECEIVERS, Router, type RoutingState } from "./router.js";
import type { Transport } from "./runtime.js";

/**
 * The predecessor a resync batch carries: -(seq + 1), never a real timestamp. A receiver
 * rebuilding the channel starts after `seq`; any other receiver reads it as `seq`.
 */
export function resyncPrevSeq(seq: number): number {
  return -seq - 1;
}

/** One output edge of one instance. */
export class OutputEdge {
  private router: Router;
  private seq: number;
  private builders: BatchBuilder[];
  private readonly all: BatchBuilder;
  private readonly buffers = new Map<number, OutputBuffer>();
  /** Per receiver: timestamp of the last tuple put on the channel (sent or held). */
  private readonly lastSeqTo = new Map<number, number>();
  /** Per receiver: timestamp of the last tuple actually sent, and the last watermark sent. */
  private readonly sentSeq = new Map<number, number>();
  private readonly sentWatermark = new Map<number, number>();
  /**
   * Live scale out: the receiver whose channel is copied, split by key, to the instances
   * taking over its keys (`router`'s receivers); null when nothing is shadowed.
   */
  private shadowing: { readonly of: number; readonly router: Router } | null = null;
  /** Receivers fed as shadows: on the re-route that ends shadowing, their channels go on from there. */
  private readonly shadowed = new Set<number>();
  /** Tuples copied to shadows since `takeCopied` was last called. */
  private copied = 0;

  constructor(
    readonly edge: number,
    readonly port: number,
    private readonly sender: number,
    readonly fieldCount: number,
    position: OutputPosition,
    buffered: readonly BufferedChannel[] = [],
    /** Keep sent batches until acked (false: keep only what is held back, nothing is replayable). */
    private readonly keepSent = true,
  ) {
    this.router = new Router(position.routing);
    this.seq = position.seq;
    this.builders = this.router.receivers.map(() => new BatchBuilder(fieldCount));
    this.all = new BatchBuilder(fieldCount);
    for (const [receiver, seq] of position.sentTo) {
      this.lastSeqTo.set(receiver, seq);
      // Restored output counts as sent: receivers ask for what they miss by `replay`.
      this.sentSeq.set(receiver, seq);
    }
    for (const b of buffered) if (b.edge === edge) this.buffers.set(b.receiver, new OutputBuffer(b.batches));
  }

  /** Route and stamp one tuple. */
  push(key: number, eventTimeMs: number, value: unknown, row: ArrayLike<number> | undefined): void {
    const seq = ++this.seq;
    const slot = this.router.slotOf(key);
    const builder = slot === ALL_RECEIVERS ? this.all : this.builders[slot];
    builder.push(key, eventTimeMs, seq, value, row);
  }

  /** Route and stamp `length` tuples given as columns (Emitter.emitColumns), as push would one by one. */
  pushColumns(
    length: number,
    keys: Float64Array,
    eventTimesMs: Float64Array,
    fields: readonly Float64Array[],
  ): void {
    const sole = this.router.soleSlot();
    if (sole !== null) {
      // Every tuple to one builder: appended column by column.
      const builder = sole === ALL_RECEIVERS ? this.all : this.builders[sole];
      builder.pushColumns(length, keys, eventTimesMs, this.seq + 1, fields);
      this.seq += length;
      return;
    }
    const byRow = {
      emitRow: (key: number, t: number, row: ArrayLike<number>) => this.push(key, t, undefined, row),
    };
    emitColumnsAsRows(byRow, length, keys, eventTimesMs, fields);
  }

  private bufferOf(receiver: number): OutputBuffer {
    let b = this.buffers.get(receiver);
    if (b === undefined) {
      b = new OutputBuffer();
      this.buffers.set(receiver, b);
    }
    return b;
  }

  /** Put a built batch on the channel to `receiver`: buffer it and, unless held, send it. */
  private put(transport: Transport, receiver: number, batch: Batch, hold: boolean): void {
    const linked = batch.with(batch.watermarkMs, this.lastSeqTo.get(receiver) ?? 0);
    this.lastSeqTo.set(receiver, linked.lastSeq);
    if (hold || this.keepSent) this.bufferOf(receiver).append(linked);
    if (!hold) this.transmit(transport, receiver, linked);
    if (!hold && this.shadowing?.of === receiver) this.copyToShadows(transport, linked);
  }

  /**
   * Live scale out: from now on send the instances taking over `of`'s keys (`to`, by
   * `routing`) copies of what goes to `of`, beginning with what it was sent after
   * `afterSeq` (their restored position). Returns the last tuple and watermark sent to `of` so far.
   */
  shadow(
    transport: Transport,
    of: number,
    to: readonly number[],
    routing: RoutingState,
    afterSeq: number,
  ): { seq: number; watermarkMs: number } {
    const router = new Router(routing);
    this.shadowing = { of, router };
    for (const r of to) {
      this.shadowed.add(r);
      this.lastSeqTo.set(r, afterSeq);
      this.sentSeq.set(r, afterSeq);
    }
    const sent = this.sentSeq.get(of) ?? 0;
    const watermark = this.sentWatermark.get(of) ?? Number.NEGATIVE_INFINITY;
    for (const b of this.buffers.get(of)?.replayFrom(afterSeq) ?? []) {
      if (b.length === 0 || b.firstSeq > sent) break;
      let n = 0;
      while (n < b.length && b.seqs[n] <= sent) n++;
      this.copyToShadows(transport, n === b.length ? b : b.slice(0, n));
    }
    for (const r of to) this.sendWatermark(transport, r, watermark);
    return { seq: sent, watermarkMs: watermark };
  }

  /** Tuples copied to shadows since the last call (their cost is the sender's). */
  takeCopied(): number {
    const n = this.copied;
    this.copied = 0;
    return n;
  }

  /** Split `batch` (sent to the shadowed receiver) by key over the shadows, and send each its part. */
  private copyToShadows(transport: Transport, batch: Batch): void {
    const { router } = this.shadowing!;
    const parts = new Map<number, BatchBuilder>();
    for (let i = 0; i < batch.length; i++) {
      const slot = router.slotOf(batch.keys[i]);
      const targets = slot === ALL_RECEIVERS ? router.receivers : [router.receivers[slot]];
      for (const r of targets) {
        if (!this.shadowed.has(r)) continue;
        let b = parts.get(r);
        if (b === undefined) {
          b = new BatchBuilder(this.fieldCount);
          parts.set(r, b);
        }
        b.pushFrom(batch, i, batch.seqs[i]);
        this.copied++;
      }
    }
    for (const r of this.shadowed) {
      const b = parts.get(r);
      if (b !== undefined && b.length > 0) this.put(transport, r, b.build(batch.watermarkMs), false);
      else if ((this.sentWatermark.get(r) ?? Number.NEGATIVE_INFINITY) < batch.watermarkMs)
        this.sendWatermark(transport, r, batch.watermarkMs);
    }
  }

  private transmit(transport: Transport, receiver: number, batch: Batch): void {
    if (batch.length > 0) this.sentSeq.set(receiver, batch.lastSeq);
    this.sentWatermark.set(receiver, batch.watermarkMs);
    transport.sendBatch(this.sender, receiver, this.edge, batch);
  }

  private sendWatermark(transport: Transport, receiver: number, watermarkMs: number): void {
    const prev = this.lastSeqTo.get(receiver) ?? 0;
    this.transmit(transport, receiver, Batch.watermark(watermarkMs, this.fieldCount, prev));
    if (this.shadowing?.of === receiver) {
      for (const r of this.shadowed) this.sendWatermark(transport, r, watermarkMs);
    }
  }

  /**
   * Build the pending batches, buffer them and, unless `hold`, send them; receivers
   * without tuples get a watermark-only batch when the watermark moved. Batches with tuples
   * carry `cut` when given. What is pending for a receiver `suppressed` names is dropped
   * instead (output another instance already sent it). Returns the number of tuples flushed.
   */
  flush(
    transport: Transport,
    watermarkMs: number,
    hold: boolean,
    cut: OutputCut | null = null,
    suppressed: ((receiver: number) => boolean) | null = null,
  ): number {
    let n = 0;
    const receivers = this.router.receivers;
    if (this.all.length > 0) {
      const built = this.all.build(watermarkMs);
      const batch = cut === null ? built : built.withCut(cut);
      let sent = false;
      for (const r of receivers) {
        if (suppressed?.(r) === true) continue;
        sent = true;
        this.put(transport, r, batch, hold);
      }
      if (sent) n += batch.length;
    }
    // A batch neither kept nor copied to shadows is only sent: to a transport that copies
    // it out, it may view the builder's columns (valid until the builder is next appended to).
    const transient = transport.copiesBatches === true && !hold && !this.keepSent && this.shadowing === null;
    for (let slot = 0; slot < receivers.length; slot++) {
      const r = receivers[slot];
      const builder = this.builders[slot];
      if (suppressed?.(r) === true) {
        builder.clear();
      } else if (builder.length > 0) {
        n += builder.length;
        const built = transient ? builder.view(watermarkMs) : builder.build(watermarkMs);
        this.put(transport, r, cut === null ? built : built.withCut(cut), hold);
      } else if (!hold && (this.sentWatermark.get(r) ?? Number.NEGATIVE_INFINITY) < watermarkMs) {
        this.sendWatermark(transport, r, watermarkMs);
      }
    }
    return n;
  }

  /** Send every buffered tuple not yet sent (after a hold). Returns the tuples sent. */
  release(transport: Transport, watermarkMs: number): number {
    let n = 0;
    for (const [r, buffer] of this.buffers) {
      for (const b of buffer.replayFrom(this.sentSeq.get(r) ?? 0)) {
        this.transmit(transport, r, b.with(Math.min(b.watermarkMs, watermarkMs), b.prevSeq));
        n += b.length;
      }
      if (!this.keepSent) buffer.trim(this.sentSeq.get(r) ?? 0);
    }
    for (const r of this.router.receivers) this.sendWatermark(transport, r, watermarkMs);
    return n;
  }

  /**
   * Trim the buffer of `receiver` up to `seq` (only its leading tuples with event times
   * before `beforeTimeMs`, when given). Returns the tuples dropped.
   */
  ack(receiver: number, seq: number, beforeTimeMs?: number): number {
    return this.buffers.get(receiver)?.trim(seq, beforeTimeMs) ?? 0;
  }

  /**
   * True when no receiver can need again what this edge had put on its channels at
   * `position`: every channel's buffer is trimmed past it (upstream backup commits a mark
   * only then, since a rebuilt instance regenerates output only after its mark).
   */
  trimmedPast(position: OutputPosition): boolean {
    for (const [receiver, seq] of position.sentTo) {
      const first = this.buffers.get(receiver)?.firstSeq ?? Number.NaN;
      if (!Number.isNaN(first) && first <= seq) return false;
    }
    return true;
  }

  /**
   * Re-send to `receiver` everything still buffered for it. The first batch (a
   * watermark-only one when nothing is kept) names its predecessor as a resync point
   * (`resyncPrevSeq`), so a rebuilding receiver takes the channel from there.
   */
  replayKept(transport: Transport, receiver: number, watermarkMs: number): number {
    const kept = this.buffers.get(receiver)?.replayFrom(Number.NEGATIVE_INFINITY) ?? [];
    let n = 0;
    if (kept.length === 0) {
      const last = this.lastSeqTo.get(receiver) ?? 0;
      this.transmit(transport, receiver, Batch.watermark(watermarkMs, this.fieldCount, resyncPrevSeq(last)));
      return 0;
    }
    for (let i = 0; i < kept.length; i++) {
      const b = kept[i];
      this.transmit(transport, receiver, i === 0 ? b.with(b.watermarkMs, resyncPrevSeq(b.prevSeq)) : b);
      n += b.length;
    }
    this.sendWatermark(transport, receiver, watermarkMs);
    return n;
  }

  /** Drop what the operator emitted since the last flush (a rebuilding instance's output). */
  discard(): void {
    this.all.clear();
    for (const b of this.builders) b.clear();
  }

  /** Re-send to `receiver` its buffered tuples after `afterSeq`, then the watermark. */
  replay(transport: Transport, receiver: number, afterSeq: number, watermarkMs: number): number {
    let n = 0;
    let prev = afterSeq;
    for (const b of this.buffers.get(receiver)?.replayFrom(afterSeq) ?? []) {
      // The receiver asked from `afterSeq`: the first batch links to it, unless the
      // buffer was trimmed past it, when the batch keeps its true predecessor and the
      // receiver sees the gap instead of silently skipping tuples.
      this.transmit(transport, receiver, b.with(b.watermarkMs, Math.max(prev, b.prevSeq)));
      prev = b.lastSeq;
      n += b.length;
    }
    this.sendWatermark(transport, receiver, watermarkMs);
    return n;
  }

  /**
   * Replace the routing state (pending tuples must have been flushed). With `resumeFrom`
   * (a scale out: [receiver, seq] for the receiver being split and the new ones), every
   * buffered tuple of a listed receiver after its position goes to the listed receiver
   * that owns its key now, keeping its timestamp; each listed receiver counts as having
   * been sent up to its position, so `release` sends it everything after.
   */
  reroute(routing: RoutingState, resumeFrom?: readonly (readonly [number, number])[]): void {
    if (this.pendingTuples > 0) {
      throw new Error(`edge ${this.edge}: flush before rerouting`);
    }
    this.router = new Router(routing);
    this.builders = this.router.receivers.map(() => new BatchBuilder(this.fieldCount));
    this.shadowing = null;
    if (resumeFrom !== undefined) this.resplit(new Map(resumeFrom));
    // A shadow the new routing does not name (a live scale out given up) is forgotten.
    for (const r of this.shadowed) if (!this.router.receivers.includes(r)) this.forget(r);
    this.shadowed.clear();
  }

  /** Forget the channel to `receiver`: its buffer and positions. */
  private forget(receiver: number): void {
    this.buffers.delete(receiver);
    this.lastSeqTo.delete(receiver);
    this.sentSeq.delete(receiver);
    this.sentWatermark.delete(receiver);
  }

  /**
   * Move the tuples each listed receiver holds after its position to the receivers that own
   * their keys now; what it holds up to its position is dropped (the checkpoint of the scale
   * out or in reflects it). The receivers of the new routing start after the lowest listed
   * position; a listed receiver that is not in it (merged away) is forgotten.
   */
  private resplit(from: ReadonlyMap<number, number>): void {
    const moving: { batch: Batch; i: number }[] = [];
    for (const [receiver, seq] of from) {
      const buffer = this.buffers.get(receiver);
      if (buffer === undefined) continue;
      for (const b of buffer.replayFrom(seq)) for (let i = 0; i < b.length; i++) moving.push({ batch: b, i });
      this.buffers.delete(receiver);
    }
    moving.sort((x, y) => x.batch.seqs[x.i] - y.batch.seqs[y.i]);
    const start = Math.min(...from.values());
    const targets = new Set(this.router.receivers.filter((r) => from.has(r)));
    const builders = new Map<number, BatchBuilder>();
    const watermarks = new Map<number, number>();
    for (const { batch, i } of moving) {
      const slot = this.router.slotOf(batch.keys[i]);
      const receivers = slot === ALL_RECEIVERS ? this.router.receivers : [this.router.receivers[slot]];
      for (const r of receivers) {
        if (!targets.has(r))
          throw new Error(`edge ${this.edge}: a re-routed tuple goes to ${r}, which is not resumed`);
        let b = builders.get(r);
        if (b === undefined) {
          b = new BatchBuilder(this.fieldCount);
          builders.set(r, b);
        }
        b.pushFrom(batch, i, batch.seqs[i]);
        watermarks.set(r, batch.watermarkMs);
      }
    }
    for (const r of from.keys()) {
      if (targets.has(r)) continue;
      this.lastSeqTo.delete(r);
      this.sentSeq.delete(r);
      this.sentWatermark.delete(r);
    }
    for (const receiver of targets) {
      // A shadow's channel goes on from what it was sent as a shadow; what it keeps of that
      // (from its own listed position: a recovering strategy's rewind base) stays buffered.
      const shadowSent = this.shadowed.has(receiver) ? this.sentSeq.get(receiver) : undefined;
      const prev = shadowSent === undefined ? start : Math.min(shadowSent, from.get(receiver) ?? shadowSent);
      let last = shadowSent ?? start;
      const b = builders.get(receiver);
      if (b !== undefined && b.length > 0) {
        const rebuilt = b.build(watermarks.get(receiver)!, prev);
        this.bufferOf(receiver).append(rebuilt);
        last = rebuilt.lastSeq;
      }
      this.lastSeqTo.set(receiver, last);
      this.sentSeq.set(receiver, shadowSent ?? start);
    }
  }

  /** Send every receiver the end of this edge's stream (a retiring instance: scale in). */
  end(transport: Transport): void {
    for (const r of this.router.receivers) this.sendWatermark(transport, r, Number.POSITIVE_INFINITY);
  }

  /** Per receiver (and shadow), the timestamp of the last tuple transmitted (not held) on its channel. */
  transmitted(): [number, number][] {
    const out: [number, number][] = this.router.receivers.map((r) => [r, this.sentSeq.get(r) ?? 0]);
    for (const r of this.shadowed) out.push([r, this.sentSeq.get(r) ?? 0]);
    return out;
  }

  /** The instances this edge sends to. */
  get receivers(): readonly number[] {
    return this.router.receivers;
  }

  /** Tuples emitted since the last flush. */
  get pendingTuples(): number {
    let n = this.all.length;
    for (const b of this.builders) n += b.length;
    return n;
  }

  /** Tuples held in the buffers. */
  get bufferedTuples(): number {
    let n = 0;
    for (const b of this.buffers.values()) n += b.length;
    return n;
  }

  /** Routing state and timestamps, as a checkpoint keeps them. */
  position(): OutputPosition {
    return {
      edge: this.edge,
      routing: this.router.snapshot(),
      seq: this.seq,
      sentTo: [...this.lastSeqTo].sort((a, b) => a[0] - b[0]),
    };
  }

  /** Buffer state, as a checkpoint keeps it (arrays of immutable batches). */
  buffered(): BufferedChannel[] {
    const out: BufferedChannel[] = [];
    for (const [receiver, b] of [...this.buffers].sort((x, y) => x[0] - y[0])) {
      const batches = b.snapshot();
      if (batches.length > 0) out.push({ edge: this.edge, receiver, batches });
    }
    return out;
  }
}
