// The line charts (notebooks/lib/chart.ts), read from their SVG: many events close together
// get numbers that stay apart and a list that names every one; every series is drawn, its
// whiskers, samples and point markers too, ranges and whiskers behind the lines and markers
// on top; a line lying on another gets a dash, a dash given is kept; margins grow to the
// widest tick label and the longest name; a log axis labels its data's x values. Then the
// same charts in headless Chromium: no two texts overlap, none leaves its figure, and the
// tooltips show the values (chromium.ts).

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseHTML } from "linkedom";
import { afterAll, describe, expect, it } from "vitest";
import { type LineChartSpec, lineChart, type Series } from "../../../notebooks/lib/chart.js";
import { Report } from "../../../notebooks/lib/report.js";
import { textWidthPx } from "../../../notebooks/lib/textWidth.js";
import { expectReportInChromium } from "../chromium.js";

/** The SVG element of a chart. */
function svgOf(spec: LineChartSpec) {
  const { document } = parseHTML(`<!doctype html><html><body>${lineChart(spec)}</body></html>`);
  return document.querySelector("svg")!;
}

const time = Array.from({ length: 201 }, (_, i) => i);

/** 60 scale outs in 200 s, of two operators, as lrb-scaleout has them. */
const SCALE_OUTS: LineChartSpec = {
  title: "Latency against the deadline",
  xLabel: "time (s)",
  yLabel: "latency (ms)",
  series: [
    { name: "highest", points: time.map((t) => [t, 1_000 + 800 * Math.sin(t / 20) + (t % 7) * 30] as const) },
    {
      name: "99th percentile",
      points: time.map((t) => [t, 900 + 800 * Math.sin(t / 20) + (t % 7) * 30] as const),
    },
  ],
  thresholds: [
    { y: 5_000, label: "deadline 5 s" },
    { y: 4_900, label: "a second threshold close to the first" },
  ],
  markers: Array.from({ length: 60 }, (_, i) => ({
    x: 2 + i * 3.3,
    label: i % 4 === 0 ? "tolls" : "cars",
  })),
};

const STRATEGIES = ["rsm", "parallel rsm (onto 2 VMs, each restoring half of the state)", "upstream-backup"];
const INTERVALS_S = [0.5, 1, 2, 5, 10];

/** Medians with 95% intervals and per-seed samples on a log x axis, with a range of runs and a line given a dash. */
const SWEEP: LineChartSpec = {
  title:
    "Recovery time against the checkpoint interval, word count losing a count's VM, five seeds per point",
  xLabel: "checkpoint interval (s)",
  yLabel: "recovery time (ms)",
  xScale: "log",
  series: [
    ...STRATEGIES.map(
      (name, k): Series => ({
        name,
        dots: true,
        ...(k === 2 ? { dash: "4 4" } : {}),
        points: INTERVALS_S.map((x) => [x, 1_500_000 + k * 400_000 + 20_000 * x] as const),
        intervals: INTERVALS_S.map(
          (x) => [x, 1_400_000 + k * 400_000, 1_650_000 + k * 400_000 + 20_000 * x] as const,
        ),
        samples: INTERVALS_S.flatMap((x) =>
          [0, 1, 2, 3, 4].map((j) => [x, 1_450_000 + k * 400_000 + j * 40_000] as const),
        ),
      }),
    ),
    {
      name: "rsm lowest",
      boundOf: "rsm",
      points: INTERVALS_S.map((x) => [x, 1_400_000] as const),
    },
  ],
};

/** Six lines, five of them equal but around a crash: each must stay visible. */
const STACKED: LineChartSpec = {
  title: "Throughput around the failure",
  xLabel: "time (s)",
  yLabel: "tuples out (per s)",
  series: ["failure-free", "rsm", "parallel rsm", "upstream-backup", "source-replay", "global-snapshot"].map(
    (name, k) => ({
      name,
      points: time.slice(0, 30).map((t) => [t, k > 0 && t > 10 && t < 12 + k ? 0 : 1_000] as const),
    }),
  ),
  markers: [
    { x: 10, label: "VM 3 crashes" },
    { x: 10.2, label: "detected" },
    { x: 13, label: "rsm caught up" },
  ],
};

describe("lineChart", () => {
  it("numbers 60 scale outs in 200 s apart, with a line for each and every one in the list of events", () => {
    const svg = svgOf(SCALE_OUTS);
    const markers = [...svg.querySelectorAll("g.marker")];
    expect(svg.querySelectorAll("g.marker line")).toHaveLength(60);
    const numbers = markers.map((g) => g.querySelector("text.marker-number")!);
    expect(numbers.map((t) => t.textContent)).toEqual(markers.map((_, i) => String(i + 1)));
    // Fewer numbers than scale outs (close ones share one), each at least its width from the next.
    expect(numbers.length).toBeLessThan(60);
    expect(numbers.length).toBeGreaterThan(10);
    const xs = numbers.map((t) => Number(t.getAttribute("x")));
    for (let i = 1; i < xs.length; i++)
      expect(xs[i] - xs[i - 1]).toBeGreaterThan(textWidthPx(String(numbers.length), 9, true));
    // The list: each number's entry names what happened and when; counted, every scale out.
    const entries = markers.map((g) => g.querySelector("text.marker-label")!.textContent ?? "");
    let listed = 0;
    entries.forEach((e, i) => {
      expect(e).toMatch(new RegExp(`^${i + 1} (cars|tolls)`));
      for (const m of e.matchAll(/(cars|tolls)(?: ×(\d+))? at [\d.–]+ s/g)) listed += Number(m[2] ?? 1);
    });
    expect(listed).toBe(60);
    // The list lies below the x axis's title, and the figure grew to hold it.
    const xTitleY = Number(svg.querySelector("text.label.x")!.getAttribute("y"));
    const entryYs = markers.map((g) => Number(g.querySelector("text.marker-label")!.getAttribute("y")));
    expect(Math.min(...entryYs)).toBeGreaterThan(xTitleY);
    expect(Number(svg.getAttribute("height"))).toBeGreaterThan(Math.max(...entryYs));
  });

  it("places threshold labels apart", () => {
    const svg = svgOf(SCALE_OUTS);
    const labels = [...svg.querySelectorAll("g.threshold text")];
    expect(labels.map((t) => t.textContent)).toEqual([
      "deadline 5 s",
      "a second threshold close to the first",
    ]);
    const [a, b] = labels.map((t) => ({ x: t.getAttribute("x"), y: Number(t.getAttribute("y")) }));
    expect(a.x !== b.x || Math.abs(a.y - b.y) > 11).toBe(true);
  });

  it("draws every series, their whiskers, samples and point markers, in order from back to front", () => {
    const svg = svgOf(SWEEP);
    const lines = [...svg.querySelectorAll("path.series")].map((p) => p.getAttribute("data-name"));
    expect(lines).toEqual(["rsm lowest", ...STRATEGIES]);
    expect(svg.querySelectorAll("g.interval")).toHaveLength(STRATEGIES.length * INTERVALS_S.length);
    expect(svg.querySelectorAll("circle.sample")).toHaveLength(STRATEGIES.length * INTERVALS_S.length * 5);
    expect(svg.querySelectorAll("path.dot")).toHaveLength(STRATEGIES.length * INTERVALS_S.length);
    // Document order is drawing order: the range, whiskers and samples, then lines, then markers.
    const kinds = [...svg.querySelectorAll("path.series, g.interval, circle.sample, path.dot")].map((e) =>
      e.getAttribute("class") === "series"
        ? e.getAttribute("data-name") === "rsm lowest"
          ? "range"
          : "line"
        : e.getAttribute("class"),
    );
    const last = (k: string) => kinds.lastIndexOf(k);
    const first = (k: string) => kinds.indexOf(k);
    expect(last("range")).toBeLessThan(first("interval"));
    expect(Math.max(last("interval"), last("sample"))).toBeLessThan(first("line"));
    expect(last("line")).toBeLessThan(first("dot"));
    // Each point carries its values for the tooltip; a point with a whisker, its interval.
    const dot = svg.querySelector("path.dot")!;
    expect(dot.getAttribute("data-name")).toBe("rsm");
    expect(dot.getAttribute("data-x")).toBe("0.5");
    expect(dot.getAttribute("data-y")).toBe("1510000");
    expect(dot.getAttribute("data-low")).toBe("1400000");
    expect(dot.getAttribute("data-high")).toBe("1660000");
    const vertices = JSON.parse(
      svg.querySelector("path.series[data-name='rsm']")!.getAttribute("data-points")!,
    );
    expect(vertices.map(([x, y]: number[]) => [x, y])).toEqual(
      INTERVALS_S.map((x) => [x, 1_500_000 + 20_000 * x]),
    );
    // Samples of one point sit beside it, spread apart in x.
    const atHalf = [...svg.querySelectorAll("circle.sample[data-name='rsm'][data-x='0.5']")].map((c) =>
      Number(c.getAttribute("cx")),
    );
    expect(new Set(atHalf).size).toBeGreaterThan(2);
    expect(Math.min(...atHalf)).toBeGreaterThan(Number(dot.getAttribute("data-px")));
  });

  it("labels a log axis at its data's x values", () => {
    const ticks = [...svgOf(SWEEP).querySelectorAll("g.axis.x .tick text")].map((t) => t.textContent);
    expect(ticks).toEqual(["0.5", "1", "2", "5", "10"]);
  });

  it("shows each series' dash and marker in the legend, a given dash kept, and no legend entry for a range", () => {
    const svg = svgOf(SWEEP);
    const legend = svg.querySelector("g.legend")!;
    const names = [...legend.querySelectorAll("text")].map((t) =>
      [...t.querySelectorAll("tspan")].map((l) => l.textContent).join(" "),
    );
    expect(names).toEqual(STRATEGIES);
    const swatches = [...legend.querySelectorAll("line")].map((l) => l.getAttribute("stroke-dasharray"));
    expect(swatches).toEqual([null, null, "4 4"]);
    expect(
      svg.querySelector("path.series[data-name='upstream-backup']")!.getAttribute("stroke-dasharray"),
    ).toBe("4 4");
    // One marker per entry, each of its own shape.
    const shapes = [...legend.querySelectorAll("path")].map((p) => p.getAttribute("d"));
    expect(new Set(shapes).size).toBe(STRATEGIES.length);
  });

  it("gives lines lying on earlier ones a dash each, and draws the earlier ones wider", () => {
    const svg = svgOf(STACKED);
    const paths = [...svg.querySelectorAll("path.series")];
    const dashes = paths.map((p) => p.getAttribute("stroke-dasharray"));
    expect(dashes[0]).toBeNull();
    const given = dashes.slice(1);
    expect(given.every((d) => d !== null)).toBe(true);
    expect(new Set(given).size).toBe(given.length);
    const widths = paths.map((p) => Number(p.getAttribute("stroke-width")));
    for (let i = 1; i < widths.length; i++) expect(widths[i]).toBeLessThan(widths[i - 1]);
    // Apart lines keep their plain style.
    const apart = svgOf({
      ...STACKED,
      series: [
        {
          name: "a",
          points: [
            [0, 0],
            [10, 10],
          ],
        },
        {
          name: "b",
          points: [
            [0, 10],
            [10, 0],
          ],
        },
      ],
    });
    expect([...apart.querySelectorAll("path.series")].map((p) => p.getAttribute("stroke-dasharray"))).toEqual(
      [null, null],
    );
  });

  it("widens the left margin to its widest tick label and the right one to its longest name, wrapping what is too long", () => {
    const svg = svgOf(SWEEP);
    const width = Number(svg.getAttribute("width"));
    const yTicks = [...svg.querySelectorAll("g.axis.y .tick text")].map((t) => t.textContent ?? "");
    expect(yTicks).toContain("2,500,000");
    const plotLeft = Number(
      /translate\(([\d.]+),/.exec(svg.querySelector("g.axis.y")!.getAttribute("transform")!)![1],
    );
    const widest = Math.max(...yTicks.map((t) => textWidthPx(t, 11)));
    // The y title (one line, 11 px, from 8 px) then a gap, then the labels and the ticks.
    expect(plotLeft).toBeGreaterThanOrEqual(8 + 13 + 6 + widest + 9);
    // The long strategy name wraps to lines that end inside the figure.
    for (const t of svg.querySelectorAll("g.legend text")) {
      const x = Number(t.getAttribute("x"));
      for (const line of t.querySelectorAll("tspan"))
        expect(x + textWidthPx(line.textContent ?? "", 11)).toBeLessThanOrEqual(width - 8);
    }
    expect(svg.querySelectorAll("g.legend text")[1].querySelectorAll("tspan").length).toBeGreaterThan(1);
    // The long title wraps too.
    expect(svg.querySelectorAll("text.title tspan").length).toBe(2);
  });

  it("draws the charts of the notebooks as before: a plain series and no events, thresholds or legend names", () => {
    const svg = svgOf({
      title: "T",
      xLabel: "x (s)",
      yLabel: "y (ms)",
      series: [
        {
          name: "only",
          points: [
            [0, 1],
            [1, 2],
          ],
        },
      ],
    });
    expect(svg.querySelector("path.series")!.getAttribute("d")).toMatch(/^M[^ML]+L/);
    expect(svg.querySelectorAll("g.marker, g.threshold")).toHaveLength(0);
    expect(svg.getAttribute("height")).toBe("320");
  });
});

describe("lineChart in headless Chromium", () => {
  const dir = mkdtempSync(join(tmpdir(), "charts-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("has no overlapping texts, nothing outside its figures, and tooltips with the values", async (ctx) => {
    const report = new Report("charts", "Charts", "The charts of chart.test.ts.", {
      command: "npx vitest run test/notebooks/lib/chart.test.ts",
      seed: 1,
      parameters: {},
    });
    for (const [name, spec] of Object.entries({ scaleOuts: SCALE_OUTS, sweep: SWEEP, stacked: STACKED }))
      report.figure(name, spec.title, lineChart(spec), { columns: ["a"], rows: [[1]] });
    await expectReportInChromium(ctx, { dir, html: report.write(dir) });
  });

  it("finds overlapping texts where there are some (the check above can fail)", async (ctx) => {
    const other = join(dir, "overlapping");
    const report = new Report("overlap", "Overlap", "Texts on top of each other.", {
      command: "npx vitest run test/notebooks/lib/chart.test.ts",
      seed: 1,
      parameters: {},
    });
    // A chart whose event labels, as the charts drew them before, lie on each other.
    const svg = lineChart(STACKED).replace(
      "</svg>",
      '<text x="300" y="60">VM 3 crashes</text><text x="304" y="62">detected</text></svg>',
    );
    report.figure("overlap", "Overlapping labels", svg, { columns: ["a"], rows: [[1]] });
    await expect(expectReportInChromium(ctx, { dir: other, html: report.write(other) })).rejects.toThrow(
      /overlapping texts[\s\S]*VM 3 crashes/,
    );
  });
});
