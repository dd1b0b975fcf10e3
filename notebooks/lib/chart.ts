// Figures of the reports: d3 draws time-series charts as standalone SVG on a linkedom
// document (no browser), each with a title, axes labelled with their units, a legend, and
// marks for events on the time axis (failures, detections, scalings) and for thresholds
// (a deadline). The SVG goes inline into the HTML report and through resvg into a PNG.
//
// Laid out so that no two texts overlap, with text widths estimated from DejaVu Sans's
// metrics (textWidth.ts): the margins grow to the widest tick label and the longest legend
// entry, long titles wrap, events are numbered above the plot and listed below it
// (chartEvents.ts), a threshold's label takes a free place. Ranges, samples and whiskers are
// drawn behind the lines, point markers on top, and a line lying on an earlier one gets a
// dash pattern (coincidentLines.ts). Every data point carries its values (data-* attributes)
// for the report's hover tooltips (tooltip.ts).

import * as d3 from "d3";
import { parseHTML } from "linkedom";
import { type NumberedEvent, numberEvents } from "./chartEvents.js";
import { coincidentLines } from "./coincidentLines.js";
import { ASCENT_EM, DESCENT_EM, LINE_HEIGHT_EM, textWidthPx, wrapText } from "./textWidth.js";

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
  /** A marker at each point (a shape of the series' own): a measured point, not an interpolation. */
  readonly dots?: boolean;
  /**
   * A dash pattern of the line (SVG stroke-dasharray, e.g. "6 3"), so that lines on top of each
   * other stay apart. Without one, a line lying on an earlier line gets one of its own.
   */
  readonly dash?: string;
  /** A confidence interval at some of the points, drawn as a whisker: [x, low, high]. */
  readonly intervals?: readonly (readonly [number, number, number])[];
  /** The samples behind the points (one per seed), drawn as small hollow circles beside them: [x, y]. */
  readonly samples?: readonly (readonly [number, number])[];
}

/** An event on the x axis: a vertical line, numbered above the plot, its label in the list of events below. */
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
  /** Width of the figure (default 760). */
  readonly width?: number;
  /** Height of the plot with its title and axes (default 320); a long legend or a list of events adds to it. */
  readonly height?: number;
}

/** Colours of the series, in order (colour-blind safe, Okabe-Ito). */
const PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"];
/** Dash patterns given, in turn, to lines that lie on an earlier line. */
const DASHES = ["6 3", "2 2", "9 3 2 3", "1 3", "12 4", "4 2 1 2"];
/** Point markers of the series, in order: a series is told apart by its shape as well as its colour. */
const SYMBOLS = [
  d3.symbolCircle,
  d3.symbolSquare,
  d3.symbolTriangle,
  d3.symbolDiamond,
  d3.symbolStar,
  d3.symbolWye,
  d3.symbolCross,
];
const FONT = "DejaVu Sans, sans-serif";
const FONT_PX = 11;
const TITLE_PX = 14;
const EVENT_PX = 9;
const LINE_PX = FONT_PX * LINE_HEIGHT_EM;
/** Width of a line; in a stack of lines on top of each other, each one below is this much wider than the next. */
const LINE_WIDTH_PX = 1.5;
const STACK_STEP_PX = 0.6;
/** Space kept free at the figure's edges. */
const EDGE_PX = 8;
/** d3's axes: tick length and the gap between a tick and its label. */
const TICK_PX = 6;
const TICK_GAP_PX = 3;
/** The legend: gap from the plot, length of a series' swatch, gap before its name. */
const LEGEND_GAP_PX = 12;
const SWATCH_PX = 26;
const SWATCH_GAP_PX = 6;
/** The widest a legend may make the right margin, as a share of the figure's width (longer names wrap). */
const LEGEND_SHARE = 0.3;

type Point = readonly [number, number];
type Scale = d3.ScaleContinuousNumeric<number, number>;
// biome-ignore lint/suspicious/noExplicitAny: d3 selections on a linkedom document are untyped
type Sel = d3.Selection<any, unknown, null, undefined>;

const finite = ([px, py]: Point) => Number.isFinite(px) && Number.isFinite(py);

/** A value in a data attribute (and so in a tooltip): at most 6 significant digits. */
function value(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
}

/** A pixel position in an attribute: to a tenth of a pixel. */
function pixel(v: number): number {
  return Math.round(v * 10) / 10;
}

/** The unit of an axis label, from its parentheses: "time (s)" → "s". */
function unitOf(label: string): string {
  return /\(([^()]*)\)\s*$/.exec(label)?.[1] ?? "";
}

/** Lines of text under one `text` element, each a tspan `lineHeightPx` below the one before. */
function addLines(text: Sel, lines: readonly string[], lineHeightPx: number, x = 0): Sel {
  lines.forEach((l, i) => {
    text
      .append("tspan")
      .attr("x", x)
      .attr("dy", i === 0 ? null : lineHeightPx)
      .text(l);
  });
  return text;
}

/** Ticks of an axis whose labels, `widthOf` wide around their positions, stay `gapPx` apart. */
function spacedTicks(
  candidates: readonly number[],
  at: (v: number) => number,
  format: (v: number) => string,
  widthOf: (label: string) => number,
  gapPx: number,
): number[] {
  const kept: number[] = [];
  let end = Number.NEGATIVE_INFINITY;
  for (const v of [...candidates].sort((a, b) => at(a) - at(b))) {
    const w = widthOf(format(v));
    if (format(v) === "" || at(v) - w / 2 < end + gapPx) continue;
    kept.push(v);
    end = at(v) + w / 2;
  }
  return kept;
}

/**
 * The x axis's ticks: as many as fit with their labels apart. A log axis labels its data's
 * x values if they are few, else powers of ten first, then their 2 and 5 multiples, then the rest.
 */
function xTicks(
  x: Scale,
  log: boolean,
  plotWidthPx: number,
  dataXs: readonly number[],
): { values: number[]; format: (v: number) => string } {
  const widthOf = (s: string) => textWidthPx(s, FONT_PX);
  if (log) {
    const format = d3.format("~g");
    const distinct = [...new Set(dataXs)];
    const mantissa = (v: number) => Number((v / 10 ** Math.floor(Math.log10(v) + 1e-9)).toPrecision(3));
    const rankOf = (v: number) => [1, 2, 5].indexOf(mantissa(v)) + 1 || 4;
    const candidates =
      distinct.length >= 2 && distinct.length <= 12
        ? distinct
        : x.ticks().sort((a, b) => rankOf(a) - rankOf(b) || a - b);
    const kept: number[] = [];
    for (const v of candidates) {
      const w = widthOf(format(v));
      const clear = kept.every((k) => Math.abs(x(k) - x(v)) >= (w + widthOf(format(k))) / 2 + 10);
      if (clear) kept.push(v);
    }
    return { values: kept.sort((a, b) => a - b), format };
  }
  for (let count = Math.max(2, Math.floor(plotWidthPx / 70)); ; count--) {
    const format = x.tickFormat(count);
    const candidates = x.ticks(count);
    const values = spacedTicks(candidates, x, format, widthOf, 10);
    if (values.length === candidates.length || count <= 2) return { values, format };
  }
}

/** Where the texts of the figure go, and its scales: computed before anything is drawn. */
interface Layout {
  readonly width: number;
  readonly height: number;
  readonly titleLines: readonly string[];
  readonly plot: {
    readonly left: number;
    readonly right: number;
    readonly top: number;
    readonly bottom: number;
  };
  readonly x: Scale;
  readonly y: Scale;
  readonly xTicks: { readonly values: readonly number[]; readonly format: (v: number) => string };
  readonly yTicks: { readonly values: readonly number[]; readonly format: (v: number) => string };
  readonly xLabelLines: readonly string[];
  readonly yLabelLines: readonly string[];
  /** Legend entries: the series (by index in spec.series) and its name's lines. */
  readonly legend: readonly { readonly index: number; readonly lines: readonly string[] }[];
  readonly events: readonly NumberedEvent[];
  /** Where each event's entry in the list of events goes (top-left of its first line's box). */
  readonly eventEntries: readonly {
    readonly x: number;
    readonly top: number;
    readonly lines: readonly string[];
  }[];
}

/** The x and y extents of everything drawn. */
function extents(spec: LineChartSpec) {
  const all = spec.series
    .flatMap((s) => [
      ...s.points,
      ...(s.samples ?? []),
      ...(s.intervals ?? []).flatMap(([ix, lo, hi]) => [[ix, lo] as const, [ix, hi] as const]),
    ])
    .filter(finite)
    .filter(([px]) => spec.xScale !== "log" || px > 0);
  const markerXs = (spec.markers ?? []).map((m) => m.x).filter((v) => Number.isFinite(v));
  const xs = all.map(([px]) => px).concat(markerXs.filter((v) => spec.xScale !== "log" || v > 0));
  const ys = all.map(([, py]) => py).concat((spec.thresholds ?? []).map((t) => t.y).filter(Number.isFinite));
  const [x0, x1] = xs.length === 0 ? [0, 1] : (d3.extent(xs) as [number, number]);
  const yLow = spec.yMin ?? 0;
  const yMax = ys.length === 0 ? 1 : Math.max(...ys);
  return { x0, x1, yLow, yHigh: yMax > yLow ? yMax : yLow + 1 };
}

/** Lay the figure out: margins from the widest texts, scales, ticks, legend and events. */
function layout(spec: LineChartSpec): Layout {
  const width = spec.width ?? 760;
  const specHeight = spec.height ?? 320;
  const markers = (spec.markers ?? []).filter((m) => Number.isFinite(m.x));
  const { x0, x1, yLow, yHigh } = extents(spec);

  const titleLines = wrapText(spec.title, width - 2 * EDGE_PX, TITLE_PX, true);
  const titleBottom =
    EDGE_PX + (ASCENT_EM + DESCENT_EM) * TITLE_PX + (titleLines.length - 1) * TITLE_PX * LINE_HEIGHT_EM;
  // Above the plot: the events' numbers, if any.
  const top = Math.ceil(titleBottom + (markers.length > 0 ? EVENT_PX * LINE_HEIGHT_EM + 6 : 10));

  // The legend, in the right margin: as wide as its longest name, up to a share of the figure.
  const legendTextMax = Math.max(
    60,
    width * LEGEND_SHARE - LEGEND_GAP_PX - SWATCH_PX - SWATCH_GAP_PX - EDGE_PX,
  );
  const legend = spec.series
    .map((s, index) => ({ s, index }))
    .filter(({ s }) => s.boundOf === undefined)
    .map(({ s, index }) => ({ index, lines: wrapText(s.name, legendTextMax, FONT_PX) }));
  const legendTextWidth = Math.max(0, ...legend.flatMap((e) => e.lines.map((l) => textWidthPx(l, FONT_PX))));
  const right =
    width -
    (legend.length === 0
      ? 2 * EDGE_PX
      : LEGEND_GAP_PX + SWATCH_PX + SWATCH_GAP_PX + legendTextWidth + EDGE_PX);
  const legendHeight = legend.reduce((h, e) => h + e.lines.length * LINE_PX + 4, 8);

  // Below the plot: tick labels, then the x axis's title.
  const xLabelLines = wrapText(spec.xLabel, width - 2 * EDGE_PX, FONT_PX);
  const xTickBottom = TICK_PX + TICK_GAP_PX + (ASCENT_EM + DESCENT_EM) * FONT_PX;
  const below = xTickBottom + 6 + xLabelLines.length * LINE_PX + EDGE_PX;
  const bottom = Math.max(specHeight - below, top + legendHeight, top + 60);

  const yTickCount = Math.max(2, Math.floor((bottom - top) / 40));
  const y = d3.scaleLinear().domain([yLow, yHigh]).nice(yTickCount).range([bottom, top]);
  const yFormat = y.tickFormat(yTickCount);
  const yValues = y.ticks(yTickCount);
  const yTickWidth = Math.max(...yValues.map((v) => textWidthPx(yFormat(v), FONT_PX)));

  // Left of the plot: the y axis's title (rotated, its lines left to right), then tick labels.
  const yLabelLines = wrapText(spec.yLabel, bottom - top, FONT_PX);
  const yLabelRight = EDGE_PX + (ASCENT_EM + DESCENT_EM) * FONT_PX + (yLabelLines.length - 1) * LINE_PX;
  const left = Math.ceil(yLabelRight + 6 + yTickWidth + TICK_PX + TICK_GAP_PX);

  const log = spec.xScale === "log" && x0 > 0;
  const x = (
    log ? d3.scaleLog().domain([x0 / 1.15, x1 * 1.15]) : d3.scaleLinear().domain([x0, x1 > x0 ? x1 : x0 + 1])
  ).range([left, right]);

  // The events: numbered above the plot, listed below the x axis's title.
  const widestNumber = textWidthPx(String(markers.length), EVENT_PX, true);
  const events = numberEvents(markers, x, widestNumber + 5, unitOf(spec.xLabel));
  const eventEntries: { x: number; top: number; lines: string[] }[] = [];
  let cursor = { x: EDGE_PX, top: bottom + below - EDGE_PX + 6, rowLines: 0 };
  for (const e of events) {
    const lines = wrapText(`${e.number} ${e.description}`, width - 2 * EDGE_PX, FONT_PX);
    const w = Math.max(...lines.map((l) => textWidthPx(l, FONT_PX)));
    if (cursor.x > EDGE_PX && cursor.x + w > width - EDGE_PX)
      cursor = { x: EDGE_PX, top: cursor.top + cursor.rowLines * LINE_PX + 2, rowLines: 0 };
    eventEntries.push({ x: cursor.x, top: cursor.top, lines });
    cursor = { x: cursor.x + w + 16, top: cursor.top, rowLines: Math.max(cursor.rowLines, lines.length) };
  }
  const eventsBottom = events.length === 0 ? 0 : cursor.top + cursor.rowLines * LINE_PX + EDGE_PX;

  return {
    width,
    height: Math.ceil(Math.max(specHeight, bottom + below, eventsBottom)),
    titleLines,
    plot: { left, right, top, bottom },
    x,
    y,
    xTicks: xTicks(
      x,
      log,
      right - left,
      spec.series.flatMap((s) => s.points.map(([px]) => px)).filter((v) => Number.isFinite(v) && v > 0),
    ),
    yTicks: { values: yValues, format: yFormat },
    xLabelLines,
    yLabelLines,
    legend,
    events,
    eventEntries,
  };
}

/** A box of text: left, top, right, bottom. */
type Box = readonly [number, number, number, number];
const overlaps = (a: Box, b: Box) => a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];

/**
 * Where each threshold's label goes: above its line at the left, else below it, else at the
 * right, whichever first stays inside the plot clear of the labels placed before it.
 */
function thresholdLabels(
  thresholds: readonly Threshold[],
  l: Layout,
): { x: number; baseline: number; anchor: "start" | "end" }[] {
  const placed: Box[] = [];
  return thresholds.map((t) => {
    const w = textWidthPx(t.label, FONT_PX);
    const ty = l.y(t.y);
    const candidates = [
      { x: l.plot.left + 4, baseline: ty - 4, anchor: "start" as const },
      { x: l.plot.left + 4, baseline: ty + 4 + ASCENT_EM * FONT_PX, anchor: "start" as const },
      { x: l.plot.right - 4, baseline: ty - 4, anchor: "end" as const },
      { x: l.plot.right - 4, baseline: ty + 4 + ASCENT_EM * FONT_PX, anchor: "end" as const },
    ];
    const boxOf = (c: (typeof candidates)[number]): Box => {
      const x0 = c.anchor === "start" ? c.x : c.x - w;
      return [x0, c.baseline - ASCENT_EM * FONT_PX, x0 + w, c.baseline + DESCENT_EM * FONT_PX];
    };
    const fits = (b: Box) =>
      b[1] >= l.plot.top && b[3] <= l.plot.bottom && !placed.some((p) => overlaps(p, b));
    const chosen = candidates.find((c) => fits(boxOf(c))) ?? candidates[0];
    placed.push(boxOf(chosen));
    return chosen;
  });
}

/** The chart's style of each series: colour, dash, width, marker shape. */
function styles(spec: LineChartSpec, l: Layout) {
  const mainNames = spec.series.filter((s) => s.boundOf === undefined).map((s) => s.name);
  const mainIndex = (s: Series) => Math.max(0, mainNames.indexOf(s.boundOf ?? s.name));
  const drawn = spec.series.map((s) => ({
    points: s.points
      .filter(finite)
      .map(([px, py]) => [l.x(px), l.y(py)] as const)
      .filter(finite)
      .sort((a, b) => a[0] - b[0]),
    step: s.step === true,
  }));
  // Only main lines are compared (bounds are thin dashed already), in their order.
  const mains = spec.series.map((s, i) => ({ s, i })).filter(({ s }) => s.boundOf === undefined);
  const { hidden, stacked } = coincidentLines(mains.map(({ i }) => drawn[i]));
  let dashes = 0;
  const dashOf = new Map<number, string>();
  const widthOf = new Map<number, number>();
  const stackedCount = stacked.size;
  let rank = 0;
  mains.forEach(({ s, i }, k) => {
    if (s.dash !== undefined) dashOf.set(i, s.dash);
    else if (hidden.has(k)) dashOf.set(i, DASHES[dashes++ % DASHES.length]);
    // In a stack of lines, the first drawn is the widest: each shows at the edges of those on it.
    if (stacked.has(k)) widthOf.set(i, LINE_WIDTH_PX + STACK_STEP_PX * (stackedCount - 1 - rank++));
  });
  return spec.series.map((s, i) => ({
    colour: PALETTE[mainIndex(s) % PALETTE.length],
    dash: s.boundOf === undefined ? dashOf.get(i) : "3 3",
    strokeWidth: s.boundOf === undefined ? (widthOf.get(i) ?? LINE_WIDTH_PX) : 0.8,
    symbol: SYMBOLS[mainIndex(s) % SYMBOLS.length],
  }));
}

type Style = ReturnType<typeof styles>[number];

/** Title, axes and their titles. */
function drawFrame(svg: Sel, l: Layout): void {
  addLines(
    svg
      .append("text")
      .attr("class", "title")
      .attr("x", EDGE_PX)
      .attr("y", EDGE_PX + ASCENT_EM * TITLE_PX)
      .attr("font-size", TITLE_PX)
      .attr("font-weight", "bold"),
    l.titleLines,
    TITLE_PX * LINE_HEIGHT_EM,
    EDGE_PX,
  );
  const tickFormat = (format: (v: number) => string) => (v: d3.NumberValue) => format(Number(v));
  svg
    .append("g")
    .attr("class", "axis x")
    .attr("transform", `translate(0,${l.plot.bottom})`)
    .call(d3.axisBottom(l.x).tickValues(l.xTicks.values).tickFormat(tickFormat(l.xTicks.format)));
  svg
    .append("g")
    .attr("class", "axis y")
    .attr("transform", `translate(${l.plot.left},0)`)
    .call(d3.axisLeft(l.y).tickValues(l.yTicks.values).tickFormat(tickFormat(l.yTicks.format)));
  const xLabelWidth = Math.max(...l.xLabelLines.map((s) => textWidthPx(s, FONT_PX)));
  const xCentre = Math.min(
    Math.max((l.plot.left + l.plot.right) / 2, EDGE_PX + xLabelWidth / 2),
    l.width - EDGE_PX - xLabelWidth / 2,
  );
  addLines(
    svg
      .append("text")
      .attr("class", "label x")
      .attr("x", xCentre)
      .attr(
        "y",
        l.plot.bottom + TICK_PX + TICK_GAP_PX + (ASCENT_EM + DESCENT_EM) * FONT_PX + 6 + ASCENT_EM * FONT_PX,
      )
      .attr("text-anchor", "middle"),
    l.xLabelLines,
    LINE_PX,
    xCentre,
  );
  addLines(
    svg
      .append("text")
      .attr("class", "label y")
      .attr(
        "transform",
        `translate(${EDGE_PX + ASCENT_EM * FONT_PX},${(l.plot.top + l.plot.bottom) / 2}) rotate(-90)`,
      )
      .attr("text-anchor", "middle"),
    l.yLabelLines,
    LINE_PX,
  );
}

/** Each event's lines across the plot, its number above it and its entry in the list below. */
function drawEvents(svg: Sel, l: Layout): void {
  l.events.forEach((e, i) => {
    const g = svg.append("g").attr("class", "marker").attr("data-number", e.number);
    for (const m of e.members)
      g.append("line")
        .attr("x1", m.px)
        .attr("x2", m.px)
        .attr("y1", l.plot.top)
        .attr("y2", l.plot.bottom)
        .attr("stroke", "#888")
        .attr("stroke-width", 0.8);
    g.append("text")
      .attr("class", "marker-number")
      .attr("x", e.anchorPx)
      .attr("y", l.plot.top - 5)
      .attr("text-anchor", "middle")
      .attr("font-size", EVENT_PX)
      .attr("font-weight", "bold")
      .attr("fill", "#444")
      .text(String(e.number));
    const entry = l.eventEntries[i];
    const label = addLines(
      g
        .append("text")
        .attr("class", "marker-label")
        .attr("x", entry.x)
        .attr("y", entry.top + ASCENT_EM * FONT_PX)
        .attr("fill", "#444"),
      entry.lines,
      LINE_PX,
      entry.x,
    );
    // The number in bold, as above the plot: the first line starts with it.
    const first = label.select("tspan").text(null);
    first.append("tspan").attr("font-weight", "bold").text(String(e.number));
    first.append("tspan").text(entry.lines[0].slice(String(e.number).length));
  });
}

/** The data attributes a tooltip reads: the series, the values and where the point is drawn. */
function pointData(sel: Sel, name: string, px: number, py: number, values: Record<string, number>): Sel {
  sel.attr("data-name", name).attr("data-px", pixel(px)).attr("data-py", pixel(py));
  for (const [k, v] of Object.entries(values)) sel.attr(`data-${k}`, value(v));
  return sel;
}

/** A series' whiskers and samples: behind every line. */
function drawSpread(svg: Sel, s: Series, style: Style, l: Layout): void {
  for (const [ix, lo, hi] of s.intervals ?? []) {
    if (![ix, lo, hi].every(Number.isFinite) || !Number.isFinite(l.x(ix))) continue;
    const [px, pLo, pHi] = [l.x(ix), l.y(lo), l.y(hi)];
    const g = pointData(
      svg.append("g").attr("class", "interval").attr("data-kind", "interval").attr("stroke", style.colour),
      s.name,
      px,
      (pLo + pHi) / 2,
      { x: ix, low: lo, high: hi },
    );
    g.append("line").attr("x1", px).attr("x2", px).attr("y1", pLo).attr("y2", pHi);
    for (const v of [pLo, pHi])
      g.append("line")
        .attr("x1", px - 4)
        .attr("x2", px + 4)
        .attr("y1", v)
        .attr("y2", v);
    // A wider, invisible stroke along the whisker, for the pointer.
    g.append("line")
      .attr("x1", px)
      .attr("x2", px)
      .attr("y1", pLo)
      .attr("y2", pHi)
      .attr("stroke", "transparent")
      .attr("stroke-width", 8);
  }
  // Samples beside their point, spread a little in x (by their order at that x) so that equal ones show.
  const seen = new Map<number, number>();
  for (const [sx, sy] of (s.samples ?? []).filter(finite)) {
    if (!Number.isFinite(l.x(sx))) continue;
    const k = seen.get(sx) ?? 0;
    seen.set(sx, k + 1);
    const px = l.x(sx) + 5 + ((k * 0.618) % 1) * 4;
    pointData(
      svg
        .append("circle")
        .attr("class", "sample")
        .attr("data-kind", "sample")
        .attr("cx", pixel(px))
        .attr("cy", pixel(l.y(sy)))
        .attr("r", 2.2)
        .attr("fill", "white")
        .attr("fill-opacity", 0.01)
        .attr("stroke", style.colour)
        .attr("stroke-width", 0.9),
      s.name,
      px,
      l.y(sy),
      { x: sx, y: sy },
    );
  }
}

/** A series' line: its vertices and their values in data-points, [x, y, px, py] each. */
function drawLine(svg: Sel, s: Series, style: Style, l: Layout): void {
  const line = d3
    .line<Point>()
    .defined(finite)
    .x(([px]) => l.x(px))
    .y(([, py]) => l.y(py));
  if (s.step) line.curve(d3.curveStepAfter);
  const vertices = s.points
    .filter(finite)
    .filter(([px]) => Number.isFinite(l.x(px)))
    .map(([px, py]) => [value(px), value(py), pixel(l.x(px)), pixel(l.y(py))].map(Number));
  svg
    .append("path")
    .attr("class", "series")
    .attr("data-name", s.name)
    .attr("data-points", JSON.stringify(vertices))
    .attr("fill", "none")
    .attr("stroke", style.colour)
    .attr("stroke-width", style.strokeWidth)
    .attr("stroke-dasharray", style.dash ?? null)
    .attr("d", line(s.points.filter(([px]) => Number.isFinite(l.x(px))) as Point[]) ?? "");
}

/** A series' point markers, on top of every line; each with its interval, if it has one. */
function drawDots(svg: Sel, s: Series, style: Style, l: Layout): void {
  const symbol = d3.symbol().type(style.symbol).size(34);
  const intervalAt = new Map((s.intervals ?? []).map(([ix, lo, hi]) => [ix, { low: lo, high: hi }]));
  for (const [px, py] of s.points.filter(finite)) {
    if (!Number.isFinite(l.x(px))) continue;
    pointData(
      svg
        .append("path")
        .attr("class", "dot")
        .attr("data-kind", "point")
        .attr("d", symbol() ?? "")
        .attr("transform", `translate(${pixel(l.x(px))},${pixel(l.y(py))})`)
        .attr("fill", style.colour)
        .attr("stroke", "white")
        .attr("stroke-width", 0.6),
      s.name,
      l.x(px),
      l.y(py),
      { x: px, y: py, ...(intervalAt.get(px) ?? {}) },
    );
  }
}

/** The legend: each main series' swatch (its colour, dash and marker) and its name. */
function drawLegend(svg: Sel, spec: LineChartSpec, st: readonly Style[], l: Layout): void {
  const legend = svg.append("g").attr("class", "legend");
  let top = l.plot.top + 4;
  for (const e of l.legend) {
    const s = spec.series[e.index];
    const style = st[e.index];
    const x0 = l.plot.right + LEGEND_GAP_PX;
    const mid = top + (ASCENT_EM * FONT_PX) / 2 + 1;
    legend
      .append("line")
      .attr("x1", x0)
      .attr("x2", x0 + SWATCH_PX)
      .attr("y1", mid)
      .attr("y2", mid)
      .attr("stroke", style.colour)
      .attr("stroke-width", 2)
      .attr("stroke-dasharray", style.dash ?? null);
    if (s.dots === true)
      legend
        .append("path")
        .attr("d", d3.symbol().type(style.symbol).size(34)() ?? "")
        .attr("transform", `translate(${x0 + SWATCH_PX / 2},${mid})`)
        .attr("fill", style.colour);
    addLines(
      legend
        .append("text")
        .attr("x", x0 + SWATCH_PX + SWATCH_GAP_PX)
        .attr("y", top + ASCENT_EM * FONT_PX),
      e.lines,
      LINE_PX,
      x0 + SWATCH_PX + SWATCH_GAP_PX,
    );
    top += e.lines.length * LINE_PX + 4;
  }
}

/** A line chart as a standalone SVG document (xmlns set, fonts named, sizes in pixels). */
export function lineChart(spec: LineChartSpec): string {
  const l = layout(spec);
  const { document } = parseHTML("<!doctype html><html><body></body></html>");
  const svg = d3
    .select(document.body)
    .append("svg")
    .attr("xmlns", "http://www.w3.org/2000/svg")
    .attr("class", "chart")
    .attr("width", l.width)
    .attr("height", l.height)
    .attr("viewBox", `0 0 ${l.width} ${l.height}`)
    .attr("font-family", FONT)
    .attr("font-size", FONT_PX)
    .attr("data-x-label", spec.xLabel)
    .attr("data-y-label", spec.yLabel);
  svg.append("rect").attr("width", l.width).attr("height", l.height).attr("fill", "white");
  drawFrame(svg, l);
  drawEvents(svg, l);
  const thresholds = (spec.thresholds ?? []).filter((t) => Number.isFinite(t.y));
  const labels = thresholdLabels(thresholds, l);
  const groups = thresholds.map((t) =>
    svg
      .append("g")
      .attr("class", "threshold")
      .call((g: Sel) =>
        g
          .append("line")
          .attr("x1", l.plot.left)
          .attr("x2", l.plot.right)
          .attr("y1", l.y(t.y))
          .attr("y2", l.y(t.y))
          .attr("stroke", "#b00")
          .attr("stroke-dasharray", "6 4"),
      ),
  );
  // Behind to front: ranges of runs, whiskers and samples, lines, point markers.
  const st = styles(spec, l);
  const order = spec.series.map((s, i) => ({ s, i }));
  for (const { s, i } of order.filter(({ s }) => s.boundOf !== undefined)) drawLine(svg, s, st[i], l);
  for (const { s, i } of order) drawSpread(svg, s, st[i], l);
  for (const { s, i } of order.filter(({ s }) => s.boundOf === undefined)) drawLine(svg, s, st[i], l);
  for (const { s, i } of order.filter(({ s }) => s.dots === true)) drawDots(svg, s, st[i], l);
  // Texts on top of the lines.
  thresholds.forEach((t, i) => {
    groups[i]
      .append("text")
      .attr("x", labels[i].x)
      .attr("y", labels[i].baseline)
      .attr("text-anchor", labels[i].anchor)
      .attr("fill", "#b00")
      .text(t.label);
  });
  drawLegend(svg, spec, st, l);
  return svg.node()!.outerHTML;
}
