// What every report holds, checked on a report already written to a directory: its HTML
// holds one SVG per figure, each titled, with two labelled axes with ticks, a legend and
// drawn lines of data; each figure has a PNG of its size and its data as CSV and JSON; and
// the report says how to reproduce it. Shared by index.test.ts and the reports' own test
// files, so that each report is built once per file and checked by all of its tests.

import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { parseHTML } from "linkedom";
import { expect } from "vitest";
import { NOTEBOOKS } from "../../notebooks/index.js";
import { pngSize } from "./pngSize.js";

/** A report written to `dir`, its HTML's path `html`. */
export interface WrittenReport {
  readonly dir: string;
  readonly html: string;
}

/** Build report `name` at its tiny (test) sizes and write it to `dir`. */
export async function writeTinyReport(name: string, dir: string): Promise<WrittenReport> {
  return { dir, html: (await NOTEBOOKS[name].build({ quick: true, tiny: true })).write(dir) };
}

/** Expect report `name`, written to `dir` as `html`, to hold what every report holds. */
export function expectReportShape(name: string, { dir, html: path }: WrittenReport): void {
  const html = readFileSync(path, "utf8");
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
  expect(html).toContain(`npx seep report ${name} --quick`);
  expect(html).toMatch(/seed \d+<\/p>/);
  // What it ran on: in the page, and as data/environment.json.
  const env = JSON.parse(readFileSync(join(dir, "data", "environment.json"), "utf8")) as Record<
    string,
    unknown
  >;
  expect(env).toMatchObject({ node: process.version, cores: cpus().length });
  expect(html).toContain(`Ran on: seep-testbed ${env.seepVersion as string}`);
  expect(html).toContain(`Node ${process.version}`);
}
