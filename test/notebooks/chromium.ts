// A report as a browser shows it, for lrbScaleOut.test.ts (which builds the lrb-scaleout
// report once and hands it here): opened from disk in headless Chromium (Debian's
// `chromium`, driven by puppeteer-core), it loads without a console error or warning, an
// uncaught exception or a failed request, and draws every figure: one SVG per figure (as
// many as PNGs written), at its size, with its title, axis labels, tick labels, legend and
// lines of data all of non-zero rendered size and the lines inside the figure; a
// screenshot of each figure is a PNG of its size with something drawn in it.

import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { pathToFileURL } from "node:url";
import puppeteer, { type Browser } from "puppeteer-core";
import { expect } from "vitest";
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
    };
  });
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

  // One SVG per figure, as many figures as PNGs written, and each figure its PNG.
  expect(figures.length).toBeGreaterThan(0);
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
    // What the browser painted: a PNG of the figure's size, not a blank one.
    const shot = await page.$(`figure#${f.id} > svg`);
    expect(shot, f.id).not.toBeNull();
    const png = Buffer.from(await shot!.screenshot({ type: "png" }));
    expect(pngSize(png), f.id).toEqual(f.size);
    expect(png.length, f.id).toBeGreaterThan(MIN_FIGURE_PNG_BYTES);
  }
  expect(problems).toEqual([]);
}
