// The failure-timeline report (--quick, seed 1; its tiny size is its quick one), built once
// for this file: what every report holds (reportShape.ts), and one line per strategy and
// the failure-free run, the crash and its detection marked, and every strategy's output
// exactly the failure-free run's.

import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseHTML } from "linkedom";
import { beforeAll, expect, it } from "vitest";
import { expectReportShape, type WrittenReport, writeTinyReport } from "./reportShape.js";

let report: WrittenReport;
beforeAll(async () => {
  report = await writeTinyReport("failure-timeline", mkdtempSync(join(tmpdir(), "report-")));
});

it("holds figures with axes, legends and data; PNGs; CSV and JSON; how to reproduce it", () => {
  expectReportShape("failure-timeline", report);
});

it("draws every strategy around the crash and its detection; each recovers exactly", () => {
  const { dir, html } = report;
  const { document } = parseHTML(readFileSync(html, "utf8"));
  const throughput = document.querySelector("figure#throughput svg")!;
  const names = [...throughput.querySelectorAll("path.series")].map((p) => p.getAttribute("data-name"));
  expect(names).toEqual([
    "failure-free",
    "rsm",
    "parallel rsm",
    "upstream-backup",
    "source-replay",
    "global-snapshot",
  ]);
  const marks = [...throughput.querySelectorAll("g.marker text")].map((t) => t.textContent).join(" | ");
  expect(marks).toMatch(/VM 3 crashes/);
  expect(marks).toMatch(/detected/);
  const rows = readFileSync(join(dir, "data", "recoveries.csv"), "utf8")
    .trim()
    .split("\n")
    .slice(1);
  expect(rows).toHaveLength(5);
  for (const r of rows) expect(r.endsWith(",true"), r).toBe(true);
});
