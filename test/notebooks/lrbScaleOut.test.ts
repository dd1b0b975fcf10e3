// The Linear Road scale-out report (--quick, seed 1): its latency figure marks the 5 s
// deadline, its time axes mark the scale outs, and its tables hold the run's figures.

import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseHTML } from "linkedom";
import { expect, it } from "vitest";
import { lrbScaleOutReport } from "../../notebooks/lrbScaleOut.js";

it("marks the deadline and the scale outs, and tabulates the run", () => {
  const dir = mkdtempSync(join(tmpdir(), "report-"));
  const { document } = parseHTML(readFileSync(lrbScaleOutReport({ quick: true }).write(dir), "utf8"));
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
