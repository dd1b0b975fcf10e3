// Text widths estimated without a browser (notebooks/lib/textWidth.ts): never narrower than
// DejaVu Sans draws them (measured by resvg with the project's font), and not much wider;
// wrapped lines fit and keep every word.

import { Resvg } from "@resvg/resvg-js";
import { describe, expect, it } from "vitest";
import { chartFontFiles } from "../../../notebooks/lib/chartFont.js";
import { textWidthPx, wrapText } from "../../../notebooks/lib/textWidth.js";

/** The width resvg draws `text` at `sizePx`, in DejaVu Sans. */
function drawnWidth(text: string, sizePx: number, bold = false): number {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="2000" height="100"><text x="0" y="60" font-family="DejaVu Sans" font-size="${sizePx}"${bold ? ' font-weight="bold"' : ""}>${text}</text></svg>`;
  const r = new Resvg(svg, {
    font: { fontFiles: chartFontFiles(), loadSystemFonts: false, defaultFontFamily: "DejaVu Sans" },
  });
  return r.getBBox()?.width ?? 0;
}

const SAMPLES = [
  "9,600,000",
  "0.25",
  "latency, 99th percentile (ms)",
  "parallel rsm (onto 2 VMs)",
  "Recovery time against the checkpoint interval",
  "WWW MMM mmm www",
  "iiii llll ffff tttt",
  "cars ×2 at 40.1–42 s; tolls at 41 s",
];

describe("textWidthPx", () => {
  it("is at least the drawn width, and at most a third more, regular and bold", () => {
    for (const text of SAMPLES)
      for (const bold of [false, true]) {
        const drawn = drawnWidth(text, 11, bold);
        expect(drawn, text).toBeGreaterThan(0);
        const estimate = textWidthPx(text, 11, bold);
        expect(estimate, `${text}${bold ? " (bold)" : ""}`).toBeGreaterThanOrEqual(drawn);
        expect(estimate, `${text}${bold ? " (bold)" : ""}`).toBeLessThan(drawn * 1.34);
      }
  });
});

describe("wrapText", () => {
  it("breaks at spaces into lines that fit, keeping every word", () => {
    const text = "Recovery time against the checkpoint interval, word count losing a count's VM";
    const lines = wrapText(text, 200, 11);
    expect(lines.length).toBeGreaterThan(1);
    for (const l of lines) expect(textWidthPx(l, 11)).toBeLessThanOrEqual(200);
    expect(lines.join(" ")).toBe(text);
  });

  it("breaks a word longer than a line inside it, and keeps a short text whole", () => {
    const lines = wrapText("a-very-long-operator-name-without-spaces", 60, 11);
    for (const l of lines) expect(textWidthPx(l, 11)).toBeLessThanOrEqual(60);
    expect(lines.join("")).toBe("a-very-long-operator-name-without-spaces");
    expect(wrapText("rsm", 200, 11)).toEqual(["rsm"]);
  });
});
