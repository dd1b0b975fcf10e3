// The PNGs of the figures (notebooks/lib/report.ts svgToPng): their text is drawn, with the
// font the project ships (the npm package dejavu-fonts-ttf, chartFont.ts) and no system font,
// and without that font svgToPng stops with one line instead of writing a PNG without text.
// Reports' HTML: every table scrolls in a box of its own, and the tooltip script is inline.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Resvg } from "@resvg/resvg-js";
import { describe, expect, it } from "vitest";
import { UserError } from "../../../cli/errors.js";
import { chartFontFiles, FONT_PACKAGE } from "../../../notebooks/lib/chartFont.js";
import { Report, svgToPng } from "../../../notebooks/lib/report.js";
import { darkPixels, pngSize } from "../pngSize.js";

const ROOT = resolve(import.meta.dirname, "../../..");

/** An SVG of nothing but text: a regular line and a bold one. */
const TEXT_ONLY = `<svg xmlns="http://www.w3.org/2000/svg" width="320" height="90" font-family="DejaVu Sans, sans-serif">
<text x="10" y="36" font-size="28">Label 123</text>
<text x="10" y="76" font-size="28" font-weight="bold">Title</text>
</svg>`;

describe("svgToPng", () => {
  it("uses the project's own DejaVu Sans, from its npm package, not a system font directory", () => {
    const files = chartFontFiles();
    expect(files.map((f) => f.split(/[\\/]/).pop())).toEqual(["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"]);
    for (const f of files) {
      expect(f.startsWith(join(ROOT, "node_modules", FONT_PACKAGE)), f).toBe(true);
      expect(readFileSync(f).subarray(0, 4).toString("hex"), f).toBe("00010000"); // a TrueType font
    }
  });

  it("draws text with that font alone: a text-only SVG has dark pixels, and none without a font", () => {
    const png = Buffer.from(svgToPng(TEXT_ONLY));
    expect(pngSize(png)).toEqual({ width: 320, height: 90 });
    // Two lines of 28 px text: thousands of dark pixels.
    expect(darkPixels(png)).toBeGreaterThan(1_000);
    // The same renderer given no font at all draws nothing: what svgToPng draws is its font's doing.
    const blank = new Resvg(TEXT_ONLY, {
      background: "white",
      font: { fontFiles: [], loadSystemFonts: false, defaultFontFamily: "DejaVu Sans" },
    })
      .render()
      .asPng();
    expect(darkPixels(Buffer.from(blank))).toBe(0);
  });

  it("draws bold titles with the bold face: wider than the regular one", () => {
    const width = (weight: string) => {
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="50"><text x="0" y="36" font-size="28" font-family="DejaVu Sans" font-weight="${weight}">Title 0123</text></svg>`;
      const r = new Resvg(svg, {
        font: { fontFiles: chartFontFiles(), loadSystemFonts: false, defaultFontFamily: "DejaVu Sans" },
      });
      return r.getBBox()?.width ?? 0;
    };
    expect(width("bold")).toBeGreaterThan(width("normal") * 1.05);
  });

  it("without the font package, stops with one line saying what to do", () => {
    const missing = () => {
      throw new Error("Cannot find module");
    };
    expect(() => chartFontFiles(missing)).toThrow(UserError);
    expect(() => chartFontFiles(missing)).toThrow(
      /^the figures' font .* dejavu-fonts-ttf is missing: run npm install/,
    );
    expect(() => chartFontFiles(() => join(ROOT, "no-such-font.ttf"))).toThrow(UserError);
  });
});

describe("a report's HTML", () => {
  it("puts every table in a box that scrolls sideways, and inlines the tooltip script", () => {
    const dir = mkdtempSync(join(tmpdir(), "report-html-"));
    try {
      const report = new Report("t", "T", "A report.", {
        command: "npx seep report t",
        seed: 1,
        parameters: { a: 1 },
      });
      report.table("wide", "A wide table", {
        columns: Array.from({ length: 30 }, (_, i) => `a long column heading ${i}`),
        rows: [Array.from({ length: 30 }, (_, i) => i)],
      });
      const html = readFileSync(report.write(dir), "utf8");
      const tables = html.match(/<table>/g) ?? [];
      expect(tables).toHaveLength(2); // the parameters and the wide table
      expect(html.match(/<div class="table-scroll"><table>/g)).toHaveLength(2);
      expect(html).toMatch(/\.table-scroll \{ overflow-x: auto;/);
      expect(html).toMatch(/<script>\n\(\(\) => \{[\s\S]*chart-tooltip[\s\S]*<\/script>/);
      expect(html).not.toMatch(/<script [^>]*src=|https?:\/\/(?!www\.w3\.org)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
