// A worker's checkpoint shelf: it keeps the latest two checkpoints of each instance (and its
// latest scale out's apart), drops the oldest as new ones come, holds one being fetched past the bound until its fetch ends,
// cuts a part as engine partitionEncoded does, and a checkpointed reply leaves its bytes on
// it (a small checkpoint goes inline), with a reference carrying what the coordinator reads.

import { describe, expect, it } from "vitest";
import {
  CHECKPOINT_INLINE_ENV,
  CheckpointShelf,
  checkpointInlineBytes,
  DEFAULT_CHECKPOINT_INLINE_BYTES,
  shelveCheckpointed,
} from "../../cloud/checkpointShelf.js";
import { toReplyMessage } from "../../cloud/controlWire.js";
import { KeyGroupRange, partitionEncoded } from "../../engine/index.js";
import { countCheckpointBytes } from "./checkpointFixtures.js";

const bytesOf = (n: number) => new Uint8Array([n, n, n]);

describe("CheckpointShelf", () => {
  it("keeps the latest two checkpoints of each instance, dropping the oldest", () => {
    const shelf = new CheckpointShelf();
    for (const id of [1, 2, 3]) shelf.put(7, id, bytesOf(id));
    shelf.put(8, 1, bytesOf(9));
    expect(shelf.has(7, 1)).toBe(false);
    expect(shelf.has(7, 2)).toBe(true);
    expect(shelf.has(7, 3)).toBe(true);
    expect(shelf.has(8, 1)).toBe(true);
    expect(shelf.hold(7, 1)).toBeNull();
    expect(shelf.held).toEqual({ checkpoints: 3, bytes: 9 });
  });

  it("keeps an instance's latest reconfiguration checkpoint whatever periodic ones follow it", () => {
    const shelf = new CheckpointShelf();
    shelf.put(7, -1, bytesOf(1));
    for (const id of [4, 5, 6]) shelf.put(7, id, bytesOf(id));
    expect(shelf.has(7, -1)).toBe(true);
    expect(shelf.has(7, 4)).toBe(false);
    shelf.put(7, -2, bytesOf(2));
    expect(shelf.has(7, -1)).toBe(false);
    expect(shelf.has(7, -2) && shelf.has(7, 5) && shelf.has(7, 6)).toBe(true);
  });

  it("keeps one being fetched past the bound until its fetch ends, then drops it", () => {
    const shelf = new CheckpointShelf();
    shelf.put(7, 1, bytesOf(1));
    const held = shelf.hold(7, 1)!;
    shelf.put(7, 2, bytesOf(2));
    shelf.put(7, 3, bytesOf(3));
    // Past the bound: no new fetch finds it, the one under way still has its bytes.
    expect(shelf.has(7, 1)).toBe(false);
    expect(shelf.hold(7, 1)).toBeNull();
    expect([...held.bytes]).toEqual([1, 1, 1]);
    expect(shelf.held.checkpoints).toBe(3);
    held.release();
    held.release(); // twice is once
    expect(shelf.held.checkpoints).toBe(2);
    expect(shelf.has(7, 2) && shelf.has(7, 3)).toBe(true);
  });

  it("takes a checkpoint put again under its id in place of the one it had", () => {
    const shelf = new CheckpointShelf(1);
    shelf.put(7, 1, bytesOf(1));
    shelf.put(7, 1, bytesOf(2));
    expect([...shelf.hold(7, 1)!.bytes]).toEqual([2, 2, 2]);
    expect(shelf.held.checkpoints).toBe(1);
    expect(() => new CheckpointShelf(0)).toThrow(/at least 1/);
  });

  it("cuts a part as engine partitionEncoded does, once for every part", () => {
    const { bytes, range } = countCheckpointBytes(2_000);
    const shelf = new CheckpointShelf();
    shelf.put(3, -1, bytes);
    const mid = range.first + 5;
    const ranges = [KeyGroupRange.of(range.first, mid), KeyGroupRange.of(mid + 1, range.last)];
    const expected = partitionEncoded(bytes, ranges);
    const a = shelf.hold(3, -1, ranges, 0)!;
    const b = shelf.hold(3, -1, ranges, 1)!;
    expect(Buffer.from(a.bytes).equals(Buffer.from(expected[0]))).toBe(true);
    expect(Buffer.from(b.bytes).equals(Buffer.from(expected[1]))).toBe(true);
    // Cut once: a second hold of a part is the same bytes.
    expect(shelf.hold(3, -1, ranges, 1)!.bytes).toBe(b.bytes);
    expect(() => shelf.hold(3, -1, ranges, 2)).toThrow(/part 2 of 2/);
    expect(() => shelf.hold(3, -1, [KeyGroupRange.of(range.first, mid)], 0)).toThrow(/tile/);
  });
});

describe("a checkpointed reply on the shelf", () => {
  const { cp, codec } = countCheckpointBytes(2_000);
  const msg = toReplyMessage({ type: "checkpointed", instance: cp.instance, checkpoint: cp }, codec);

  it("leaves its bytes on the shelf and names them, with what the coordinator reads of it", () => {
    const shelf = new CheckpointShelf();
    const out = shelveCheckpointed(shelf, msg, cp, "127.0.0.1:9", 1024);
    expect(out.checkpoint.length).toBe(0);
    expect(out.checkpointHead).toBe(msg.checkpointHead);
    const ref = out.checkpointRef!;
    expect(ref).toMatchObject({
      worker: "127.0.0.1:9",
      instance: cp.instance,
      checkpointId: cp.id,
      byteCount: msg.checkpoint.length,
      range: { first: cp.range.first, last: cp.range.last },
      parts: [],
    });
    expect(JSON.parse(ref.metaJson).entries).toBe(cp.processing.size);
    expect(Buffer.from(shelf.hold(cp.instance, cp.id)!.bytes).equals(msg.checkpoint)).toBe(true);
  });

  it("goes inline when small, or when the worker's address is not known", () => {
    const shelf = new CheckpointShelf();
    expect(shelveCheckpointed(shelf, msg, cp, "127.0.0.1:9", msg.checkpoint.length)).toBe(msg);
    expect(shelveCheckpointed(shelf, msg, cp, undefined, 0)).toBe(msg);
    expect(shelf.held.checkpoints).toBe(0);
  });

  it("reads the inline bound from the environment, refusing a bad one in one line", () => {
    expect(checkpointInlineBytes({})).toBe(DEFAULT_CHECKPOINT_INLINE_BYTES);
    expect(checkpointInlineBytes({ [CHECKPOINT_INLINE_ENV]: "0" })).toBe(0);
    expect(() => checkpointInlineBytes({ [CHECKPOINT_INLINE_ENV]: "lots" })).toThrow(
      /^SEEP_CHECKPOINT_INLINE_BYTES must be a whole number of bytes >= 0, got 'lots'$/,
    );
  });
});
