import { describe, expect, it } from "vitest";
import { Batch, BatchBuilder } from "../../engine/batch.js";

describe("BatchBuilder", () => {
  it("builds exact-size columns and starts empty again", () => {
    const b = new BatchBuilder(2);
    for (let i = 0; i < 100; i++) b.push(i, i * 2, i + 1, undefined, [i, -i]);
    const batch = b.build(7);
    expect(batch.length).toBe(100);
    expect(batch.keys.length).toBe(100);
    expect(batch.fields[1][99]).toBe(-99);
    expect(batch.values).toBeNull();
    expect(batch.watermarkMs).toBe(7);
    expect(b.length).toBe(0);
    b.push(5, 5, 101, "x", [0, 0]);
    const next = b.build(8);
    expect(next.values).toEqual(["x"]);
    // The first batch is not touched by later appends.
    expect(batch.keys[0]).toBe(0);
  });

  it("keeps a values column aligned when only some tuples carry a value", () => {
    const b = new BatchBuilder();
    b.push(1, 0, 1);
    b.push(2, 0, 2, "two");
    b.push(3, 0, 3);
    expect(b.build(0).values).toEqual([undefined, "two", undefined]);
  });

  it("views its own columns without copying, until the next append overwrites them", () => {
    const b = new BatchBuilder(1, 8);
    for (let i = 0; i < 3; i++) b.push(i, 0, i + 1, undefined, [i * 10]);
    const view = b.view(5, 2);
    expect([view.length, view.watermarkMs, view.prevSeq]).toEqual([3, 5, 2]);
    expect([...view.keys]).toEqual([0, 1, 2]);
    expect([...view.fields[0]]).toEqual([0, 10, 20]);
    expect(b.length).toBe(0);
    // Its copy keeps the tuples; the view shows what the builder writes next.
    const own = view.copy();
    b.push(7, 0, 4, undefined, [70]);
    expect(view.keys[0]).toBe(7);
    expect([...own.keys]).toEqual([0, 1, 2]);
    expect(own.keys.buffer).not.toBe(view.keys.buffer);
  });

  it("appends columns as it appends the same tuples one by one, values column and growth included", () => {
    const n = 150;
    const keys = Float64Array.from({ length: n }, (_, i) => i * 3);
    const times = Float64Array.from({ length: n }, (_, i) => i >> 4);
    const fields = [0, 1].map((f) => Float64Array.from({ length: n }, (_, i) => i * 10 + f));
    const one = new BatchBuilder(2, 4);
    const bulk = new BatchBuilder(2, 4);
    for (const b of [one, bulk]) b.push(-1, 0, 1, "first", [7, 8]);
    for (let i = 0; i < n; i++) one.push(keys[i], times[i], 2 + i, undefined, [fields[0][i], fields[1][i]]);
    bulk.pushColumns(n, keys, times, 2, fields);
    expect(bulk.build(3)).toEqual(one.build(3));
    expect(() => bulk.pushColumns(1, keys, times, 1, [fields[0]])).toThrow(/numeric fields/);
  });

  it("grows past a capacity of 0", () => {
    const b = new BatchBuilder(0, 0);
    for (let i = 0; i < 5; i++) b.push(i, 0, i + 1);
    expect([...b.build(0).keys]).toEqual([0, 1, 2, 3, 4]);
  });

  it("refuses a tuple without the numeric fields its port declares", () => {
    expect(() => new BatchBuilder(1).push(1, 0, 1)).toThrow(/numeric fields/);
  });
});

describe("Batch", () => {
  it("slices without copying and finds the tuples after a timestamp", () => {
    const b = new BatchBuilder();
    for (const seq of [2, 4, 6, 8]) b.push(seq, seq, seq);
    const batch = b.build(0);
    expect([...batch.after(4).seqs]).toEqual([6, 8]);
    expect([...batch.after(5).seqs]).toEqual([6, 8]);
    expect(batch.after(8).length).toBe(0);
    expect(batch.after(0)).toBe(batch);
    expect(batch.slice(1, 3).keys.buffer).toBe(batch.keys.buffer);
  });

  it("marks the end of a stream with a watermark-only batch", () => {
    const end = Batch.watermark(Number.POSITIVE_INFINITY, 2);
    expect(end.length).toBe(0);
    expect(end.fields.length).toBe(2);
    expect(Number.isNaN(end.lastSeq)).toBe(true);
  });
});
