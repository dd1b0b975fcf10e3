// The horizon of an answers file: how far, in Emit, it has surely got while it is read.

import { describe, expect, it } from "vitest";
import { AnswersHorizon } from "../../../../workloads/linearRoad/validator/answersHorizon.js";

/** The horizon after each of `emits`. */
function horizons(lines: number, emits: readonly number[]): number[] {
  const h = new AnswersHorizon(lines);
  return emits.map((e) => h.add(e));
}

describe("AnswersHorizon", () => {
  it("trails a file in Emit order by its window of lines", () => {
    expect(horizons(3, [1, 2, 3, 4, 5, 6])).toEqual([-Infinity, -Infinity, 1, 2, 3, 4]);
  });

  it("is not moved by one line with a wild Emit, nor set back by an early one", () => {
    expect(horizons(3, [1, 2, 1_000_000, 3, 4, 5])).toEqual([-Infinity, -Infinity, 1, 2, 3, 3]);
    expect(horizons(2, [10, 11, 12, 1, 13, 14])).toEqual([-Infinity, 10, 11, 11, 11, 13]);
  });

  it("stays -Infinity for a file shorter than its window, or an infinite window", () => {
    expect(horizons(10, [5, 4, 3, 2, 1])).toEqual(Array(5).fill(-Infinity));
    expect(horizons(Number.POSITIVE_INFINITY, [1, 2, 3])).toEqual(Array(3).fill(-Infinity));
  });

  it("is the largest least Emit of any window of lines read, however long the file", () => {
    const emits = Array.from({ length: 1000 }, (_, i) => (i * 7919) % 100);
    const h = horizons(8, emits);
    let expected = Number.NEGATIVE_INFINITY;
    for (let i = 7; i < emits.length; i++) {
      expected = Math.max(expected, Math.min(...emits.slice(i - 7, i + 1)));
      expect(h[i]).toBe(expected);
    }
  });

  it("refuses a window under one line", () => {
    expect(() => new AnswersHorizon(0)).toThrow(RangeError);
  });
});
