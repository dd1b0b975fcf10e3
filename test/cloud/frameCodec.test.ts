import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeFrame, encodeFrame } from "../../cloud/frameCodec.js";
import { FramePool, POOLED_FRAME_BYTES_MIN } from "../../cloud/framePool.js";
import { DataFrame } from "../../cloud/gen/seep/v1/seep.js";
import { type Batch, BatchBuilder, decodeBatch, encodeBatch } from "../../engine/index.js";

/** A batch of `n` tuples with `fields` numeric fields. */
function batchOf(n: number, fields = 6): Batch {
  const b = new BatchBuilder(fields, n);
  const row = Array.from({ length: fields }, (_, c) => c + 0.5);
  for (let i = 0; i < n; i++) b.push(i % 97, i, i + 1, undefined, row);
  return b.build(5, 0);
}

/** `frame` as grpc-js hands a received message over: at byte 5 of a fresh buffer. */
function received(frame: Buffer): Buffer {
  const framed = Buffer.allocUnsafeSlow(frame.length + 5);
  frame.copy(framed, 5);
  return framed.subarray(5);
}

describe("encodeFrame", () => {
  it("writes the same protobuf a generated DataFrame decodes, the batch intact", () => {
    fc.assert(
      fc.property(
        fc.nat(2 ** 32 - 1),
        fc.nat(2 ** 32 - 1),
        fc.nat(2 ** 32 - 1),
        fc.array(fc.tuple(fc.integer(), fc.double({ noNaN: true })), { maxLength: 50 }),
        fc.boolean(),
        (edge, sender, receiver, rows, withValues) => {
          const b = new BatchBuilder(1);
          rows.forEach(([k, x], i) => {
            b.push(k, i, i + 1, withValues ? `v${i}` : undefined, [x]);
          });
          const batch = b.build(17, 3);
          const frame = DataFrame.decode(encodeFrame(edge, sender, receiver, batch));
          expect([frame.edge, frame.sender, frame.receiver]).toEqual([edge, sender, receiver]);
          expect(Buffer.from(frame.batch).equals(Buffer.from(encodeBatch(batch)))).toBe(true);
          const back = decodeBatch(frame.batch);
          expect([...back.keys]).toEqual([...batch.keys]);
          expect(back.values).toEqual(batch.values);
        },
      ),
    );
  });
});

describe("decodeFrame", () => {
  it("reads what encodeFrame writes, and what the generated DataFrame code writes", () => {
    fc.assert(
      fc.property(
        fc.nat(2 ** 32 - 1),
        fc.nat(2 ** 32 - 1),
        fc.nat(2 ** 32 - 1),
        fc.nat(300),
        (edge, sender, receiver, n) => {
          const batch = encodeBatch(batchOf(n, 2));
          for (const bytes of [
            encodeFrame(edge, sender, receiver, decodeBatch(batch)),
            Buffer.from(DataFrame.encode({ edge, sender, receiver, batch: Buffer.from(batch) }).finish()),
          ]) {
            const f = decodeFrame(bytes);
            expect([f.edge, f.sender, f.receiver]).toEqual([edge, sender, receiver]);
            expect(Buffer.from(f.batch).equals(Buffer.from(batch))).toBe(true);
          }
        },
      ),
    );
  });

  it("gives the batch as a view of the received bytes, 8-byte aligned where grpc-js puts a message", () => {
    for (const [edge, sender, receiver, n] of [
      [0, 0, 1, 4096],
      [3, 200, 70_000, 1],
      [2 ** 32 - 1, 2 ** 20, 5, 0],
    ]) {
      const msg = received(encodeFrame(edge, sender, receiver, batchOf(n)));
      const f = decodeFrame(msg);
      expect(f.batch.buffer).toBe(msg.buffer);
      expect(f.batch.byteOffset % 8).toBe(0);
      // Aligned: the batch's columns are views of the received bytes too, not copies.
      const back = decodeBatch(f.batch);
      if (n > 0) expect(back.keys.buffer).toBe(msg.buffer);
      expect(back.length).toBe(n);
    }
  });

  it("throws on bytes that are not a whole DataFrame", () => {
    const frame = encodeFrame(1, 2, 3, batchOf(10));
    expect(() => decodeFrame(frame.subarray(0, frame.length - 1))).toThrow();
    expect(() => decodeFrame(Buffer.from([0x22, 0x05, 0x01]))).toThrow();
  });
});

describe("encodeFrame with a FramePool", () => {
  it("encodes a large frame into a pool's buffer, the same bytes as without one", () => {
    const pool = new FramePool();
    const batch = batchOf(4096);
    const pooled = encodeFrame(0, 1, 2, batch, pool);
    expect(pooled.length).toBeGreaterThan(POOLED_FRAME_BYTES_MIN);
    expect(pooled.equals(encodeFrame(0, 1, 2, batch))).toBe(true);
    pool.give(pooled);
    expect(encodeFrame(0, 1, 2, batch, pool).buffer).toBe(pooled.buffer);
  });
});
