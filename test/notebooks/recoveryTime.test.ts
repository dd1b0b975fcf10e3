// The recovery-time report at its tiny (test) size, built once for this file: what every
// report holds (reportShape.ts); each figure's comparison table computed right from the
// table of every run (median, mean and Student t 95% interval recomputed here from the
// runs' rows, with the t quantile of 1 degree of freedom in closed form, tan(0.475 pi));
// every run exact; and, the simulator being deterministic per seed, the ordering the
// report claims for seeds 1 and 2: rsm below upstream backup below source replay.

import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, expect, it } from "vitest";
import { expectReportInChromium } from "./chromium.js";
import { expectReportShape, type WrittenReport, writeTinyReport } from "./reportShape.js";

let report: WrittenReport;
beforeAll(async () => {
  report = await writeTinyReport("recovery-time", mkdtempSync(join(tmpdir(), "report-")));
});

it("in headless Chromium: no console errors, figures drawn, texts apart, tooltips, tables scroll", (ctx) =>
  expectReportInChromium(ctx, report));

/** A table the report wrote, as records of strings. */
function table(name: string): Record<string, string>[] {
  const [head, ...lines] = readFileSync(join(report.dir, "data", `${name}.csv`), "utf8")
    .trim()
    .split("\n");
  const columns = head.split(",");
  return lines.map((l) => Object.fromEntries(l.split(",").map((v, i) => [columns[i], v])));
}

const FIGURES = [
  { name: "wordcount-interval", sweep: "interval", x: "intervalS", scale: 1000 },
  { name: "wordcount-window", sweep: "window", x: "windowS", scale: 1000 },
  { name: "wordcount-stream", sweep: "stream", x: "crashAtS", scale: 1000 },
  { name: "wordcount-state", sweep: "state", x: "vocabulary", scale: 1 },
];

it("holds figures with axes, legends and data; PNGs; CSV and JSON; how to reproduce it", () => {
  expectReportShape("recovery-time", report);
  const html = readFileSync(report.html, "utf8");
  expect(html).toContain("Beside the papers");
  expect(html).toContain("Recover in order of seconds");
});

it("tables each figure's median, mean and 95% interval as computed from the runs", () => {
  const runs = table("wordcount-runs");
  expect(runs.length).toBeGreaterThan(0);
  for (const f of FIGURES) {
    const rows = table(f.name);
    expect(Object.keys(rows[0])).toEqual([
      "strategy",
      f.x,
      "runs",
      "caughtUp",
      "medianMs",
      "meanMs",
      "ci95LowMs",
      "ci95HighMs",
    ]);
    expect(rows.length, f.name).toBeGreaterThanOrEqual(4);
    for (const row of rows) {
      const xs = runs
        .filter(
          (r) =>
            r.sweep === f.sweep && r.strategy === row.strategy && Number(r.x) === Number(row[f.x]) * f.scale,
        )
        .map((r) => Number(r.recoveryMs));
      // Tiny has two seeds, each of which recovered.
      expect(xs, `${f.name} ${row.strategy} ${row[f.x]}`).toHaveLength(2);
      expect(Number(row.runs)).toBe(2);
      expect(Number(row.caughtUp)).toBe(2);
      const m = (xs[0] + xs[1]) / 2;
      // Two values: the median is their mean; s = |a - b| / sqrt 2, so the half-width is
      // t(0.975, 1) s / sqrt 2 = tan(0.475 pi) |a - b| / 2.
      const half = (Math.tan(0.475 * Math.PI) * Math.abs(xs[0] - xs[1])) / 2;
      expect(Number(row.medianMs)).toBe(Math.round(m));
      expect(Number(row.meanMs)).toBe(Math.round(m));
      expect(Number(row.ci95LowMs)).toBe(Math.round(m - half));
      expect(Number(row.ci95HighMs)).toBe(Math.round(m + half));
    }
  }
});

it("recovers every run exactly, and rsm before upstream backup before source replay (seeds 1 and 2)", () => {
  const runs = table("wordcount-runs");
  for (const r of runs) expect(r.exact, JSON.stringify(r)).toBe("true");
  const at = (strategy: string, seed: string) =>
    Number(
      runs.find((r) => r.sweep === "interval" && r.x === "5000" && r.strategy === strategy && r.seed === seed)
        ?.recoveryMs,
    );
  for (const seed of ["1", "2"]) {
    expect(at("rsm", seed)).toBeLessThan(at("upstream-backup", seed));
    expect(at("upstream-backup", seed)).toBeLessThan(at("source-replay", seed));
  }
  // rsm replays what came since its checkpoint: more at a 5 s interval than at 1 s.
  const rsm = (x: string) => runs.filter((r) => r.sweep === "interval" && r.strategy === "rsm" && r.x === x);
  for (const seed of ["1", "2"])
    expect(Number(rsm("1000").find((r) => r.seed === seed)?.recoveryMs)).toBeLessThan(
      Number(rsm("5000").find((r) => r.seed === seed)?.recoveryMs),
    );
});
