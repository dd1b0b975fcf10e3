import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Batch, BatchBuilder } from "../../engine/batch.js";
import { decodeBatch, encodeBatch, numericSizeBytes } from "../../engine/batchCodec.js";

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
