// A sweep's tables from hand-made rows: runs.csv holds one row per run with the grid's
// values, the seed, the status and the figures as scalars; aggregate.csv one row per point
// and numeric figure with n, median, mean and the t interval, over the runs that ended ok.

import { describe, expect, it } from "vitest";
import { gridPoints } from "../../lab/grid.js";
import { FIGURE_NAMES, NUMERIC_FIGURES } from "../../lab/runFigures.js";
import { aggregate, aggregateCsv, type RunRow, runsCsv } from "../../lab/sweepTables.js";

const axes = [{ path: "faultTolerance.strategy", values: ["rsm", "upstream-backup"] }];
const points = gridPoints(axes);

function row(
  point: number,
  seed: number,
  recoveryMsMean: number | null,
  status: RunRow["status"] = "ok",
): RunRow {
  return {
    point: points[point],
    seed,
    status,
    error: status === "ok" ? null : "the run stalled, at 3.0 s",
    run: `${point + 1}-x-seed${seed}`,
    figures:
      status === "failed" ? {} : { recoveryMsMean, events: 100 * seed, outputDigest: "ab", stalled: false },
  };
}

describe("runs.csv", () => {
  it("has one row per run: point, grid values, seed, status, error, run, then every figure", () => {
    const text = runsCsv(axes, [row(0, 1, 500), row(1, 2, null, "failed")]);
    const lines = text.trimEnd().split("\n");
    expect(lines[0]).toBe(
      ["point", "faultTolerance.strategy", "seed", "status", "error", "run", ...FIGURE_NAMES].join(","),
    );
    const cells = lines[1].split(",");
    expect(cells.slice(0, 6)).toEqual(["1", "rsm", "1", "ok", "", "1-x-seed1"]);
    expect(cells[6 + FIGURE_NAMES.indexOf("recoveryMsMean")]).toBe("500");
    expect(cells[6 + FIGURE_NAMES.indexOf("outputDigest")]).toBe("ab");
    expect(cells[6 + FIGURE_NAMES.indexOf("stalled")]).toBe("false");
    expect(lines[2].startsWith('2,upstream-backup,2,failed,"the run stalled, at 3.0 s",2-x-seed2,')).toBe(
      true,
    );
    expect(text).not.toMatch(/[{}[\]]/);
  });
});

describe("aggregate", () => {
  it("is one row per point and numeric figure, over the runs that ended ok, values that are numbers", () => {
    const rows = [row(0, 1, 100), row(0, 2, 200), row(0, 3, 600), row(0, 4, null), row(1, 1, 50, "stalled")];
    const agg = aggregate(points, rows);
    expect(agg).toHaveLength(points.length * NUMERIC_FIGURES.length);
    const rec = agg.find((a) => a.point.index === 0 && a.figure === "recoveryMsMean");
    // Three values (the fourth run had no recovery): mean 300, median 200, s = sqrt(70000).
    const half = (4.302653 * Math.sqrt(70_000)) / Math.sqrt(3);
    expect(rec).toMatchObject({ runs: 4, n: 3, median: 200, mean: 300 });
    expect(rec?.ci95Low).toBeCloseTo(300 - half, 3);
    expect(rec?.ci95High).toBeCloseTo(300 + half, 3);
    const stalled = agg.find((a) => a.point.index === 1 && a.figure === "events");
    expect(stalled).toMatchObject({ runs: 0, n: 0, median: null, mean: null, ci95Low: null });
    const csv = aggregateCsv(axes, agg).trimEnd().split("\n");
    expect(csv[0]).toBe("point,faultTolerance.strategy,figure,runs,n,median,mean,ci95Low,ci95High");
    expect(csv.find((l) => l.startsWith("1,rsm,recoveryMsMean,"))).toMatch(
      /^1,rsm,recoveryMsMean,4,3,200,300,-?[\d.]+,[\d.]+$/,
    );
    expect(csv.find((l) => l.startsWith("2,upstream-backup,events,"))).toBe(
      "2,upstream-backup,events,0,0,,,,",
    );
  });
});
