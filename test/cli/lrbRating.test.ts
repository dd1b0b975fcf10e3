import { describe, expect, it } from "vitest";
import { lRating, nextXways, type RatedRun } from "../../cli/lrbRating.js";

/** Run the search against a system that passes up to `capacity` expressways. */
function search(capacity: number, max: number): { tried: number[]; rating: number } {
  const runs: RatedRun[] = [];
  for (;;) {
    const l = nextXways(runs, max);
    if (l === null) break;
    runs.push({ xways: l, passed: l <= capacity });
  }
  return { tried: runs.map((r) => r.xways), rating: lRating(runs) };
}

describe("the L-rating search", () => {
  it("doubles from 1 until a failure, then bisects to the largest L that passes", () => {
    expect(search(20, 64)).toEqual({ tried: [1, 2, 4, 8, 16, 32, 24, 20, 22, 21], rating: 20 });
  });

  it("stops at the cap when everything passes, and rates 0 when L=1 fails", () => {
    expect(search(100, 12).rating).toBe(12);
    expect(search(100, 12).tried).toEqual([1, 2, 4, 8, 12]);
    expect(search(0, 64)).toEqual({ tried: [1], rating: 0 });
  });

  it("finds every capacity below the cap", () => {
    for (let c = 1; c <= 40; c++) expect(search(c, 64).rating).toBe(c);
  });
});
