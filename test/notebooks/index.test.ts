// Every report, at its tiny (test) sizes (sim-vs-real and sand-throughput start local
// worker processes bound to 127.0.0.1): its HTML holds one SVG per figure, each titled, with two
// labelled axes with ticks, a legend and drawn lines of data; each figure has a PNG of its
// size and its data as CSV and JSON; and the report says how to reproduce it.

import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseHTML } from "linkedom";
import { describe, expect, it } from "vitest";
import { NOTEBOOKS } from "../../notebooks/index.js";
import { pngSize } from "./pngSize.js";

describe("every report (tiny sizes)", () => {
  for (const [name, notebook] of Object.entries(NOTEBOOKS)) {
    it(`${name}: figures with axes, legends and data; PNGs; CSV and JSON; how to reproduce it`, async () => {
      const dir = mkdtempSync(join(tmpdir(), `report-${name}-`));
      const html = readFileSync((await notebook.build({ quick: true, tiny: true })).write(dir), "utf8");
      const { document } = parseHTML(html);
      const figures = [...document.querySelectorAll("figure")];
      // A report is figures, or (SAND's) a table in the shape of the paper's.
      expect(figures.length + document.querySelectorAll("table").length).toBeGreaterThan(1);
      for (const f of figures) {
        const svgs = f.querySelectorAll("svg");
        expect(svgs.length, f.id).toBe(1);
        const svg = svgs[0];
        expect(svg.querySelector("text.title")?.textContent, f.id).toBeTruthy();
        expect(svg.querySelector("text.label.x")?.textContent, f.id).toMatch(/\(.+\)$/);
        expect(svg.querySelector("text.label.y")?.textContent, f.id).toMatch(/\(.+\)$/);
        expect(svg.querySelectorAll("g.axis .tick").length, f.id).toBeGreaterThan(4);
        expect(svg.querySelectorAll("g.legend").length, f.id).toBeGreaterThan(0);
        const d = svg.querySelector("path.series")?.getAttribute("d") ?? "";
        // A line of at least two points: a move and a line to.
        expect(d, f.id).toMatch(/M[^ML]+L/);
        const size = pngSize(readFileSync(join(dir, "figures", `${f.id}.png`)));
        expect(size).toEqual({
          width: Number(svg.getAttribute("width")),
          height: Number(svg.getAttribute("height")),
        });
        const csv = readFileSync(join(dir, "data", `${f.id}.csv`), "utf8")
          .trim()
          .split("\n");
        const json = JSON.parse(readFileSync(join(dir, "data", `${f.id}.json`), "utf8")) as unknown[];
        expect(csv.length, f.id).toBeGreaterThanOrEqual(3);
        expect(json.length, f.id).toBe(csv.length - 1);
      }
      if (name === "sand-throughput") {
        // SAND's table: the packet counter's tuples/s next to the raw gRPC ceiling measured in
        // the same run, with ratios. Both are measured; which is faster is the report's finding,
        // not the test's (measured one after the other on a busy machine, either may be slowed more).
        const csv = readFileSync(join(dir, "data", "throughput.csv"), "utf8")
          .trim()
          .split("\n");
        expect(csv[0]).toBe("system,configuration,tuples/s,ratio to the raw ceiling");
        const rows = JSON.parse(readFileSync(join(dir, "data", "throughput.json"), "utf8")) as Record<
          string,
          number
        >[];
        expect(rows).toHaveLength(3);
        const [ceiling, , counter] = rows;
        expect(ceiling["tuples/s"]).toBeGreaterThan(0);
        expect(counter["tuples/s"]).toBeGreaterThan(0);
        expect(counter["ratio to the raw ceiling"]).toBeCloseTo(counter["tuples/s"] / ceiling["tuples/s"], 2);
      }
      if (name === "sim-vs-real") {
        // The simulator and the real runtime give the same output, failure or scale out.
        const rows = JSON.parse(readFileSync(join(dir, "data", "comparison.json"), "utf8")) as Record<
          string,
          unknown
        >[];
        const digests = rows.filter((r) => r.metric === "output digest equal");
        expect(digests).toHaveLength(2);
        for (const r of digests) expect(r.simulated).toBe(r.real);
      }
      expect(html).toContain(`npx seep report ${name} --quick`);
      expect(html).toMatch(/seed \d+, seep-testbed \d+\.\d+\.\d+/);
    });
  }
});
