// Aggregating a benchmark's runs figure by figure: median (the mean of the middle two for
// an even count) and range of each figure and its baseline, names whose numbers differ
// merged into ranges, and runs whose figures do not line up refused in one line.

import { describe, expect, it } from "vitest";
import type { BenchResult } from "../../bench/benchResult.js";
import {
  aggregateRuns,
  type BenchRun,
  FigureMismatch,
  mergedName,
  spreadOf,
} from "../../bench/repeatedRuns.js";

/** A run of the given figures, its load left at 1. */
function run(...results: BenchResult[]): BenchRun {
  return { results, loadAtStart: 1, loadAtEnd: 1 };
}

/** The detection -> restored figure of a run that measured `ms` against a baseline of `baseMs`, at `keys` keys. */
function restored(ms: number, baseMs: number, keys = 960_482): BenchResult {
  return {
    name: `detection -> restored (count holding ${keys} keys, 1000000 words, 4 local workers)`,
    value: ms,
    unit: "ms",
    baseline: { name: "decoding that checkpoint in one process", value: baseMs, unit: "ms" },
    target: "under 2 s",
  };
}

describe("spreadOf", () => {
  it("gives the middle value of an odd count, with the lowest and highest", () => {
    expect(spreadOf([1520, 1310, 1399])).toEqual({
      values: [1520, 1310, 1399],
      median: 1399,
      min: 1310,
      max: 1520,
      finite: 3,
    });
  });

  it("gives the mean of the two middle values of an even count", () => {
    const s = spreadOf([4, 1, 10, 2]);
    expect(s.median).toBe(3);
    expect([s.min, s.max]).toEqual([1, 10]);
  });

  it("leaves out of median and range a run without a value, and counts the runs that had one", () => {
    const s = spreadOf([5, Number.NaN, 7]);
    expect(s).toMatchObject({ median: 6, min: 5, max: 7, finite: 2 });
    expect(s.values).toHaveLength(3);
  });

  it("has no median when no run had a value", () => {
    const s = spreadOf([Number.NaN, Number.POSITIVE_INFINITY]);
    expect(s.finite).toBe(0);
    expect(s.median).toBeNaN();
  });
});

describe("mergedName", () => {
  it("keeps a name that is the same in every run", () => {
    expect(mergedName(["frames of 1024 tuples", "frames of 1024 tuples"], "f")).toBe("frames of 1024 tuples");
  });

  it("shows a number that differs between runs as its range, lowest first", () => {
    const names = ["count holding 975310 keys, 1000000 words", "count holding 960482 keys, 1000000 words"];
    expect(mergedName(names, "f")).toBe("count holding 960482-975310 keys, 1000000 words");
  });

  it("refuses names whose words differ, naming the figure and the runs", () => {
    expect(() => mergedName(["pause (a)", "pause (a)", "restore (a)"], "rsm: figure 2")).toThrow(
      new FigureMismatch('rsm: figure 2 is "restore (a)" in run 3 but "pause (a)" in run 1'),
    );
  });
});

describe("aggregateRuns", () => {
  it("takes each figure and its baseline over the runs, by position, with the ratio of their medians", () => {
    const keys: BenchResult = { name: "keys held", value: 960_482, unit: "keys" };
    const figures = aggregateRuns("rsm-recovery-real", [
      run(keys, restored(1399, 733)),
      run(keys, restored(1310, 700, 975_310)),
      run(keys, restored(1520, 760)),
    ]);
    expect(figures).toHaveLength(2);
    expect(figures[0]).toMatchObject({ name: "keys held", unit: "keys", value: { median: 960_482 } });
    expect(figures[0].baseline).toBeUndefined();
    const f = figures[1];
    expect(f.name).toBe(
      "detection -> restored (count holding 960482-975310 keys, 1000000 words, 4 local workers)",
    );
    expect(f.value).toMatchObject({ median: 1399, min: 1310, max: 1520, values: [1399, 1310, 1520] });
    expect(f.baseline).toMatchObject({
      name: "decoding that checkpoint in one process",
      unit: "ms",
      value: { median: 733, min: 700, max: 760 },
    });
    expect(f.ratioOfMedians).toBeCloseTo(1399 / 733, 9);
    expect(f.target).toBe("under 2 s");
  });

  it("takes the mean of the middle two of an even number of runs, for figure and baseline", () => {
    const [f] = aggregateRuns("b", [
      run(restored(10, 1)),
      run(restored(20, 3)),
      run(restored(40, 5)),
      run(restored(30, 7)),
    ]);
    expect(f.value.median).toBe(25);
    expect(f.baseline?.value.median).toBe(4);
    expect(f.ratioOfMedians).toBe(6.25);
  });

  it("refuses runs that gave different numbers of figures", () => {
    expect(() => aggregateRuns("b", [run(restored(1, 1)), run(restored(1, 1), restored(2, 2))])).toThrow(
      new FigureMismatch("b: run 2 gave 2 figures, run 1 gave 1"),
    );
  });

  it("refuses a figure whose name, unit or baseline differs between runs, in one line", () => {
    const other: BenchResult = { ...restored(1, 1), name: "failure -> detection (count holding 1 keys)" };
    expect(() => aggregateRuns("b", [run(restored(1, 1)), run(other)])).toThrow(
      /^b: figure 1 is "failure -> detection .*" in run 2 but "detection -> restored .*" in run 1$/,
    );
    const seconds: BenchResult = { ...restored(1, 1), unit: "s" };
    expect(() => aggregateRuns("b", [run(restored(1, 1)), run(seconds)])).toThrow(
      new FigureMismatch("b: figure 1's unit is s in run 2 but ms in run 1"),
    );
    const bare: BenchResult = { ...restored(1, 1), baseline: undefined };
    expect(() => aggregateRuns("b", [run(restored(1, 1)), run(bare)])).toThrow(
      new FigureMismatch("b: figure 1 has a baseline in some runs and not in others"),
    );
  });
});
