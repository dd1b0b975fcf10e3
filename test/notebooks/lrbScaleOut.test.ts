// The Linear Road scale-out report (--quick, seed 1; its tiny size is its quick one),
// built once for this file: what every report holds (reportShape.ts); its latency figure
// marks the 5 s deadline, its time axes mark the scale outs, and its tables hold the run's
// figures; and headless Chromium draws it without a problem (chromium.ts). Without
// Chromium that test is skipped, unless SEEP_REQUIRE_CHROMIUM=1 (CI) makes it fail.

import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseHTML } from "linkedom";
import { afterAll, beforeAll, expect, it } from "vitest";
import { expectDrawnInChromium, findChromium } from "./chromium.js";
import { expectReportShape, type WrittenReport, writeTinyReport } from "./reportShape.js";

let report: WrittenReport;
beforeAll(async () => {
  report = await writeTinyReport("lrb-scaleout", mkdtempSync(join(tmpdir(), "report-lrb-scaleout-")));
});
afterAll(() => rmSync(report.dir, { recursive: true, force: true }));

it("holds figures with axes, legends and data; PNGs; CSV and JSON; how to reproduce it", () => {
  expectReportShape("lrb-scaleout", report);
});

it("marks the deadline and the scale outs, and tabulates the run", () => {
  const { dir, html } = report;
  const { document } = parseHTML(readFileSync(html, "utf8"));
  const figures = [...document.querySelectorAll("figure")];
  expect(figures.map((f) => f.id)).toEqual(["load", "latency", "vms", "cost"]);
  expect(figures[1].querySelector("g.threshold text")?.textContent).toMatch(/deadline 5 s/);
  for (const f of figures) expect(f.querySelectorAll("g.marker").length, f.id).toBeGreaterThan(0);
  const summary = readFileSync(join(dir, "data", "summary.csv"), "utf8");
  expect(summary).toMatch(/VMs in use at most,\d+/);
  expect(summary).toMatch(/scale outs,[1-9]/);
  const scaleOuts = readFileSync(join(dir, "data", "scaleOuts.csv"), "utf8")
    .trim()
    .split("\n");
  expect(scaleOuts.length).toBeGreaterThan(2);
});

it("in headless Chromium: no console errors, every figure drawn", async (ctx) => {
  const chromium = findChromium();
  if (chromium === undefined) {
    if (process.env.SEEP_REQUIRE_CHROMIUM === "1")
      throw new Error("SEEP_REQUIRE_CHROMIUM=1 but no `chromium` on the PATH (apt-get install chromium)");
    ctx.skip("no `chromium` on the PATH: apt-get install chromium (SEEP_REQUIRE_CHROMIUM=1 fails instead)");
  }
  const pngs = readdirSync(join(report.dir, "figures")).filter((f) => f.endsWith(".png"));
  await expectDrawnInChromium(chromium!, report.html, pngs);
});
