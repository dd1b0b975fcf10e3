// A simulated run's recovery time is taken from its outputs, not from its 100 ms metrics
// intervals: `seep sim` of a word count that loses a count instance's VM reports a
// caught-up moment that is an output's own time, off the interval grid, and the same as
// what this test computes on its own from outputs.csv (timeMs - eventTimeMs per output:
// the level as the median of exact per-interval p99s, the bound, the last output over it
// after the restore and by the input's end, the first output within it after that).

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { seep } from "../cli/spawnSeep.js";

const INTERVAL_MS = 100;
const LINES = 30_000;
const LINE_INTERVAL_MS = 1;
const EXPERIMENT = {
  name: "wc-recovery",
  seed: 7,
  workload: {
    name: "wordcount",
    params: {
      lines: LINES,
      lineIntervalMs: LINE_INTERVAL_MS,
      windowSizeMs: 4000,
      windowSlideMs: 2000,
      parallelism: 2,
    },
  },
  cluster: { vms: 4 },
  fidelity: { batchSize: 512, sourcePollMs: 100 },
  metricsIntervalMs: INTERVAL_MS,
  faultTolerance: { strategy: "rsm", checkpointIntervalMs: 2000 },
  faults: [{ type: "crash", vm: 3, atMs: 14_321 }],
};

interface Recovery {
  readonly failedAtMs: number;
  readonly restoredAtMs: number;
  readonly caughtUpAtMs: number | null;
  readonly recoveryMs: number | null;
}

/** Each output's run time and latency, from outputs.csv (its first columns: timeMs,sink,instance,eventTimeMs). */
function outputsOf(csv: string): { timeMs: number; latencyMs: number }[] {
  const lines = csv.trim().split("\n");
  expect(lines[0].startsWith("timeMs,sink,instance,eventTimeMs,")).toBe(true);
  return lines.slice(1).map((line) => {
    const [time, , , eventTime] = line.split(",", 4);
    return { timeMs: Number(time), latencyMs: Math.max(0, Number(time) - Number(eventTime)) };
  });
}

/** The exact 99th percentile (nearest rank). */
function p99(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.99 * sorted.length) - 1)];
}

/** The caught-up moment by the README's definition, computed from the outputs alone. */
function caughtUpFromOutputs(outputs: { timeMs: number; latencyMs: number }[], r: Recovery): number | null {
  const byInterval = new Map<number, number[]>();
  for (const o of outputs) {
    const end = Math.ceil(o.timeMs / INTERVAL_MS) * INTERVAL_MS;
    byInterval.set(end, [...(byInterval.get(end) ?? []), o.latencyMs]);
  }
  const before = [...byInterval.keys()]
    .filter((end) => end <= r.failedAtMs)
    .sort((a, b) => a - b)
    .slice(-10)
    .map((end) => p99(byInterval.get(end)!))
    .sort((a, b) => a - b);
  const mid = before.length >> 1;
  const level = before.length % 2 === 1 ? before[mid] : (before[mid - 1] + before[mid]) / 2;
  const bound = Math.max(1.5 * level, level + 100);
  // The input ends with its last line's event time: after it come the final windows' outputs.
  const inputEndMs = LINES * LINE_INTERVAL_MS;
  // The highest latency of the outputs at each time after the restore.
  const highest = new Map<number, number>();
  for (const o of outputs)
    if (o.timeMs > r.restoredAtMs) highest.set(o.timeMs, Math.max(highest.get(o.timeMs) ?? 0, o.latencyMs));
  const over = [...highest].filter(([t, ms]) => ms > bound && t <= inputEndMs).map(([t]) => t);
  const lastOverMs = Math.max(r.restoredAtMs, ...over);
  const later = [...highest].filter(([t, ms]) => t > lastOverMs && ms <= bound).map(([t]) => t);
  return later.length === 0 ? null : Math.min(...later);
}

describe("recovery time in the simulator", () => {
  const dir = mkdtempSync(join(tmpdir(), "seep-recovery-time-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("is an output's own time, off the metrics interval grid, as computed from outputs.csv", async () => {
    const experiment = join(dir, "experiment.json");
    writeFileSync(experiment, JSON.stringify(EXPERIMENT));
    const out = join(dir, "run");
    const run = await seep(["sim", experiment, "--out", out, "--quiet"]);
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    const outputs = outputsOf(readFileSync(join(out, "outputs.csv"), "utf8"));
    const [r] = summary.recoveries as Recovery[];
    expect(r.caughtUpAtMs).not.toBeNull();
    const caught = r.caughtUpAtMs!;
    expect(r.recoveryMs).toBe(Math.round((caught - r.failedAtMs) * 1000) / 1000);
    // Not the end of a metrics interval, as it was when taken from them.
    expect(caught % INTERVAL_MS).not.toBe(0);
    // An output's time (summaries round to microseconds).
    const times = [...new Set(outputs.map((o) => o.timeMs))].sort((a, b) => a - b);
    const at = times.findIndex((t) => Math.abs(t - caught) < 0.001);
    expect(at).toBeGreaterThanOrEqual(0);
    // Within a delivery of the independent computation (the level there is from exact
    // p99s, the summary's from the metrics' histogram: a bound a hair apart could move it
    // by one delivery; in this run they are the same).
    const independent = caughtUpFromOutputs(outputs, r);
    expect(independent).not.toBeNull();
    const there = times.indexOf(independent!);
    expect(Math.abs(there - at)).toBeLessThanOrEqual(1);
  }, 600_000);
});
