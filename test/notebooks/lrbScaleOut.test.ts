// The Linear Road scale-out report (--quick, seed 1; its tiny size is its quick one),
// built once for this file: what every report holds (reportShape.ts); its figures (L, the
// input rate, latency against the 5 s deadline, VMs, cost) with the scale outs marked; the
// static deployment's run beside the elastic one in every figure and in the summary; the
// input rate equal to the run's own count of tuples in (a second computation, from
// summary.json rather than metrics.csv); "Beside the papers" quoting SEEP and its figures
// computed from the runs; and headless Chromium draws it without a problem (chromium.ts).
// Without Chromium that test is skipped, unless SEEP_REQUIRE_CHROMIUM=1 (CI) makes it fail.

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

/** data/<name>.csv as rows of cells, its header first (quotes around a cell removed). */
function csv(name: string): string[][] {
  return readFileSync(join(report.dir, "data", `${name}.csv`), "utf8")
    .trim()
    .split("\n")
    .map((line) => {
      const cells: string[] = [];
      let cell = "";
      let quoted = false;
      for (const c of line) {
        if (c === '"') quoted = !quoted;
        else if (c === "," && !quoted) {
          cells.push(cell);
          cell = "";
        } else cell += c;
      }
      return [...cells, cell];
    });
}

/** The summary table's row `figure`: [elastic, static]. */
function summaryRow(figure: string): [string, string] {
  const row = csv("summary").find((r) => r[0] === figure);
  if (row === undefined) throw new Error(`no summary row ${figure}`);
  return [row[1], row[2]];
}

/** The last cost of each run in the cost figure's data: [elastic, static]. */
function finalCosts(): [string, string] {
  const rows = csv("cost").slice(1);
  const last = (i: number) =>
    rows
      .map((r) => r[i])
      .filter((v) => v !== "")
      .at(-1) ?? "";
  return [last(1), last(2)];
}

it("holds figures with axes, legends and data; PNGs; CSV and JSON; how to reproduce it", () => {
  expectReportShape("lrb-scaleout", report);
});

it("marks the deadline and the scale outs, and tabulates the run", () => {
  const { dir, html } = report;
  const { document } = parseHTML(readFileSync(html, "utf8"));
  const figures = [...document.querySelectorAll("figure")];
  expect(figures.map((f) => f.id)).toEqual(["load", "input", "latency", "vms", "cost"]);
  expect(figures[2].querySelector("g.threshold text")?.textContent).toMatch(/deadline 5 s/);
  for (const f of figures) expect(f.querySelectorAll("g.marker").length, f.id).toBeGreaterThan(0);
  expect(summaryRow("scale outs")[0]).toMatch(/^[1-9]\d*$/);
  const scaleOuts = readFileSync(join(dir, "data", "scaleOuts.csv"), "utf8")
    .trim()
    .split("\n");
  expect(scaleOuts.length).toBeGreaterThan(2);
});

it("runs the static deployment of 50 VMs beside the elastic run, with the same answers", () => {
  const header = csv("summary")[0];
  expect(header).toEqual(["figure", "elastic", "static (50 VMs)"]);
  const [elasticMax, staticMax] = summaryRow("VMs in use at most").map(Number);
  expect(staticMax).toBe(50);
  expect(elasticMax).toBeGreaterThan(3);
  expect(elasticMax).toBeLessThanOrEqual(50);
  expect(summaryRow("scale outs")[1]).toBe("0");
  // The same input and the same answers, whatever the deployment.
  const [elasticIn, staticIn] = summaryRow("tuples in (the run's count)");
  expect(staticIn).toBe(elasticIn);
  const [elasticDigest, staticDigest] = summaryRow("output digest");
  expect(staticDigest).toBe(elasticDigest);
  // Each run in the VMs, latency and cost figures, the static one holding its 50 VMs throughout.
  const vms = csv("vms").slice(1);
  // (the elastic run drains a second or two longer: the static run has no rows then)
  expect(new Set(vms.map((r) => r[2]).filter((v) => v !== ""))).toEqual(new Set(["50"]));
  expect(new Set(vms.map((r) => r[1])).size).toBeGreaterThan(1);
  const latency = csv("latency").slice(1);
  expect(latency.filter((r) => r[3] !== "" && r[1] !== "").length).toBeGreaterThan(2);
  const [elasticCost, staticCost] = finalCosts();
  expect(Number(staticCost)).toBeGreaterThan(Number(elasticCost));
  expect(summaryRow("cost of the VMs in use (VM-seconds)")).toEqual([elasticCost, staticCost]);
});

it("draws the input rate, which adds up to the run's own count of tuples in", () => {
  const rows = csv("input");
  expect(rows[0]).toEqual(["timeS", "L", "elasticTuplesPerS", "staticTuplesPerS"]);
  const body = rows.slice(1);
  const sum = (i: number) => body.reduce((a, r) => a + Number(r[i]), 0);
  // One-second intervals: the rates sum to the tuples in, as summary.json counts them.
  const [elasticIn, staticIn] = summaryRow("tuples in (the run's count)").map(Number);
  expect(elasticIn).toBeGreaterThan(0);
  expect(sum(2)).toBe(elasticIn);
  expect(sum(3)).toBe(staticIn);
  // L grows from 1 while the rate does.
  expect(Number(body[0][1])).toBe(1);
  expect(Math.max(...body.map((r) => Number(r[1])))).toBeGreaterThan(1);
});

it("quotes SEEP's figure beside the runs' own, computed", () => {
  const { document } = parseHTML(readFileSync(report.html, "utf8"));
  const heading = [...document.querySelectorAll("h2")].find((h) => h.textContent === "Beside the papers");
  expect(heading).toBeDefined();
  const note = [...document.querySelectorAll("p")].map((p) => p.textContent ?? "").join("\n");
  expect(note).toContain("L=350 with 50 VMs");
  expect(note).toContain("004_2f62c700076ad219.txt");
  const [elasticMax] = summaryRow("VMs in use at most");
  expect(note).toContain(`and ${elasticMax} at most`);
  const [elasticCost, staticCost] = finalCosts().map((v) => Number(v).toLocaleString("en-US"));
  expect(note).toContain(
    `cost ${staticCost} VM-seconds of VMs in use against the elastic run's ${elasticCost}`,
  );
  // --quick meets the deadline: no warning, and the note says so.
  expect(summaryRow("deadline met")).toEqual(["true", "true"]);
  expect(document.querySelector("p.warning")).toBeNull();
  expect(note).toContain("That agrees with SEEP");
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
