// The buffers a worker encodes its outgoing data frames into, used again once grpc-js is
// done with them. A frame of a few thousand tuples is a few hundred KiB: allocated afresh,
// each one costs page faults on its first touch and, as memory outside the JavaScript
// heap, brings V8's next full garbage collection nearer (it runs one per some tens of MiB
// of such memory); at thousands of frames a second both were a large share of a sending
// worker's time. grpc-js copies a frame into a buffer of its own before the write's
// callback (with retry buffering off: DATA_CHANNEL_OPTIONS), so from then on the frame's
// buffer is free. Small frames come from Node's own pool and are not kept.

/** Frames smaller than this are not pooled (Node's Buffer pool serves them cheaply). */
export const POOLED_FRAME_BYTES_MIN = 64 * 1024;

/**
 * The channel options of a data-plane client whose writes a FramePool may reuse: no retry
 * buffering, so a write's callback means grpc-js has copied the frame out (with it, a
 * small message's callback comes before it is sent). A data stream is never retried: a
 * broken one is a lost peer.
 */
export const DATA_CHANNEL_OPTIONS = {
  "grpc.enable_retries": 0,
  "grpc.per_rpc_retry_buffer_size": 0,
} as const;

/** Reusable buffers for outgoing frames: `take` one to encode into, `give` it back once sent. */
export class FramePool {
  private readonly free: Buffer[] = [];
  /** The memory of this pool's buffers taken and not given back: only those come back (once). */
  private readonly out = new WeakSet<ArrayBufferLike>();
  /** Buffers made, and taken again from the pool (for tests and figures). */
  made = 0;
  reused = 0;

  constructor(
    /** The most buffers kept free at once (the rest are left to the garbage collector). */
    readonly freeMax = 16,
  ) {}

  /** A buffer of `bytes` bytes to encode a frame into (its contents are arbitrary). */
  take(bytes: number): Buffer {
    if (bytes < POOLED_FRAME_BYTES_MIN) return Buffer.allocUnsafe(bytes);
    const b = this.free.pop();
    if (b !== undefined && b.length >= bytes) {
      this.reused++;
      this.out.add(b.buffer);
      return b.subarray(0, bytes);
    }
    // None free, or one too small for this frame (it is dropped): a new one, of this size.
    const fresh = Buffer.allocUnsafeSlow(bytes);
    this.out.add(fresh.buffer);
    this.made++;
    return fresh;
  }

  /**
   * A frame from `take` is no longer used by anyone: its buffer may be taken again. Any
   * other buffer, or one given back already, is ignored.
   */
  give(frame: Buffer): void {
    if (!this.out.delete(frame.buffer) || this.free.length >= this.freeMax) return;
    this.free.push(Buffer.from(frame.buffer, 0, frame.buffer.byteLength));
  }
}
