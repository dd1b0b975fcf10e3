// The sand-throughput report at its tiny sizes, built once for this file (local worker
// processes bound to 127.0.0.1): SAND's figures quoted and marked so, beside the measured
// ones; the measured ratios computed against the higher of the two raw transport figures
// (the ceiling), so that no row exceeds it; every run and the machine's load shown. Which
// measured figure is larger is the report's finding, not the test's (a busy machine).

import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, expect, it } from "vitest";
import { MEASURED, QUOTED, SAND_QUOTED } from "../../notebooks/sandThroughput.js";
import { expectReportInChromium } from "./chromium.js";
import { expectReportShape, type WrittenReport, writeTinyReport } from "./reportShape.js";

type Row = Record<string, string | number>;

let report: WrittenReport;
const table = (name: string) =>
  JSON.parse(readFileSync(join(report.dir, "data", `${name}.json`), "utf8")) as Row[];
beforeAll(async () => {
  report = await writeTinyReport("sand-throughput", mkdtempSync(join(tmpdir(), "report-sand-")));
});

it("in headless Chromium: no console errors, figures drawn, texts apart, tooltips, tables scroll", (ctx) =>
  expectReportInChromium(ctx, report));

it("holds its tables; CSV and JSON; how to reproduce it", () => {
  expectReportShape("sand-throughput", report);
});

it("quotes SAND's table as quoted rows, with ratios to Storm (the paper's 1 : 10 : 37)", () => {
  const rows = table("throughput");
  const quoted = rows.filter((r) => r.source === QUOTED);
  expect(QUOTED).toMatch(/^quoted/);
  expect(quoted.map((r) => [r.system, r["tuples/s"]])).toEqual([
    ["Storm", 260_000],
    ["Blockmon", 2_700_000],
    ["SAND", 9_600_000],
  ]);
  expect(quoted.map((r) => Math.round(r.ratio as number))).toEqual([1, 10, 37]);
  expect(SAND_QUOTED.map((q) => q.system)).toEqual(["Storm", "Blockmon", "SAND"]);
  expect(readFileSync(report.html, "utf8")).toContain("000_45874f69dc44968e.txt");
});

it("computes each measured ratio against the higher raw transport figure, the ceiling", () => {
  const measured = table("throughput").filter((r) => r.source === MEASURED);
  expect(measured.map((r) => r.system as string).filter((s) => s.startsWith("raw gRPC"))).toHaveLength(2);
  const raw = measured.filter((r) => (r.system as string).startsWith("raw gRPC"));
  const ceiling = Math.max(...raw.map((r) => r["tuples/s"] as number));
  expect(ceiling).toBeGreaterThan(0);
  for (const r of measured)
    expect(r.ratio, r.system as string).toBeCloseTo((r["tuples/s"] as number) / ceiling, 3);
  expect(raw.filter((r) => (r.system as string).includes("the ceiling"))).toHaveLength(1);
  const counter = measured.find((r) => r.system === "seep-testbed packet counter")!;
  const ratios = table("ratios");
  expect(ratios.find((r) => r.comparison === "packet counter / the ceiling")?.ratio).toBe(counter.ratio);
  expect(ratios.find((r) => r.comparison === "SAND / Storm")?.ratio).toBeCloseTo(9.6e6 / 260e3, 3);
});

it("shows every run and the load around each measurement, and the papers beside the results", () => {
  expect(table("runs")).toHaveLength(1);
  expect(table("load").map((r) => r.measurement)).toEqual([
    "raw gRPC, workers' windows, run 1 of 1",
    "raw gRPC, default windows, run 1 of 1",
    "packet counter, run 1 of 1",
  ]);
  const html = readFileSync(report.html, "utf8");
  expect(html).toContain("Beside the papers");
  expect(html).toContain("no repetition");
});
