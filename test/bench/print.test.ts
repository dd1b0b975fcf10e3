// Printing a benchmark's report: a figure run once as its value and ratio, one run several
// times as median, range and runs beside its baseline's median and range and the ratio of
// the medians, and the machine's load around each run once per benchmark.

import { describe, expect, it } from "vitest";
import { figureLines, loadLine, reportLines } from "../../bench/print.js";
import { type BenchReport, type RepeatedFigure, spreadOf } from "../../bench/repeatedRuns.js";

/** The detection -> restored figure over runs of `ms`, against a baseline of `baseMs`. */
function restored(ms: number[], baseMs: number[]): RepeatedFigure {
  const value = spreadOf(ms);
  const baseline = { name: "decoding that checkpoint in one process", unit: "ms", value: spreadOf(baseMs) };
  return {
    name: "detection -> restored (count holding 960482 keys)",
    unit: "ms",
    value,
    baseline,
    ratioOfMedians: value.median / baseline.value.median,
    target: "under 2 s",
  };
}

describe("figureLines", () => {
  it("prints a figure of several runs as median and range over the runs, its baseline's too, and the ratio of medians", () => {
    expect(figureLines(restored([1399, 1310, 1520], [733, 700, 760]), 3)).toEqual([
      "  detection -> restored (count holding 960482 keys): median 1399.0 ms, range 1310.0-1520.0 ms over 3 runs   (target under 2 s)",
      "      baseline decoding that checkpoint in one process: median 733.0 ms, range 700.0-760.0 ms   ratio of medians 1.909",
    ]);
  });

  it("prints a figure of one run as its value and ratio, as before repeated runs", () => {
    expect(figureLines(restored([1399], [733]), 1)).toEqual([
      "  detection -> restored (count holding 960482 keys): 1399.0 ms   (target under 2 s)",
      "      baseline decoding that checkpoint in one process: 733.0 ms   ratio 1.909",
    ]);
  });

  it("prints rates in millions, and says over how many runs when some measured no value", () => {
    const f: RepeatedFigure = {
      name: "packet counter",
      unit: "tuples/s",
      value: spreadOf([3_400_000, Number.NaN, 4_100_000]),
    };
    expect(figureLines(f, 3)).toEqual([
      "  packet counter: median 3.75M tuples/s, range 3.40M-4.10M tuples/s over 2 of 3 runs",
    ]);
    const none: RepeatedFigure = { name: "drained", unit: "ms", value: spreadOf([Number.NaN, Number.NaN]) };
    expect(figureLines(none, 2)).toEqual(["  drained: no value in any of the 2 runs"]);
  });
});

describe("reportLines", () => {
  const report: BenchReport = {
    benchmark: "rsm-recovery-real",
    quick: false,
    runs: 3,
    cpuCount: 2,
    loads: [
      { atStart: 0.4, atEnd: 2.1 },
      { atStart: 1.9, atEnd: 2.3 },
      { atStart: 2, atEnd: 2.2 },
    ],
    figures: [restored([1399, 1310, 1520], [733, 700, 760])],
  };

  it("ends with the load at the start and end of each run and the CPUs, once per benchmark", () => {
    const lines = reportLines(report);
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe("  load 1-min at start/end of each run: 0.40/2.10, 1.90/2.30, 2.00/2.20 (2 CPUs)");
  });

  it("says 'the run' when there was one", () => {
    expect(loadLine({ ...report, runs: 1, loads: [{ atStart: 0.5, atEnd: 0.75 }] })).toBe(
      "  load 1-min at start/end of the run: 0.50/0.75 (2 CPUs)",
    );
  });
});
