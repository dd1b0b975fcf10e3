// The checkpoint-overhead report, at tiny sizes (a 20k-key count, checkpoints every 0.2
// and 0.5 s, 3 repetitions interleaved with checkpoint-free segments), built once for this
// file: what every report holds (reportShape.ts); throughput, loss and latency against the
// interval; the loss's 95% interval computed again here from the paired repetitions; every
// timed run's load. And the paired loss's computation on given figures. No timing and no
// ordering of measured figures is asserted (a busy machine).

import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseHTML } from "linkedom";
import { beforeAll, describe, expect, it } from "vitest";
import { pairedLoss } from "../../measure/checkpointOverheadPaired.js";
import { expectReportInChromium } from "./chromium.js";
import { pngSize } from "./pngSize.js";
import { expectReportShape, type WrittenReport, writeTinyReport } from "./reportShape.js";

/** Student's t 0.975 quantile with 2 degrees of freedom (printed tables: 4.303). */
const T_975_DF2 = 4.302652729911275;

type Row = Record<string, string | number | null>;

describe("the checkpoint-overhead report (tiny)", () => {
  let report: WrittenReport;
  const table = (name: string) =>
    JSON.parse(readFileSync(join(report.dir, "data", `${name}.json`), "utf8")) as Row[];
  beforeAll(async () => {
    report = await writeTinyReport("checkpoint-overhead", mkdtempSync(join(tmpdir(), "report-")));
  });

  it("in headless Chromium: no console errors, figures drawn, texts apart, tooltips, tables scroll", (ctx) =>
    expectReportInChromium(ctx, report));

  it("holds figures with axes, legends and data; PNGs; CSV and JSON; how to reproduce it", () => {
    expectReportShape("checkpoint-overhead", report);
  });

  it("draws throughput, loss and latency against the checkpoint interval, and tabulates every setting", () => {
    const { dir, html } = report;
    const { document } = parseHTML(readFileSync(html, "utf8"));
    const throughput = document.querySelector("figure#throughput svg")!;
    const names = [...throughput.querySelectorAll("path.series")].map((p) => p.getAttribute("data-name"));
    expect(names).toEqual(["with checkpoints", "no checkpoints"]);
    expect(throughput.querySelector("text.label.x")?.textContent).toBe("checkpoint interval (s)");
    for (const id of ["throughput", "loss", "latency"])
      expect(pngSize(readFileSync(join(dir, "figures", `${id}.png`))).width).toBe(760);
    const rows = table("throughput");
    expect(rows.map((r) => r.intervalS)).toEqual([0.2, 0.5]);
    for (const r of rows) expect(r.tuplesPerS).toBeGreaterThan(0);
    expect(table("settings").map((r) => r.checkpoint)).toEqual(["every 0.2 s", "every 0.5 s"]);
  });

  it("gives each setting's loss as the mean of its paired repetitions with their 95% t interval", () => {
    const pairs = table("pairs");
    for (const setting of table("loss")) {
      const label = `every ${setting.intervalS} s`;
      const mine = pairs.filter((p) => p.checkpoint === label);
      expect(mine.map((p) => p.repetition)).toEqual([1, 2, 3]);
      expect(setting.pairs).toBe(3);
      // Again from the pairs' throughputs (rounded in the table: hence 2 decimals of %).
      const losses = mine.map((p) => (1 - (p.tuplesPerS as number) / (p.baselineTuplesPerS as number)) * 100);
      const mean = losses.reduce((a, b) => a + b, 0) / 3;
      const sd = Math.sqrt(losses.reduce((a, x) => a + (x - mean) ** 2, 0) / 2);
      const half = (T_975_DF2 * sd) / Math.sqrt(3);
      expect(setting.lossPctMean as number).toBeCloseTo(mean, 1);
      expect(setting.lossPctLow95 as number).toBeCloseTo(mean - half, 1);
      expect(setting.lossPctHigh95 as number).toBeCloseTo(mean + half, 1);
      const sorted = [...losses].sort((a, b) => a - b);
      expect(setting.lossPctMedian as number).toBeCloseTo(sorted[1], 1);
    }
  });

  it("records the load around every timed run: segments and checkpointed runs interleaved", () => {
    const load = table("load").map((r) => r.measurement as string);
    expect(load).toHaveLength(13);
    expect(load.filter((m) => m.startsWith("no checkpoints"))).toHaveLength(7);
    for (let i = 0; i < load.length; i++) expect(load[i].startsWith("no checkpoints")).toBe(i % 2 === 0);
    expect(readFileSync(report.html, "utf8")).toContain("Beside the papers");
  });
});

describe("the paired loss", () => {
  it("is 1 - with / without per pair, with the median, the mean and its 95% t interval", () => {
    const loss = pairedLoss([
      { tuplesPerS: 99, baselineTuplesPerS: 100 },
      { tuplesPerS: 98, baselineTuplesPerS: 100 },
      { tuplesPerS: 97, baselineTuplesPerS: 100 },
    ]);
    expect(loss.lossesPct.map((x) => Math.round(x * 1e9) / 1e9)).toEqual([1, 2, 3]);
    expect(loss.medianPct).toBeCloseTo(2, 12);
    expect(loss.meanPct).toBeCloseTo(2, 12);
    // Standard deviation 1: the half width is t(0.975, 2) / sqrt(3).
    expect(loss.interval?.low).toBeCloseTo(2 - T_975_DF2 / Math.sqrt(3), 9);
    expect(loss.interval?.high).toBeCloseTo(2 + T_975_DF2 / Math.sqrt(3), 9);
    expect(loss.includesZero).toBe(true);
  });

  it("says when the interval is clear of 0, and gives none for one pair", () => {
    const tight = pairedLoss([
      { tuplesPerS: 90, baselineTuplesPerS: 100 },
      { tuplesPerS: 91, baselineTuplesPerS: 100 },
      { tuplesPerS: 89, baselineTuplesPerS: 100 },
    ]);
    expect(tight.includesZero).toBe(false);
    expect(tight.interval!.low).toBeGreaterThan(0);
    const one = pairedLoss([{ tuplesPerS: 90, baselineTuplesPerS: 100 }]);
    expect(one.interval).toBeNull();
    expect(one.includesZero).toBeNull();
    expect(one.medianPct).toBeCloseTo(10, 12);
  });

  it("is an error, not NaN, with no pairs", () => {
    expect(() => pairedLoss([])).toThrow(/no samples/);
  });
});
