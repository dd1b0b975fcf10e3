// Reusing the buffers of outgoing frames: a frame's buffer comes back once given, only once,
// and only when it is the pool's; small frames are left to Node's own pool.

import { describe, expect, it } from "vitest";
import { FramePool, POOLED_FRAME_BYTES_MIN } from "../../cloud/framePool.js";

const big = POOLED_FRAME_BYTES_MIN + 100;

describe("FramePool", () => {
  it("hands a given-back buffer out again for the next frame that fits", () => {
    const pool = new FramePool();
    const a = pool.take(big);
    expect(a.length).toBe(big);
    pool.give(a);
    const b = pool.take(big - 50);
    expect(b.length).toBe(big - 50);
    expect(b.buffer).toBe(a.buffer);
    expect([pool.made, pool.reused]).toEqual([1, 1]);
  });

  it("makes a new buffer while the last one is still out", () => {
    const pool = new FramePool();
    const a = pool.take(big);
    const b = pool.take(big);
    expect(b.buffer).not.toBe(a.buffer);
    expect(pool.made).toBe(2);
  });

  it("takes a buffer back once however often it is given", () => {
    const pool = new FramePool();
    const a = pool.take(big);
    pool.give(a);
    pool.give(a);
    const b = pool.take(big);
    const c = pool.take(big);
    expect(b.buffer).toBe(a.buffer);
    expect(c.buffer).not.toBe(a.buffer);
  });

  it("ignores buffers it did not make, and leaves small frames to Node's pool", () => {
    const pool = new FramePool();
    pool.give(Buffer.allocUnsafeSlow(big));
    const small = pool.take(100);
    pool.give(small);
    expect(pool.take(big).length).toBe(big);
    expect([pool.made, pool.reused]).toEqual([1, 0]);
  });

  it("drops a free buffer too small for the frame asked for, and keeps at most freeMax free", () => {
    const pool = new FramePool(1);
    const a = pool.take(big);
    const b = pool.take(big);
    pool.give(a);
    pool.give(b); // beyond freeMax: left to the garbage collector
    const c = pool.take(big + 1); // a is too small: a new one
    expect(c.buffer).not.toBe(a.buffer);
    expect(pool.take(big).buffer).not.toBe(b.buffer);
    expect(pool.made).toBe(4);
  });
});
