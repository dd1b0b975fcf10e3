// The checkpoint-overhead report, at tiny sizes (a 20k-key count, checkpoints every 0.2
// and 0.5 s): throughput and latency against the interval, with and without checkpoints,
// and a table of every setting; its PNGs decode.

import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseHTML } from "linkedom";
import { expect, it } from "vitest";
import { checkpointOverheadReport } from "../../notebooks/checkpointOverhead.js";
import { pngSize } from "./pngSize.js";

it("draws throughput and latency against the checkpoint interval, and tabulates every setting", () => {
  const dir = mkdtempSync(join(tmpdir(), "report-"));
  const html = readFileSync(checkpointOverheadReport({ quick: true, tiny: true }).write(dir), "utf8");
  const { document } = parseHTML(html);
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
