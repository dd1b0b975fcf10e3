// Every report, at its tiny (test) sizes (sim-vs-real and sand-throughput start local
// worker processes bound to 127.0.0.1): its HTML holds one SVG per figure, each titled, with two
// labelled axes with ticks, a legend and drawn lines of data; each figure has a PNG of its
// size and its data as CSV and JSON; and the report says how to reproduce it
// (reportShape.ts); and headless Chromium shows it without a problem, its texts apart and
// its tooltips working (chromium.ts). A report with a test file of its own is built and
// checked there, once, rather than here again: this file checks that it is.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NOTEBOOKS } from "../../notebooks/index.js";
import { expectReportInChromium } from "./chromium.js";
import { expectReportShape, type WrittenReport, writeTinyReport } from "./reportShape.js";

/** Reports whose own test file builds them at tiny sizes and checks their shape. */
const CHECKED_IN_OWN_FILE: Readonly<Record<string, string>> = {
  "lrb-scaleout": "lrbScaleOut.test.ts",
  "failure-timeline": "failureTimeline.test.ts",
  "checkpoint-overhead": "checkpointOverhead.test.ts",
  "sim-vs-real": "simVsReal.test.ts",
  "sand-throughput": "sandThroughput.test.ts",
  "recovery-time": "recoveryTime.test.ts",
};

describe("every report (tiny sizes)", () => {
  it("a report checked in a file of its own is a report, and that file checks its shape and opens it in Chromium", () => {
    for (const [name, file] of Object.entries(CHECKED_IN_OWN_FILE)) {
      expect(Object.keys(NOTEBOOKS), name).toContain(name);
      const source = readFileSync(new URL(file, import.meta.url), "utf8");
      expect(source, file).toMatch(new RegExp(`writeTinyReport\\("${name}"`));
      expect(source, file).toMatch(new RegExp(`expectReportShape\\("${name}"`));
      // ... and opens it in headless Chromium (chromium.ts).
      expect(source, file).toMatch(/expectReportInChromium\(|expectDrawnInChromium\(/);
    }
  });

  for (const name of Object.keys(NOTEBOOKS).filter((n) => !(n in CHECKED_IN_OWN_FILE))) {
    describe(name, () => {
      let report: WrittenReport;
      beforeAll(async () => {
        report = await writeTinyReport(name, mkdtempSync(join(tmpdir(), `report-${name}-`)));
      });
      afterAll(() => rmSync(report.dir, { recursive: true, force: true }));

      it("figures with axes, legends and data; PNGs; CSV and JSON; how to reproduce it", () => {
        expectReportShape(name, report);
      });

      it("in headless Chromium: no console errors, figures drawn, texts apart, tooltips, tables scroll", (ctx) =>
        expectReportInChromium(ctx, report));
    });
  }
});
