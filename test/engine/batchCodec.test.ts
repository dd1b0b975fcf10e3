import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Batch, BatchBuilder } from "../../engine/batch.js";
import { decodeBatch, encodeBatch, numericSizeBytes, prepareBatch } from "../../engine/batchCodec.js";

const tuple = (fields: number) =>
  fc.record({
    key: fc.maxSafeInteger(),
    t: fc.double({ noNaN: true }),
    row: fc.array(fc.double(), { minLength: fields, maxLength: fields }),
    value: fc.option(fc.oneof(fc.string(), fc.integer(), fc.array(fc.integer(), { maxLength: 3 })), {
      nil: undefined,
    }),
  });

function build(
  fields: number,
  tuples: { key: number; t: number; row: number[]; value: unknown }[],
  wm: number,
): Batch {
  const b = new BatchBuilder(fields);
  tuples.forEach((x, i) => {
    b.push(x.key, x.t, i + 1, x.value, x.row);
  });
  return b.build(wm, 0);
}

const plain = (b: Batch) => ({
  length: b.length,
  keys: [...b.keys],
  times: [...b.eventTimesMs],
  seqs: [...b.seqs],
  fields: b.fields.map((f) => [...f]),
  values: b.values,
  watermarkMs: b.watermarkMs,
  prevSeq: b.prevSeq,
  cut: b.cut,
});

describe("batch codec", () => {
  it("decode(encode(batch)) gives back the batch, column for column", () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 0, max: 3 })
          .chain((f) => fc.tuple(fc.constant(f), fc.array(tuple(f), { maxLength: 40 }))),
        fc.double({ noNaN: true }),
        ([f, tuples], wm) => {
          const batch = build(f, tuples, wm);
          expect(plain(decodeBatch(encodeBatch(batch)))).toEqual(plain(batch));
        },
      ),
    );
  });

  it("carries the sender's cut, after the values when there are some", () => {
    const cut = {
      processed: [
        { edge: 0, sender: 3, seq: 812, watermarkMs: 1999.5 },
        { edge: 2, sender: 1, seq: 0, watermarkMs: Number.NEGATIVE_INFINITY },
      ],
      watermarkMs: 1999,
    };
    for (const f of [0, 2]) {
      const batch = build(f, [], 5).withCut(cut);
      expect(decodeBatch(encodeBatch(batch)).cut).toEqual(cut);
      expect(encodeBatch(batch).length).toBe(prepareBatch(batch).sizeBytes);
    }
    const withValues = build(1, [{ key: 1, t: 2, row: [4], value: "v" }], 5).withCut({
      processed: [],
      watermarkMs: 3,
    });
    expect(decodeBatch(encodeBatch(withValues)).cut).toEqual({ processed: [], watermarkMs: 3 });
  });

  it("decodes from misaligned bytes (as sockets hand them over) by copying each column once", () => {
    const batch = build(
      1,
      [
        { key: 1, t: 2, row: [3], value: undefined },
        { key: 4, t: 5, row: [6], value: undefined },
      ],
      9,
    );
    const bytes = encodeBatch(batch);
    const shifted = new Uint8Array(bytes.length + 1).subarray(1);
    shifted.set(bytes);
    expect(plain(decodeBatch(shifted))).toEqual(plain(batch));
  });

  it("sizes the numeric part exactly, and a slice encodes only its own tuples", () => {
    const batch = build(
      2,
      Array.from({ length: 10 }, (_, i) => ({ key: i, t: i, row: [i, i], value: undefined })),
      0,
    );
    expect(encodeBatch(batch).length).toBe(numericSizeBytes(10, 2));
    const tail = decodeBatch(encodeBatch(batch.slice(4)));
    expect([...tail.keys]).toEqual([4, 5, 6, 7, 8, 9]);
    expect(tail.prevSeq).toBe(4);
  });

  it("refuses bytes that are not a batch, or are cut short", () => {
    expect(() => decodeBatch(new Uint8Array(40))).toThrow(/bad magic/);
    const bytes = encodeBatch(build(0, [{ key: 1, t: 1, row: [], value: "x" }], 0));
    expect(() => decodeBatch(bytes.subarray(0, 40))).toThrow(/truncated/);
  });
});
