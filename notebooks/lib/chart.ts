// Figures of the reports: d3 draws time-series charts as standalone SVG on a linkedom
// document (no browser), each with a title, axes labelled with their units, a legend, and
// marks for events on the time axis (failures, detections, scalings) and for thresholds
// (a deadline). The SVG goes inline into the HTML report and through resvg into a PNG.

import * as d3 from "d3";
import { parseHTML } from "linkedom";

/** One line of a chart: points (x, y); a y that is not finite breaks the line. */
export interface Series {
  readonly name: string;
  readonly points: readonly (readonly [number, number])[];
  /** Drawn as steps (a value that holds until the next point), not straight segments. */
  readonly step?: boolean;
  /**
   * A thin dashed line in the colour of the series named here, left out of the legend:
   * the lowest or highest of several runs around their median.
   */
  readonly boundOf?: string;
  /** A marker (a small circle) at each point: a measured point, not an interpolation. */
  readonly dots?: boolean;
  /** A dash pattern of the line (SVG stroke-dasharray, e.g. "6 3"), so that lines on top of each other stay apart. */
  readonly dash?: string;
  /** A confidence interval at some of the points, drawn as a whisker: [x, low, high]. */
  readonly intervals?: readonly (readonly [number, number, number])[];
  /** The samples behind the points (one per seed), drawn as small hollow circles beside them: [x, y]. */
  readonly samples?: readonly (readonly [number, number])[];
}

/** An event on the x axis: a vertical line with a short label. */
export interface Marker {
  readonly x: number;
  readonly label: string;
}

/** A threshold on the y axis: a dashed horizontal line with a label. */
export interface Threshold {
  readonly y: number;
  readonly label: string;
}

/** What a line chart shows. */
export interface LineChartSpec {
  readonly title: string;
  /** Axis labels, with their units: "time (s)", "latency (ms)". */
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  readonly markers?: readonly Marker[];
  readonly thresholds?: readonly Threshold[];
  /** The x axis: linear (default) or logarithmic (every x positive). */
  readonly xScale?: "linear" | "log";
  /** Lower bound of the y axis (default 0). */
  readonly yMin?: number;
  readonly width?: number;
  readonly height?: number;
}

/** Colours of the series, in order (colour-blind safe, Okabe-Ito). */
const PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"];
const MARGIN = { top: 36, right: 150, bottom: 44, left: 64 };
const FONT = "DejaVu Sans, sans-serif";

/** A line chart as a standalone SVG document (xmlns set, fonts named, sizes in pixels). */
export function lineChart(spec: LineChartSpec): string {
  const width = spec.width ?? 760;
  const height = spec.height ?? 320;
  const { document } = parseHTML("<!doctype html><html><body></body></html>");
  const svg = d3
    .select(document.body)
    .append("svg")
    .attr("xmlns", "http://www.w3.org/2000/svg")
    .attr("width", width)
    .attr("height", height)
    .attr("viewBox", `0 0 ${width} ${height}`)
    .attr("font-family", FONT)
    .attr("font-size", 11);
  svg.append("rect").attr("width", width).attr("height", height).attr("fill", "white");
  const all = spec.series
    .flatMap((s) => [
      ...s.points,
      ...(s.samples ?? []),
      ...(s.intervals ?? []).flatMap(([ix, lo, hi]) => [[ix, lo] as const, [ix, hi] as const]),
    ])
    .filter(([px, py]) => Number.isFinite(px) && Number.isFinite(py));
  const xs = all.map(([x]) => x).concat((spec.markers ?? []).map((m) => m.x));
  const ys = all.map(([, y]) => y).concat((spec.thresholds ?? []).map((t) => t.y));
  const [x0, x1] = xs.length === 0 ? [0, 1] : (d3.extent(xs) as [number, number]);
  const yMax = ys.length === 0 ? 1 : Math.max(...ys);
  const x = (
    spec.xScale === "log" && x0 > 0
      ? d3.scaleLog().domain([x0 / 1.15, x1 * 1.15])
      : d3.scaleLinear().domain([x0, x1 > x0 ? x1 : x0 + 1])
  ).range([MARGIN.left, width - MARGIN.right]);
  const y = d3
    .scaleLinear()
    .domain([spec.yMin ?? 0, yMax > (spec.yMin ?? 0) ? yMax : (spec.yMin ?? 0) + 1])
    .nice()
    .range([height - MARGIN.bottom, MARGIN.top]);
  svg
    .append("text")
    .attr("class", "title")
    .attr("x", MARGIN.left)
    .attr("y", 20)
    .attr("font-size", 14)
    .attr("font-weight", "bold")
    .text(spec.title);
  svg
    .append("g")
    .attr("class", "axis x")
    .attr("transform", `translate(0,${height - MARGIN.bottom})`)
    // biome-ignore lint/suspicious/noExplicitAny: d3's axis types expect a browser selection
    .call(d3.axisBottom(x).ticks(8) as any);
  svg
    .append("g")
    .attr("class", "axis y")
    .attr("transform", `translate(${MARGIN.left},0)`)
    // biome-ignore lint/suspicious/noExplicitAny: as above
    .call(d3.axisLeft(y).ticks(6) as any);
  svg
    .append("text")
    .attr("class", "label x")
    .attr("x", (MARGIN.left + width - MARGIN.right) / 2)
    .attr("y", height - 8)
    .attr("text-anchor", "middle")
    .text(spec.xLabel);
  svg
    .append("text")
    .attr("class", "label y")
    .attr("transform", `translate(16,${(MARGIN.top + height - MARGIN.bottom) / 2}) rotate(-90)`)
    .attr("text-anchor", "middle")
    .text(spec.yLabel);
  for (const t of spec.thresholds ?? []) {
    const g = svg.append("g").attr("class", "threshold");
    g.append("line")
      .attr("x1", MARGIN.left)
      .attr("x2", width - MARGIN.right)
      .attr("y1", y(t.y))
      .attr("y2", y(t.y))
      .attr("stroke", "#b00")
      .attr("stroke-dasharray", "6 4");
    g.append("text")
      .attr("x", MARGIN.left + 4)
      .attr("y", y(t.y) - 4)
      .attr("fill", "#b00")
      .text(t.label);
  }
  // Markers at one time share a line and a label.
  const merged = new Map<number, string[]>();
  for (const m of spec.markers ?? []) merged.set(m.x, [...(merged.get(m.x) ?? []), m.label]);
  [...merged].forEach(([mx, labels], i) => {
    const m = { x: mx, label: labels.join(", ") };
    const g = svg.append("g").attr("class", "marker");
    g.append("line")
      .attr("x1", x(m.x))
      .attr("x2", x(m.x))
      .attr("y1", MARGIN.top)
      .attr("y2", height - MARGIN.bottom)
      .attr("stroke", "#888")
      .attr("stroke-width", 0.8);
    g.append("text")
      .attr("x", x(m.x) + 2)
      .attr("y", MARGIN.top + 10 + (i % 3) * 11)
      .attr("font-size", 9)
      .attr("fill", "#555")
      .text(m.label);
  });
  const main = spec.series.filter((s) => s.boundOf === undefined);
  const colourOf = (s: Series) => {
    const i = main.findIndex((m) => m.name === (s.boundOf ?? s.name));
    return PALETTE[(i < 0 ? 0 : i) % PALETTE.length];
  };
  spec.series.forEach((s) => {
    const colour = colourOf(s);
    const line = d3
      .line<readonly [number, number]>()
      .defined(([px, py]) => Number.isFinite(px) && Number.isFinite(py))
      .x(([px]) => x(px))
      .y(([, py]) => y(py));
    if (s.step) line.curve(d3.curveStepAfter);
    svg
      .append("path")
      .attr("class", "series")
      .attr("data-name", s.name)
      .attr("fill", "none")
      .attr("stroke", colour)
      .attr("stroke-width", s.boundOf === undefined ? 1.5 : 0.8)
      .attr("stroke-dasharray", s.boundOf === undefined ? (s.dash ?? null) : "3 3")
      .attr("d", line(s.points as [number, number][]) ?? "");
    const finite = ([px, py]: readonly [number, number]) => Number.isFinite(px) && Number.isFinite(py);
    for (const [ix, lo, hi] of s.intervals ?? []) {
      if (!finite([ix, lo]) || !finite([ix, hi])) continue;
      const g = svg.append("g").attr("class", "interval").attr("data-name", s.name).attr("stroke", colour);
      g.append("line").attr("x1", x(ix)).attr("x2", x(ix)).attr("y1", y(lo)).attr("y2", y(hi));
      for (const v of [lo, hi])
        g.append("line")
          .attr("x1", x(ix) - 4)
          .attr("x2", x(ix) + 4)
          .attr("y1", y(v))
          .attr("y2", y(v));
    }
    for (const [px, py] of (s.samples ?? []).filter(finite))
      svg
        .append("circle")
        .attr("class", "sample")
        .attr("cx", x(px) + 6)
        .attr("cy", y(py))
        .attr("r", 2)
        .attr("fill", "none")
        .attr("stroke", colour)
        .attr("stroke-width", 0.8);
    if (s.dots === true)
      for (const [px, py] of s.points.filter(finite))
        svg
          .append("circle")
          .attr("class", "dot")
          .attr("data-name", s.name)
          .attr("cx", x(px))
          .attr("cy", y(py))
          .attr("r", 3)
          .attr("fill", colour);
    if (s.boundOf !== undefined) return;
    const ly = MARGIN.top + 14 + main.indexOf(s) * 16;
    const legend = svg.append("g").attr("class", "legend");
    legend
      .append("line")
      .attr("x1", width - MARGIN.right + 12)
      .attr("x2", width - MARGIN.right + 32)
      .attr("y1", ly - 4)
      .attr("y2", ly - 4)
      .attr("stroke", colour)
      .attr("stroke-width", 2);
    legend
      .append("text")
      .attr("x", width - MARGIN.right + 36)
      .attr("y", ly)
      .text(s.name);
  });
  return svg.node()!.outerHTML;
}
