// The data plane between workers: one long-lived gRPC stream per (edge, sending
// worker, receiving worker), frames carrying batches as byte columns, and credit-based
// flow control. A receiver grants the sender a window of frames and one more frame for
// every frame it has processed (in bulk: CREDIT_BATCH_FRAMES at a time, or at the end of
// the worker's scheduling slice); a sender holds frames it has no credit for, and the
// worker stops running the instances whose streams hold frames (see workerRuntime.ts),
// so a slow receiver slows its senders instead of growing memory without bound.

import { type ClientDuplexStream, type Metadata, type ServerDuplexStream, status } from "@grpc/grpc-js";
import type { FrameDataPlaneClient } from "./frameCodec.js";
import type { FramePool } from "./framePool.js";
import type { Credit, DataFrame } from "./gen/seep/v1/seep.js";

/** Frames a receiver lets a sender have in flight on one stream. */
export const CREDIT_WINDOW_FRAMES = 64;

/**
 * Credits a receiver may owe before it grants them at once; fewer wait for the end of the
 * worker's scheduling slice. Credits so travel in bulk (a credit is a gRPC message for
 * each worker to handle), and a sender of small frames still gets its window back
 * several times a slice.
 */
export const CREDIT_BATCH_FRAMES = CREDIT_WINDOW_FRAMES / 8;

/**
 * Bytes of frames a sender lets be in flight on one stream (sent and not yet processed),
 * beside its credit: the receiver's HTTP/2 stream window (STREAM_WINDOW_BYTES in worker.ts).
 * HTTP/2 would hold any more in the sender's queue anyway, there as grpc-js's copies of the
 * frames, which outlive young-generation collections and bring on full ones; held here,
 * they are frames in reused buffers, and the instances feeding the stream pause sooner.
 * A frame larger than this still goes alone.
 */
export const SEND_WINDOW_BYTES = 8 * 1024 * 1024;

/** The sending end of one data stream. */
export class OutgoingStream {
  private credit = 0;
  private readonly held: Buffer[] = [];
  /** Sizes of the frames sent and not known processed, oldest first, and their sum. */
  private readonly inFlight: number[] = [];
  private inFlightBytes = 0;
  /** Frames known processed (credit beyond the first window), and released from inFlight. */
  private released = 0;
  private readonly call: ClientDuplexStream<Buffer, Credit>;
  /** True once the stream failed (the receiving worker is gone). */
  broken = false;
  /** Frames sent so far. */
  sent = 0;
  /** Frames of credit granted so far. */
  private granted = 0;

  constructor(
    client: FrameDataPlaneClient,
    metadata: Metadata,
    /** Called when credit arrives (held frames may have gone out; senders may run again). */
    private readonly onCredit: () => void,
    /** Called once if the stream breaks. */
    private readonly onBroken: (error: Error) => void,
    /** Where sent frames go back once grpc-js has copied them (its client made with DATA_CHANNEL_OPTIONS). */
    private readonly pool?: FramePool,
  ) {
    this.call = client.stream(metadata);
    this.call.on("data", (c: Credit) => {
      this.credit += c.frames;
      this.granted += c.frames;
      // Credit past the first window is one frame processed each: frames are taken as
      // processed in the order sent (near enough for a bound on bytes in flight).
      const processed = Math.max(0, this.granted - CREDIT_WINDOW_FRAMES);
      while (this.released < processed && this.inFlight.length > 0) {
        this.inFlightBytes -= this.inFlight.shift() as number;
        this.released++;
      }
      this.drain();
      this.onCredit();
    });
    this.call.on("error", (e: Error) => this.fail(e));
    this.call.on("end", () => this.fail(new Error("the receiving worker closed the stream")));
  }

  private fail(error: Error): void {
    if (this.broken) return;
    this.broken = true;
    this.held.length = 0;
    this.onBroken(error);
  }

  private drain(): void {
    const pool = this.pool;
    while (this.credit > 0 && this.held.length > 0) {
      const bytes = this.held[0].length;
      if (this.inFlightBytes > 0 && this.inFlightBytes + bytes > SEND_WINDOW_BYTES) break;
      this.credit--;
      this.sent++;
      this.inFlight.push(bytes);
      this.inFlightBytes += bytes;
      const frame = this.held.shift() as Buffer;
      if (pool === undefined) this.call.write(frame);
      else this.call.write(frame, () => pool.give(frame));
    }
  }

  /** Send a frame (made by encodeFrame) now if there is credit, else hold it. */
  send(frame: Buffer): void {
    if (this.broken) return;
    this.held.push(frame);
    this.drain();
  }

  /**
   * Frames of this stream its receiver has not processed yet: held for credit, or sent
   * and not credited back (the receiver grants the window, then one frame per frame it
   * processed). 0 on a broken stream: nothing more will be processed.
   */
  get pendingFrames(): number {
    if (this.broken) return 0;
    return this.held.length + this.sent - Math.max(0, this.granted - CREDIT_WINDOW_FRAMES);
  }

  /** True while frames wait for credit (or for bytes in flight to drop): the instances feeding this stream should pause. */
  get congested(): boolean {
    return this.held.length > 0;
  }

  /** End the stream. */
  close(): void {
    if (!this.broken) this.call.end();
    this.broken = true;
  }
}

/**
 * The receiving end of one data stream: owes the sender a credit per processed frame, and
 * holds the sender to its credit (a sender past it would grow the receiver's inboxes
 * without bound). A stream refused (a malformed frame, credit overrun) ends with an error
 * status and takes no more frames.
 */
export class IncomingStream {
  private owed = 0;
  private open = true;
  /** Frames granted to the sender so far, and received from it. */
  private granted = CREDIT_WINDOW_FRAMES;
  private received = 0;

  constructor(private readonly call: ServerDuplexStream<DataFrame, Credit>) {
    call.write({ frames: CREDIT_WINDOW_FRAMES });
    call.on("end", () => {
      if (!this.open) return;
      this.open = false;
      call.end();
    });
    call.on("error", () => {
      this.open = false;
    });
  }

  /** True while the stream takes frames. */
  get taking(): boolean {
    return this.open;
  }

  /** A frame arrived: false (and the stream refused) when the sender had no credit for it. */
  admit(): boolean {
    if (!this.open) return false;
    if (++this.received <= this.granted) return true;
    this.refuse(
      status.RESOURCE_EXHAUSTED,
      `the sender sent frame ${this.received} with credit for ${this.granted}`,
    );
    return false;
  }

  /** End the stream with an error status (`details` says why); later frames are ignored. */
  refuse(code: status, details: string): void {
    if (!this.open) return;
    this.open = false;
    this.call.emit("error", { code, details });
  }

  /** A frame of this stream was processed: true once CREDIT_BATCH_FRAMES are owed (flush now). */
  processed(): boolean {
    return ++this.owed >= CREDIT_BATCH_FRAMES;
  }

  /** Grant the credits owed (at the latest at the end of the scheduling slice that processed them). */
  flush(): void {
    if (this.owed === 0 || !this.open) return;
    this.call.write({ frames: this.owed });
    this.granted += this.owed;
    this.owed = 0;
  }
}
