// The checkpoint-overhead report, at tiny sizes (a 20k-key count, checkpoints every 0.2
// and 0.5 s), built once for this file: what every report holds (reportShape.ts), and
// throughput and latency against the interval, with and without checkpoints, and a table
// of every setting; its PNGs decode.

import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseHTML } from "linkedom";
import { beforeAll, expect, it } from "vitest";
import { pngSize } from "./pngSize.js";
import { expectReportShape, type WrittenReport, writeTinyReport } from "./reportShape.js";

let report: WrittenReport;
beforeAll(async () => {
  report = await writeTinyReport("checkpoint-overhead", mkdtempSync(join(tmpdir(), "report-")));
});

it("holds figures with axes, legends and data; PNGs; CSV and JSON; how to reproduce it", () => {
  expectReportShape("checkpoint-overhead", report);
});

it("draws throughput and latency against the checkpoint interval, and tabulates every setting", () => {
  const { dir, html } = report;
  const { document } = parseHTML(readFileSync(html, "utf8"));
  const throughput = document.querySelector("figure#throughput svg")!;
  const names = [...throughput.querySelectorAll("path.series")].map((p) => p.getAttribute("data-name"));
  expect(names).toEqual(["with checkpoints", "no checkpoints"]);
  expect(throughput.querySelector("text.label.x")?.textContent).toBe("checkpoint interval (s)");
  for (const id of ["throughput", "latency"])
    expect(pngSize(readFileSync(join(dir, "figures", `${id}.png`))).width).toBe(760);
  const rows = readFileSync(join(dir, "data", "throughput.csv"), "utf8")
    .trim()
    .split("\n");
  expect(rows).toHaveLength(3);
  for (const row of rows.slice(1)) expect(Number(row.split(",")[1])).toBeGreaterThan(0);
  const settings = readFileSync(join(dir, "data", "settings.csv"), "utf8")
    .trim()
    .split("\n");
  expect(settings[0]).toMatch(/^checkpoint,checkpoints,tuplesPerS/);
  expect(settings).toHaveLength(3);
});
