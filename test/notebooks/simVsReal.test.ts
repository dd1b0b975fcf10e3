// The sim-vs-real report at its tiny sizes, built once for this file: the real calibration
// (every probe, shortened), real runs on local worker processes and the simulator, not
// canned figures. Its comparison table: the outputs' digests equal, every figure finite,
// each relative error as computed again here from the simulated and real columns. And the
// failures of a measurement that yields nothing: one line naming it, never NaN. No timing
// is asserted, nor which of two measured figures is larger (the machine may be busy).

import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { RunFailure } from "../../cli/errors.js";
import { localRuntimeParameters } from "../../measure/localRuntimeParameters.js";
import { measuredReport } from "../../measure/measuredReport.js";
import { MeasurementError } from "../../measure/measurementError.js";
import { median, probeSamples, trimmedMean } from "../../measure/statistics.js";
import { medianOfRuns, relativeError } from "../../notebooks/simVsReal.js";
import { expectReportInChromium } from "./chromium.js";
import { expectReportShape, type WrittenReport, writeTinyReport } from "./reportShape.js";

type Row = Record<string, string | number | null>;

describe("sim-vs-real (tiny, real calibration)", () => {
  let report: WrittenReport;
  let rows: Row[];
  const table = (name: string) =>
    JSON.parse(readFileSync(join(report.dir, "data", `${name}.json`), "utf8")) as Row[];
  beforeAll(async () => {
    report = await writeTinyReport("sim-vs-real", mkdtempSync(join(tmpdir(), "report-sim-vs-real-")));
    rows = table("comparison");
  });

  it("in headless Chromium: no console errors, figures drawn, texts apart, tooltips, tables scroll", (ctx) =>
    expectReportInChromium(ctx, report));

  it("holds figures with axes, legends and data; PNGs; CSV and JSON; how to reproduce it", () => {
    expectReportShape("sim-vs-real", report);
  });

  it("gives the same output in the simulator and on the real runtime, failure and scale out", () => {
    const digests = rows.filter((r) => r.metric === "output digest equal");
    expect(digests.map((r) => r.experiment)).toEqual(["failure", "scale out"]);
    for (const r of digests) {
      expect(r.simulated).toBe(r.real);
      expect(r["within 15%"]).toBe("true");
    }
  });

  it("has every compared figure finite, and each relative error computed from its two columns", () => {
    const figures = rows.filter((r) => r.metric !== "output digest equal");
    expect(figures.length).toBe(14);
    for (const r of figures) {
      const [sim, real] = [r.simulated, r.real];
      expect(typeof sim, `${r.experiment} ${r.metric}`).toBe("number");
      expect(typeof real, `${r.experiment} ${r.metric}`).toBe("number");
      expect(Number.isFinite(sim as number) && Number.isFinite(real as number)).toBe(true);
      if (real === 0) {
        expect(r["relative error"]).toBeNull();
        continue;
      }
      const err =
        Math.round((Math.abs((sim as number) - (real as number)) / Math.abs(real as number)) * 1000) / 1000;
      expect(r["relative error"], `${r.experiment} ${r.metric}`).toBe(err);
      expect(r["within 15%"]).toBe(err <= 0.15 ? "yes" : "no");
    }
  });

  it("shows the measured calibration (every probe sampled) and the machine's load around each measurement", () => {
    const calibration = table("calibration");
    const samples = calibration.filter((r) => typeof r.samples === "number");
    expect(samples.length).toBeGreaterThanOrEqual(5);
    for (const r of samples) expect(r.samples, String(r.parameter)).toBeGreaterThan(0);
    for (const r of calibration.filter((r) => typeof r.value === "number"))
      expect(Number.isFinite(r.value), String(r.parameter)).toBe(true);
    const load = table("load");
    expect(load.map((r) => r.measurement)).toEqual([
      "calibration: the runtime's probes",
      "real failure, run 1 of 1",
      "real split, run 1 of 1",
      "real packet counter, run 1 of 1",
      "calibration: the packet counter's costs",
    ]);
    for (const r of load) {
      expect(r.load1AtStart).toBeGreaterThanOrEqual(0);
      expect(r.load1AtEnd).toBeGreaterThanOrEqual(0);
    }
    const html = readFileSync(report.html, "utf8");
    expect(html).toContain("Beside the papers");
    expect(html).toContain("one repetition only");
  });
});

describe("a measurement that yields nothing", () => {
  it("a probe none of whose tries was answered is a one-line error naming it, not NaN", () => {
    expect(() => probeSamples("detection", [Number.NaN, Number.NaN, Number.NaN])).toThrow(MeasurementError);
    expect(() => probeSamples("detection", [])).toThrow(
      /^probe "detection" yielded nothing: it made no tries$/,
    );
    expect(() => probeSamples("detection", [Number.NaN])).toThrow(
      /^probe "detection" yielded nothing: none of its 1 tries was answered$/,
    );
    expect(probeSamples("detection", [Number.NaN, 12, 14])).toEqual([12, 14]);
  });

  it("a median or mean of nothing is an error naming the figure", () => {
    expect(() => median([], "faultTolerance.detectionMs")).toThrow(
      /^faultTolerance\.detectionMs: no samples/,
    );
    expect(() => trimmedMean([Number.NaN], "cold deploy")).toThrow(/^cold deploy: no samples/);
    expect(() => medianOfRuns([null, Number.NaN], "real failure: recovery time")).toThrow(
      /^real failure: recovery time: none of 2 runs yielded it$/,
    );
    expect(medianOfRuns([null, 3, 1, 2], "x")).toBe(2);
  });

  it("calibration figures without a detection give the error, not a NaN parameter", () => {
    const figures = {
      controlRoundTripMs: [3],
      dataRoundTripMs: [1],
      streamOpenMs: [2],
      callMs: [3],
      firstCallMs: [6],
      coldDeployMs: [19],
      fanOutMs: [10],
      detectionMs: [Number.NaN],
      loadBefore: 0,
      loadAfter: 0,
    };
    expect(() => localRuntimeParameters(figures)).toThrow(/detection.*no samples/);
    expect(localRuntimeParameters({ ...figures, detectionMs: [16, 18] }).detectionMs).toBe(17);
  });

  it("ends a report as a failed run of one line (the CLI prints it and exits 1)", async () => {
    const failing = measuredReport("sim-vs-real", () => probeSamples("detection", [Number.NaN]));
    await expect(failing).rejects.toBeInstanceOf(RunFailure);
    await expect(measuredReport("sim-vs-real", () => probeSamples("detection", []))).rejects.toThrow(
      /^sim-vs-real: probe "detection" yielded nothing: it made no tries$/,
    );
    await expect(measuredReport("x", () => 1)).resolves.toBe(1);
  });

  it("the relative error is |sim - real| / |real| to thousandths, none against 0 or a missing figure", () => {
    expect(relativeError(115, 100)).toBe(0.15);
    expect(relativeError(-1, -2)).toBe(0.5);
    expect(relativeError(1, 0)).toBeNull();
    expect(relativeError(null, 1)).toBeNull();
  });
});
