// The workloads by name: parameters out of their documented ranges are refused in one
// line naming `params.<name>`, the range and the value (never a RangeError from deep in a
// plan builder), and `size` says how much a run moves, as the CLI's estimate needs.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { JobError } from "../../engine/index.js";
import { workloadPlan, workloadSize } from "../../workloads/index.js";

const scratch = mkdtempSync(join(tmpdir(), "seep-registry-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The JobError's message for `params` of `workload`. */
function refusal(workload: string, params: Record<string, unknown>): string {
  try {
    workloadPlan(workload, params, 1);
  } catch (err) {
    expect(err).toBeInstanceOf(JobError);
    return (err as Error).message;
  }
  throw new Error(`${JSON.stringify(params)} was accepted`);
}

describe("workload parameters", () => {
  it("refuse a parallelism past the key groups with the range, not the plan builder's RangeError", () => {
    expect(refusal("wordcount", { parallelism: 100_000 })).toBe(
      'workload "wordcount": params.parallelism: must be an integer from 1 to 128, got 100000',
    );
    expect(refusal("packets", { countParallelism: 129 })).toMatch(
      /params\.countParallelism: .* 1 to 128, got 129$/,
    );
    expect(refusal("lrb", { carsParallelism: 0 })).toMatch(/params\.carsParallelism: .* 1 to 128, got 0$/);
  });

  it("refuse huge streams, NaN and strings by their range", () => {
    expect(refusal("wordcount", { lines: 1e12 })).toBe(
      'workload "wordcount": params.lines: must be an integer from 1 to 1000000000, got 1000000000000',
    );
    expect(refusal("wordcount", { lineIntervalMs: Number.NaN })).toMatch(
      /params\.lineIntervalMs: .*got NaN$/,
    );
    expect(refusal("packets", { packets: "many" })).toMatch(/params\.packets: .*got "many"$/);
    expect(refusal("lrb", { xways: 5000 })).toMatch(
      /params\.xways: must be an integer from 1 to 1000, got 5000$/,
    );
  });

  it("refuse a sliding window longer than 1000 slides: every word is counted in each window", () => {
    expect(refusal("wordcount", { windowSizeMs: 2_000_000, windowSlideMs: 1000 })).toMatch(
      /params\.windowSizeMs \(2000000\) must be at most 1000 times params\.windowSlideMs \(1000\)/,
    );
    expect(() =>
      workloadPlan("wordcount", { windowSizeMs: 1_000_000, windowSlideMs: 1000 }, 1),
    ).not.toThrow();
  });

  it("refuse a slide that does not divide the window, the default window included (found by the CLI fuzz test)", () => {
    expect(refusal("wordcount", { windowSizeMs: 1000, windowSlideMs: 300 })).toBe(
      'workload "wordcount": params.windowSizeMs (1000) must be a multiple of params.windowSlideMs (300)',
    );
    expect(refusal("wordcount", { windowSlideMs: 101 })).toBe(
      'workload "wordcount": params.windowSizeMs (10000, the default) must be a multiple of params.windowSlideMs (101)',
    );
  });

  it("refuse a stream whose event times run past 10^15 ms (a denormal packet rate found by the CLI fuzz test)", () => {
    expect(refusal("packets", { packets: 2_000_000, packetsPerMs: 5e-324 })).toBe(
      'workload "packets": params.packets (2000000) at params.packetsPerMs (5e-324) span more than 10^15 ms of event time, the most a stream may',
    );
    expect(refusal("wordcount", { lines: 1e9, lineIntervalMs: 86_400_000 })).toMatch(
      /params\.lines \(1000000000\) at params\.lineIntervalMs \(86400000\) span more than 10\^15 ms/,
    );
    for (const size of [
      workloadSize("packets", { packets: 1e9, packetsPerMs: 1e-6 }),
      workloadSize("wordcount", { lines: 1e9, lineIntervalMs: 1e6 }),
    ])
      expect(size.streamMs).toBe(1e15);
  });

  it("refuse a malformed tolls file by its line", () => {
    const tolls = join(scratch, "bad.tolls");
    writeFileSync(tolls, "1,2,3,4\n5,6,7\n");
    expect(refusal("lrb", { xways: 1, durationS: 60, tolls })).toBe(
      `workload "lrb": params.tolls: ${tolls}:2: a tolls line has 3 fields, not 4 (VID,Day,XWay,Toll)`,
    );
  });

  it("refuse Linear Road files that cannot be read, naming the parameter", () => {
    const missing = join(scratch, "missing.csv");
    expect(refusal("lrb", { tolls: missing })).toBe(
      `workload "lrb": params.tolls: cannot read ${missing} (ENOENT)`,
    );
    expect(() => workloadSize("lrb", { input: missing })).toThrow(
      `workload "lrb": params.input: cannot read ${missing} (ENOENT)`,
    );
    expect(() => workloadSize("lrb", { input: scratch })).toThrow(
      `workload "lrb": params.input: cannot read ${scratch} (not a file)`,
    );
    expect(refusal("lrb", { tolls: scratch })).toBe(
      `workload "lrb": params.tolls: cannot read ${scratch} (EISDIR)`,
    );
  });
});

describe("workload size", () => {
  it("counts a word count's lines, event time and the words counted in each window", () => {
    const size = workloadSize("wordcount", {
      lines: 1000,
      lineIntervalMs: 10,
      wordsPerLineMin: 4,
      wordsPerLineMax: 4,
      windowSizeMs: 2000,
      windowSlideMs: 1000,
    });
    expect(size.sourceTuples).toBe(1000);
    expect(size.streamMs).toBe(10_000);
    // 1000 lines into split, 4000 words each counted in 2 windows, and the results of the
    // 12 windows that end in [0, 12 s), each at most the 50 words of the vocabulary.
    expect(size.tupleVisits).toBe(1000 + 8000 + 12 * 50);
  });

  it("counts generated Linear Road records close to what the generator makes", async () => {
    const { LrGenerator } = await import("../../workloads/linearRoad/index.js");
    const gen = new LrGenerator({ seed: 1, xways: 1, durationS: 600 });
    const row = new Float64Array(15);
    let made = 0;
    while (gen.next(row)) made++;
    const { sourceTuples, streamMs } = workloadSize("lrb", { xways: 1, durationS: 600 });
    expect(streamMs).toBe(600_000);
    expect(sourceTuples / made).toBeGreaterThan(0.7);
    expect(sourceTuples / made).toBeLessThan(1.4);
  });

  it("reads a Linear Road file's span from its last line and its records from its size", () => {
    const file = join(scratch, "in.csv");
    const line = (t: number) => `0,${t},104,32,0,1,0,25,132480,-1,-1,-1,-1,-1,-1\n`;
    writeFileSync(file, Array.from({ length: 200 }, (_, i) => line(i)).join(""));
    const size = workloadSize("lrb", { input: file });
    expect(size.streamMs).toBe(199_000);
    expect(size.sourceTuples).toBeGreaterThan(150);
    expect(size.sourceTuples).toBeLessThan(250);
  });

  it("puts packets all at time 0 when packetsPerMs is 0, and spreads them otherwise", () => {
    expect(workloadSize("packets", { packets: 1000 }).streamMs).toBe(0);
    expect(workloadSize("packets", { packets: 1000, packetsPerMs: 10 }).streamMs).toBe(100);
  });
});
