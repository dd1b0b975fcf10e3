// The output side of one edge at one instance: routing state, the edge's timestamp
// counter, a batch builder per receiver and an output buffer per receiver. Emitting
// routes the tuple at once, so a batch is never split after it is built.

import { Batch, BatchBuilder } from "./batch.js";
import type { BufferedChannel, OutputPosition } from "./checkpoint.js";
import { OutputBuffer } from "./outputBuffer.js";
import { ALL_RECEIVERS, Router, type RoutingState } from "./router.js";
import type { Transport } from "./runtime.js";

/** One output edge of one instance. */
export class OutputEdge {
  private router: Router;
  private seq: number;
  private builders: BatchBuilder[];
  private readonly all: BatchBuilder;
  private readonly buffers = new Map<number, OutputBuffer>();
  /** Per receiver: timestamp of the last tuple actually sent, and the last watermark sent. */
  private readonly sentSeq = new Map<number, number>();
  private readonly sentWatermark = new Map<number, number>();

  constructor(
    readonly edge: number,
    readonly port: number,
    private readonly sender: number,
    readonly fieldCount: number,
    position: OutputPosition,
    buffered: readonly BufferedChannel[] = [],
  ) {
    this.router = new Router(position.routing);
    this.seq = position.seq;
    this.builders = this.router.receivers.map(() => new BatchBuilder(fieldCount));
    this.all = new BatchBuilder(fieldCount);
    for (const b of buffered) {
      if (b.edge !== edge) continue;
      const buffer = new OutputBuffer(b.batches);
      this.buffers.set(b.receiver, buffer);
      // Restored buffers count as sent: receivers ask for what they miss by `replay`.
      this.sentSeq.set(b.receiver, Number.isNaN(buffer.lastSeq) ? 0 : buffer.lastSeq);
    }
  }

  /** Route and stamp one tuple. */
  push(key: number, eventTimeMs: number, value: unknown, row: ArrayLike<number> | undefined): void {
    const seq = ++this.seq;
    const slot = this.router.slotOf(key);
    const builder = slot === ALL_RECEIVERS ? this.all : this.builders[slot];
    builder.push(key, eventTimeMs, seq, value, row);
  }

  private bufferOf(receiver: number): OutputBuffer {
    let b = this.buffers.get(receiver);
    if (b === undefined) {
      b = new OutputBuffer();
      this.buffers.set(receiver, b);
    }
    return b;
  }

  /**
   * Build the pending batches, buffer them and, unless `hold`, send them; receivers
   * without tuples get a watermark-only batch when the watermark moved. Returns the
   * number of tuples flushed.
   */
  flush(transport: Transport, watermarkMs: number, hold: boolean): number {
    let n = 0;
    const receivers = this.router.receivers;
    if (this.all.length > 0) {
      n += this.all.length;
      const batch = this.all.build(watermarkMs);
      for (const r of receivers) {
        this.bufferOf(r).append(batch);
        if (!hold) this.transmit(transport, r, batch);
      }
    }
    for (let slot = 0; slot < receivers.length; slot++) {
      const r = receivers[slot];
      const builder = this.builders[slot];
      if (builder.length > 0) {
        n += builder.length;
        const batch = builder.build(watermarkMs);
        this.bufferOf(r).append(batch);
        if (!hold) this.transmit(transport, r, batch);
      } else if (!hold && (this.sentWatermark.get(r) ?? Number.NEGATIVE_INFINITY) < watermarkMs) {
        this.sentWatermark.set(r, watermarkMs);
        transport.sendBatch(this.sender, r, this.edge, Batch.watermark(watermarkMs, this.fieldCount));
      }
    }
    return n;
  }

  /** Send an already buffered batch. */
  private transmit(transport: Transport, receiver: number, batch: Batch): void {
    this.sentSeq.set(receiver, batch.lastSeq);
    this.sentWatermark.set(receiver, batch.watermarkMs);
    transport.sendBatch(this.sender, receiver, this.edge, batch);
  }

  /** Send every buffered tuple not yet sent (after a hold). Returns the tuples sent. */
  release(transport: Transport, watermarkMs: number): number {
    let n = 0;
    for (const [r, buffer] of this.buffers) {
      for (const b of buffer.replayFrom(this.sentSeq.get(r) ?? 0)) {
        this.transmit(transport, r, b.withWatermark(Math.min(b.watermarkMs, watermarkMs)));
        n += b.length;
      }
    }
    return n;
  }

  /** Trim the buffer of `receiver` up to `seq`. Returns the tuples dropped. */
  ack(receiver: number, seq: number): number {
    return this.buffers.get(receiver)?.trim(seq) ?? 0;
  }

  /** Re-send to `receiver` its buffered tuples after `afterSeq`, then the watermark. */
  replay(transport: Transport, receiver: number, afterSeq: number, watermarkMs: number): number {
    let n = 0;
    for (const b of this.buffers.get(receiver)?.replayFrom(afterSeq) ?? []) {
      this.transmit(transport, receiver, b);
      n += b.length;
    }
    transport.sendBatch(this.sender, receiver, this.edge, Batch.watermark(watermarkMs, this.fieldCount));
    this.sentWatermark.set(receiver, watermarkMs);
    return n;
  }

  /** Replace the routing state (pending tuples must have been flushed). */
  reroute(routing: RoutingState): void {
    if (this.builders.some((b) => b.length > 0) || this.all.length > 0) {
      throw new Error(`edge ${this.edge}: flush before rerouting`);
    }
    this.router = new Router(routing);
    this.builders = this.router.receivers.map(() => new BatchBuilder(this.fieldCount));
  }

  /** Tuples held in the buffers. */
  get bufferedTuples(): number {
    let n = 0;
    for (const b of this.buffers.values()) n += b.length;
    return n;
  }

  /** Routing state and timestamp counter, as a checkpoint keeps them. */
  position(): OutputPosition {
    return { edge: this.edge, routing: this.router.snapshot(), seq: this.seq };
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
