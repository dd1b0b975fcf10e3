// A report as a browser shows it, for the report tests (each builds its report once and
// hands it here, through expectReportInChromium): opened from disk in headless Chromium
// (Debian's `chromium`, driven by puppeteer-core), it loads without a console error or
// warning, an uncaught exception or a failed request, and draws every figure: one SVG per
// figure (as many as PNGs written), at its size, with its title, axis labels, tick labels,
// legend and lines of data all of non-zero rendered size and the lines inside the figure; no
// two texts of a figure overlap and none leaves it; hovering a point marker or a line's
// vertex shows a tooltip with its values; the page is no wider than the window (wide tables
// scroll in their box); a screenshot of each figure is a PNG of its size with something
// drawn in it. Without Chromium the check is skipped with a message saying so, unless
// SEEP_REQUIRE_CHROMIUM=1 (CI) makes it fail.

import { existsSync, readdirSync } from "node:fs";
import { delimiter, join } from "node:path";
import { pathToFileURL } from "node:url";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { expect, type TestContext } from "vitest";
import { pngSize } from "./pngSize.js";

/** Debian's Chromium: `chromium` on the PATH (the package installs /usr/bin/chromium). */
export function findChromium(): string | undefined {
  return (process.env.PATH ?? "")
    .split(delimiter)
    .filter((d) => d !== "")
    .map((d) => join(d, "chromium"))
    .find((p) => existsSync(p));
}

/** Bounds of each step in the browser, so a hung browser fails the test rather than hangs it. */
const LAUNCH_MS = 30_000;
const STEP_MS = 15_000;
/**
 * A figure's screenshot PNG is at least this many bytes: a blank 760x320 one is about
 * 1.5 kB, this report's figures 12 to 32 kB.
 */
const MIN_FIGURE_PNG_BYTES = 6_000;

interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** A text of a figure as rendered: its content and on-screen box. */
interface RenderedText {
  readonly text: string;
  readonly rect: Box;
}

/** The little of the DOM read in the page (the project's type check has no DOM library). */
interface PageElement {
  readonly id: string;
  readonly textContent: string | null;
  querySelectorAll(selector: string): ArrayLike<PageElement>;
  getAttribute(name: string): string | null;
  getBoundingClientRect(): Box;
  getBBox(): Box;
  getTotalLength(): number;
}

/** What the page shows of one figure. */
interface RenderedFigure {
  readonly id: string;
  readonly svgs: number;
  readonly size: { readonly width: number; readonly height: number };
  readonly rendered: Box;
  /** Rendered size of the title, the axis labels and the legend (getBBox). */
  readonly title: Box;
  readonly xLabel: Box;
  readonly yLabel: Box;
  readonly legend: Box;
  /** Tick labels of each axis: their text and rendered size. */
  readonly xTicks: readonly { readonly text: string; readonly box: Box }[];
  readonly yTicks: readonly { readonly text: string; readonly box: Box }[];
  /** Lines of data: rendered length, stroke, and on-screen box. */
  readonly series: readonly { readonly length: number; readonly stroke: string; readonly rect: Box }[];
  /** Every text element with something in it, where it is drawn (getBoundingClientRect). */
  readonly texts: readonly RenderedText[];
}

/** Runs in the page: every figure of the report, as rendered. */
function renderedFigures(): RenderedFigure[] {
  const g = globalThis as unknown as {
    document: PageElement;
    getComputedStyle(e: PageElement): { stroke: string };
  };
  const box = (b: Box | undefined): Box =>
    b === undefined
      ? { x: 0, y: 0, width: 0, height: 0 }
      : { x: b.x, y: b.y, width: b.width, height: b.height };
  const all = (e: PageElement, s: string) => Array.from(e.querySelectorAll(s));
  const ticks = (svg: PageElement, axis: string) =>
    all(svg, `g.axis.${axis} .tick text`).map((t) => ({ text: t.textContent ?? "", box: box(t.getBBox()) }));
  return all(g.document, "figure").map((f) => {
    const svgs = all(f, "svg");
    const svg = svgs[0];
    if (svg === undefined)
      return {
        id: f.id,
        svgs: 0,
        size: { width: 0, height: 0 },
        rendered: box(undefined),
        title: box(undefined),
        xLabel: box(undefined),
        yLabel: box(undefined),
        legend: box(undefined),
        xTicks: [],
        yTicks: [],
        series: [],
        texts: [],
      };
    return {
      id: f.id,
      svgs: svgs.length,
      size: { width: Number(svg.getAttribute("width")), height: Number(svg.getAttribute("height")) },
      rendered: box(svg.getBoundingClientRect()),
      title: box(all(svg, "text.title")[0]?.getBBox()),
      xLabel: box(all(svg, "text.label.x")[0]?.getBBox()),
      yLabel: box(all(svg, "text.label.y")[0]?.getBBox()),
      legend: box(all(svg, "g.legend")[0]?.getBBox()),
      xTicks: ticks(svg, "x"),
      yTicks: ticks(svg, "y"),
      series: all(svg, "path.series").map((p) => ({
        length: p.getTotalLength(),
        stroke: g.getComputedStyle(p).stroke,
        rect: box(p.getBoundingClientRect()),
      })),
      texts: all(svg, "text")
        .filter((t) => (t.textContent ?? "").trim() !== "")
        .map((t) => ({ text: t.textContent ?? "", rect: box(t.getBoundingClientRect()) })),
    };
  });
}

/** Pixels two texts may share along both axes before they count as overlapping (anti-aliasing). */
const OVERLAP_TOLERANCE_PX = 0.5;

/** The pairs of `texts` whose boxes overlap, as "a / b". */
export function overlappingTexts(texts: readonly RenderedText[]): string[] {
  const pairs: string[] = [];
  texts.forEach((a, i) => {
    for (const b of texts.slice(i + 1)) {
      const w = Math.min(a.rect.x + a.rect.width, b.rect.x + b.rect.width) - Math.max(a.rect.x, b.rect.x);
      const h = Math.min(a.rect.y + a.rect.height, b.rect.y + b.rect.height) - Math.max(a.rect.y, b.rect.y);
      if (w > OVERLAP_TOLERANCE_PX && h > OVERLAP_TOLERANCE_PX) pairs.push(`"${a.text}" / "${b.text}"`);
    }
  });
  return pairs;
}

const nonEmpty = (b: { readonly width: number; readonly height: number }) => b.width > 0 && b.height > 0;

/** Open the report `html` (whose figures' PNGs are `pngs`) in headless `chromium` and check what it shows. */
export async function expectDrawnInChromium(
  chromium: string,
  html: string,
  pngs: readonly string[],
): Promise<void> {
  const browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true, // --headless=new
    args: ["--no-sandbox", "--disable-dev-shm-usage"],
    timeout: LAUNCH_MS,
    protocolTimeout: STEP_MS,
  });
  try {
    await check(browser, html, pngs);
  } finally {
    await browser.close();
  }
}

/** Opens the report and checks what the browser shows: no problems, every figure drawn. */
async function check(browser: Browser, html: string, pngs: readonly string[]): Promise<void> {
  const page = await browser.newPage();
  await page.setViewport({ width: 1024, height: 768 });
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warn" || m.type() === "assert")
      problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e instanceof Error ? e.message : String(e)}`));
  page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on("error", (e) => problems.push(`page crashed: ${e.message}`));

  await page.goto(pathToFileURL(html).href, { waitUntil: "load", timeout: STEP_MS });
  const figures = await page.evaluate(renderedFigures);
  const svgCount = await page.evaluate(
    () => (globalThis as unknown as { document: PageElement }).document.querySelectorAll("svg").length,
  );

  // Nothing went wrong loading it (checked again after the screenshots).
  expect(problems).toEqual([]);
  await expectTablesScroll(page);

  // One SVG per figure, as many figures as PNGs written, and each figure its PNG.
  expect(figures.length).toBe(pngs.length);
  expect(svgCount).toBe(figures.length);
  expect(figures.map((f) => `${f.id}.png`).sort()).toEqual([...pngs].sort());
  for (const f of figures) {
    expect(f.svgs, f.id).toBe(1);
    expect({ width: f.rendered.width, height: f.rendered.height }, f.id).toEqual(f.size);
    expect(nonEmpty(f.size), f.id).toBe(true);
    for (const [what, b] of Object.entries({ title: f.title, x: f.xLabel, y: f.yLabel, legend: f.legend }))
      expect(nonEmpty(b), `${f.id}: ${what}`).toBe(true);
    for (const [axis, ticks] of Object.entries({ x: f.xTicks, y: f.yTicks })) {
      expect(ticks.length, `${f.id}: ${axis} ticks`).toBeGreaterThanOrEqual(2);
      for (const t of ticks) {
        expect(t.text, `${f.id}: ${axis} tick`).not.toBe("");
        expect(nonEmpty(t.box), `${f.id}: ${axis} tick ${t.text}`).toBe(true);
      }
    }
    expect(f.series.length, f.id).toBeGreaterThan(0);
    for (const s of f.series) {
      expect(s.length, `${f.id}: series length`).toBeGreaterThan(0);
      expect(s.stroke, `${f.id}: series stroke`).not.toBe("none");
      // A line has extent along at least one dimension, inside its figure.
      expect(s.rect.width + s.rect.height, `${f.id}: series size`).toBeGreaterThan(0);
      expect(s.rect.x, f.id).toBeGreaterThanOrEqual(f.rendered.x - 1);
      expect(s.rect.y, f.id).toBeGreaterThanOrEqual(f.rendered.y - 1);
      expect(s.rect.x + s.rect.width, f.id).toBeLessThanOrEqual(f.rendered.x + f.rendered.width + 1);
      expect(s.rect.y + s.rect.height, f.id).toBeLessThanOrEqual(f.rendered.y + f.rendered.height + 1);
    }
    // Texts apart and inside the figure.
    expect(f.texts.length, f.id).toBeGreaterThan(4);
    expect(overlappingTexts(f.texts), `${f.id}: overlapping texts`).toEqual([]);
    for (const t of f.texts) {
      const r = f.rendered;
      const inside =
        t.rect.x >= r.x - 1 &&
        t.rect.y >= r.y - 1 &&
        t.rect.x + t.rect.width <= r.x + r.width + 1 &&
        t.rect.y + t.rect.height <= r.y + r.height + 1;
      expect(inside, `${f.id}: "${t.text}" inside the figure`).toBe(true);
    }
    await expectTooltips(page, f.id);
    // What the browser painted: a PNG of the figure's size, not a blank one.
    const shot = await page.$(`figure#${f.id} > svg`);
    expect(shot, f.id).not.toBeNull();
    const png = Buffer.from(await shot!.screenshot({ type: "png" }));
    expect(pngSize(png), f.id).toEqual(f.size);
    expect(png.length, f.id).toBeGreaterThan(MIN_FIGURE_PNG_BYTES);
  }
  expect(problems).toEqual([]);
}

/** The tooltip's text and whether it shows, after hovering in figure `id` (see tooltip.ts). */
interface Hovered {
  /** What was hovered: the data attributes of a point, or undefined if the figure has none. */
  readonly point?: Readonly<Record<string, string>>;
  readonly shown: boolean;
  readonly text: string;
}

/** The page's document, as the hover checks read it. */
interface HoverDocument {
  querySelector(s: string): HoverElement | null;
  elementFromPoint(x: number, y: number): { closest(s: string): unknown } | null;
  getElementById(id: string): (HoverElement & { hidden: boolean; textContent: string | null }) | null;
}
interface HoverElement {
  readonly dataset: Record<string, string>;
  querySelector(s: string): HoverElement | null;
  querySelectorAll(s: string): ArrayLike<HoverElement>;
  getAttribute(name: string): string | null;
  dispatchEvent(e: unknown): boolean;
  getScreenCTM(): { a: number; b: number; c: number; d: number; e: number; f: number } | null;
  scrollIntoView(o: unknown): void;
}

/**
 * Hovering a point marker (a mouseover on it) shows its series and values; moving the mouse
 * onto a line's vertex that stands alone shows that vertex's series, x and y.
 */
async function expectTooltips(page: Page, id: string): Promise<void> {
  const onDot = await page.evaluate((figureId: string): Hovered => {
    const g = globalThis as unknown as {
      document: HoverDocument;
      MouseEvent: new (t: string, o: unknown) => unknown;
    };
    const dot = g.document.querySelector(`figure#${figureId} svg [data-px]`);
    if (dot === null) return { shown: false, text: "" };
    dot.dispatchEvent(new g.MouseEvent("mouseover", { bubbles: true, clientX: 10, clientY: 10 }));
    const tip = g.document.getElementById("chart-tooltip");
    return { point: { ...dot.dataset }, shown: tip !== null && !tip.hidden, text: tip?.textContent ?? "" };
  }, id);
  if (onDot.point !== undefined) {
    const p = onDot.point;
    expect(onDot.shown, `${id}: tooltip of a point`).toBe(true);
    for (const v of [p.name, p.x, p.y ?? p.low]) expect(onDot.text, `${id}: tooltip of a point`).toContain(v);
  }
  // A vertex with no other point within 12 px, where the mouse goes (in the window's pixels).
  const target = await page.evaluate((figureId: string) => {
    const g = globalThis as unknown as { document: HoverDocument };
    const svg = g.document.querySelector(`figure#${figureId} svg`);
    if (svg === null) return undefined;
    svg.scrollIntoView({ block: "center" });
    const points: { name: string; x: number; y: number; px: number; py: number; vertex: boolean }[] = [];
    for (const p of Array.from(svg.querySelectorAll("path.series[data-points]")))
      for (const [x, y, px, py] of JSON.parse(p.getAttribute("data-points") ?? "[]") as number[][])
        points.push({ name: p.dataset.name, x, y, px, py, vertex: true });
    for (const e of Array.from(svg.querySelectorAll("[data-px]")))
      points.push({
        name: "",
        x: 0,
        y: 0,
        px: Number(e.dataset.px),
        py: Number(e.dataset.py),
        vertex: false,
      });
    const m = svg.getScreenCTM();
    if (m === null) return undefined;
    const clientOf = (p: { px: number; py: number }) => ({
      x: m.a * p.px + m.c * p.py + m.e,
      y: m.b * p.px + m.d * p.py + m.f,
    });
    // Alone, and not under a point or a whisker of its own.
    const alone = points.find((p) => {
      if (!p.vertex || points.some((q) => q !== p && Math.hypot(q.px - p.px, q.py - p.py) <= 12))
        return false;
      const c = clientOf(p);
      return g.document.elementFromPoint(c.x, c.y)?.closest("[data-px]") === null;
    });
    if (alone === undefined) return undefined;
    return { name: alone.name, x: alone.x, y: alone.y, client: clientOf(alone) };
  }, id);
  if (target === undefined) return;
  await page.mouse.move(target.client.x, target.client.y);
  const tip = await page.evaluate(() => {
    const t = (globalThis as unknown as { document: HoverDocument }).document.getElementById("chart-tooltip");
    return { shown: t !== null && !t.hidden, text: t?.textContent ?? "" };
  });
  expect(tip.shown, `${id}: tooltip of a vertex`).toBe(true);
  for (const v of [target.name, `: ${target.x}`, `: ${target.y}`])
    expect(tip.text, `${id}: tooltip of a vertex`).toContain(v);
  await page.mouse.move(0, 0);
}

/** Every table is in a box that scrolls sideways, and the page itself is no wider than the window. */
async function expectTablesScroll(page: Page): Promise<void> {
  const tables = await page.evaluate(() => {
    const d = (
      globalThis as unknown as {
        document: {
          querySelectorAll(s: string): ArrayLike<{ parentElement: { className: string } | null }>;
          documentElement: { scrollWidth: number; clientWidth: number };
        };
      }
    ).document;
    return {
      outside: Array.from(d.querySelectorAll("table")).filter(
        (t) => t.parentElement?.className !== "table-scroll",
      ).length,
      pageWidth: d.documentElement.scrollWidth,
      windowWidth: d.documentElement.clientWidth,
    };
  });
  expect(tables.outside, "tables outside a scrolling box").toBe(0);
  expect(tables.pageWidth, "the page's width").toBeLessThanOrEqual(tables.windowWidth);
}

/**
 * Open the report written to `report.dir` (its HTML `report.html`) in headless Chromium and
 * check what it shows (expectDrawnInChromium); without `chromium` on the PATH, skip the test
 * `ctx` saying so, or fail if SEEP_REQUIRE_CHROMIUM=1.
 */
export async function expectReportInChromium(
  ctx: TestContext,
  report: { readonly dir: string; readonly html: string },
): Promise<void> {
  const chromium = findChromium();
  if (chromium === undefined) {
    if (process.env.SEEP_REQUIRE_CHROMIUM === "1")
      throw new Error("SEEP_REQUIRE_CHROMIUM=1 but no `chromium` on the PATH (apt-get install chromium)");
    ctx.skip("no `chromium` on the PATH: apt-get install chromium (SEEP_REQUIRE_CHROMIUM=1 fails instead)");
    return;
  }
  const pngs = readdirSync(join(report.dir, "figures")).filter((f) => f.endsWith(".png"));
  await expectDrawnInChromium(chromium, report.html, pngs);
}
