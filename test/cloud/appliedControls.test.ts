// Which numbered control messages were applied: each number once, whatever the order they
// arrive in; the low-water mark rises as gaps fill, and the ranges above it stay merged.

import { describe, expect, it } from "vitest";
import { AppliedControls, AppliedSeqs } from "../../cloud/appliedControls.js";

/** The record of `seqs`, added in that order. */
function applied(...seqs: number[]): AppliedSeqs {
  const a = new AppliedSeqs();
  for (const s of seqs) a.add(s);
  return a;
}

describe("AppliedSeqs", () => {
  it("applies a number once: a repeat is refused", () => {
    const a = new AppliedSeqs();
    expect(a.add(1)).toBe(true);
    expect(a.add(1)).toBe(false);
    expect(a.has(1)).toBe(true);
    expect(a.has(2)).toBe(false);
  });

  it("takes numbers out of order: 3 before 2 is applied once each, and the low-water mark rises when 2 fills the gap", () => {
    const a = applied(1, 3);
    expect(a.lowWater).toBe(1);
    expect(a.above).toEqual([[3, 3]]);
    expect(a.add(3)).toBe(false);
    expect(a.add(2)).toBe(true);
    expect(a.add(2)).toBe(false);
    expect(a.lowWater).toBe(3);
    expect(a.above).toEqual([]);
  });

  it("keeps the numbers above the mark as merged ranges, joining two when a number bridges them", () => {
    const a = applied(5, 7, 6, 10, 12, 11, 9);
    expect(a.lowWater).toBe(0);
    expect(a.above).toEqual([
      [5, 7],
      [9, 12],
    ]);
    a.add(8);
    expect(a.above).toEqual([[5, 12]]);
    for (const s of [1, 2, 3, 4]) a.add(s);
    expect(a.lowWater).toBe(12);
    expect(a.above).toEqual([]);
  });

  it("answers has() for numbers below the mark, inside and between ranges", () => {
    const a = applied(1, 2, 5, 6, 9);
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].filter((s) => a.has(s))).toEqual([1, 2, 5, 6, 9]);
  });

  it("agrees with a plain set over many shuffled arrivals with repeats", () => {
    let x = 12345;
    const next = () => {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      return x;
    };
    const a = new AppliedSeqs();
    const seen = new Set<number>();
    for (let i = 0; i < 5000; i++) {
      // Nearly in order, as over two connections: within a window of 8 of the count so far.
      const s = 1 + Math.max(0, Math.floor(i / 2) - (next() % 8));
      expect(a.add(s)).toBe(!seen.has(s));
      seen.add(s);
    }
    const low = a.lowWater;
    for (let s = 1; s <= low; s++) expect(seen.has(s)).toBe(true);
    expect(seen.has(low + 1)).toBe(false);
    const above = [...seen].filter((s) => s > low).sort((p, q) => p - q);
    expect(a.above.flatMap(([f, l]) => Array.from({ length: l - f + 1 }, (_, k) => f + k))).toEqual(above);
  });

  it("refuses a number that is not a whole number >= 1", () => {
    expect(() => new AppliedSeqs().add(0)).toThrow("a control_seq is a whole number >= 1, got 0");
    expect(() => new AppliedSeqs().add(2.5)).toThrow(RangeError);
  });
});

describe("AppliedControls", () => {
  it("keeps each instance id's numbers apart, and surveys them by id", () => {
    const c = new AppliedControls();
    expect(c.add(4, 1)).toBe(true);
    expect(c.add(3, 1)).toBe(true);
    expect(c.add(3, 3)).toBe(true);
    expect(c.add(4, 1)).toBe(false);
    expect(c.has(3, 2)).toBe(false);
    expect(c.survey()).toEqual([
      { instance: 3, lowWater: 1, above: [{ first: 3, last: 3 }] },
      { instance: 4, lowWater: 1, above: [] },
    ]);
  });
});
