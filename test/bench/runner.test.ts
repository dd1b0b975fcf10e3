// The benchmark runner, on fake benchmarks and a fake machine (no real benchmark runs):
// how many times each runs, the load read around each run, a failure naming its run, and
// what it prints.

import { describe, expect, it } from "vitest";
import { BenchFailure, type BenchResult } from "../../bench/benchResult.js";
import {
  type Benchmark,
  type Machine,
  REAL_RUNS_DEFAULT,
  repeatBenchmark,
  runBenchmarkTable,
  runsOf,
} from "../../bench/runner.js";

/** A machine whose load rises by 0.5 at every reading, from 0.5. */
function risingLoad(): Machine {
  let load = 0;
  return { loadAvg1Min: () => (load += 0.5), cpuCount: 2 };
}

/** A benchmark that returns `values` in turn, one a run, and counts its runs and their sizes. */
function fake(values: number[]): Benchmark & { calls: boolean[] } {
  const calls: boolean[] = [];
  const f = (quick: boolean): BenchResult[] => {
    calls.push(quick);
    const value = values[calls.length - 1];
    return [{ name: "pause", value, unit: "ms", baseline: { name: "small", value: value / 2, unit: "ms" } }];
  };
  return Object.assign(f, { calls });
}

describe("runsOf", () => {
  it("runs a real benchmark 3 times by default, once with --quick, and --runs times when given", () => {
    expect(REAL_RUNS_DEFAULT).toBe(3);
    expect(runsOf(true, {})).toBe(3);
    expect(runsOf(true, { quick: true })).toBe(1);
    expect(runsOf(true, { quick: true, runs: 2 })).toBe(2);
    expect(runsOf(true, { runs: 5 })).toBe(5);
  });

  it("runs any other benchmark once, whatever --runs says", () => {
    expect(runsOf(false, { runs: 5 })).toBe(1);
    expect(runsOf(false, {})).toBe(1);
  });
});

describe("repeatBenchmark", () => {
  it("runs the benchmark the given times and aggregates its figures, with the load around each run", async () => {
    const b = fake([30, 10, 20]);
    const report = await repeatBenchmark("x-real", b, 3, false, risingLoad());
    expect(b.calls).toEqual([false, false, false]);
    expect(report).toMatchObject({ benchmark: "x-real", quick: false, runs: 3, cpuCount: 2 });
    expect(report.loads).toEqual([
      { atStart: 0.5, atEnd: 1 },
      { atStart: 1.5, atEnd: 2 },
      { atStart: 2.5, atEnd: 3 },
    ]);
    expect(report.figures[0].value).toMatchObject({ median: 20, min: 10, max: 30 });
    expect(report.figures[0].baseline?.value.median).toBe(10);
  });

  it("fails the whole benchmark on a run's BenchFailure, naming the run, and runs no more", async () => {
    let calls = 0;
    const failsSecond: Benchmark = () => {
      calls++;
      if (calls === 2) throw new BenchFailure("the run recorded no completed recovery");
      return [{ name: "t", value: 1, unit: "ms" }];
    };
    await expect(repeatBenchmark("rsm-recovery-real", failsSecond, 3, false, risingLoad())).rejects.toThrow(
      new BenchFailure("rsm-recovery-real (run 2 of 3): the run recorded no completed recovery"),
    );
    expect(calls).toBe(2);
  });

  it("names no run when there is only one, and lets any other error through as it is", async () => {
    const fails: Benchmark = () => {
      throw new BenchFailure("needs ZooKeeper");
    };
    await expect(repeatBenchmark("takeover-real", fails, 1, true, risingLoad())).rejects.toThrow(
      new BenchFailure("takeover-real: needs ZooKeeper"),
    );
    const bug = new TypeError("x is undefined");
    const buggy: Benchmark = () => {
      throw bug;
    };
    await expect(repeatBenchmark("y", buggy, 3, false, risingLoad())).rejects.toBe(bug);
  });
});

describe("runBenchmarkTable", () => {
  it("runs real benchmarks --runs times and the others once, printing a header and a report for each", async () => {
    const real = fake([30, 10]);
    const simulated = fake([7]);
    const table = { "a-real": real, sim: simulated };
    let printed = "";
    const reports = await runBenchmarkTable(
      table,
      (n) => n.endsWith("-real"),
      { quick: true, runs: 2 },
      (text) => {
        printed += text;
      },
      risingLoad(),
    );
    expect(real.calls).toEqual([true, true]);
    expect(simulated.calls).toEqual([true]);
    expect(reports.map((r) => [r.benchmark, r.runs])).toEqual([
      ["a-real", 2],
      ["sim", 1],
    ]);
    expect(printed.split("\n")).toEqual([
      "# a-real (quick, 2 runs)",
      "  pause: median 20.0 ms, range 10.0-30.0 ms over 2 runs",
      "      baseline small: median 10.0 ms, range 5.000-15.0 ms   ratio of medians 2.000",
      "  load 1-min at start/end of each run: 0.50/1.00, 1.50/2.00 (2 CPUs)",
      "# sim (quick)",
      "  pause: 7.000 ms",
      "      baseline small: 3.500 ms   ratio 2.000",
      "  load 1-min at start/end of the run: 2.50/3.00 (2 CPUs)",
      "",
    ]);
  });

  it("runs only the benchmarks named, in the order named, and refuses an unknown name before running any", async () => {
    const a = fake([1]);
    const b = fake([2]);
    const quiet = () => {};
    const reports = await runBenchmarkTable({ a, b }, () => false, { only: ["b", "a"] }, quiet, risingLoad());
    expect(reports.map((r) => r.benchmark)).toEqual(["b", "a"]);
    await expect(
      runBenchmarkTable({ a, b }, () => false, { only: ["a", "c"] }, quiet, risingLoad()),
    ).rejects.toThrow('unknown benchmark "c" (known: a, b)');
    expect(a.calls).toHaveLength(1);
  });
});
