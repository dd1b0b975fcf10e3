// runSweep as a library function: a small word count over two strategies and two seeds on
// a pool of two processes, checked against simulations run here in process (a second
// source of truth); a run that stalls is a failed row and the sweep goes on; and a sweep
// into a directory writes its definition, runs and tables, resumes without running a
// finished run again, and refuses another sweep there.

import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { validateExperiment } from "../../cli/experimentFile.js";
import { runSweep, type SweepPlan } from "../../lab/index.js";
import { Simulation } from "../../sim/index.js";

const scratch = mkdtempSync(join(tmpdir(), "seep-lab-sweep-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A word count of 3 s whose count VM crashes at 1.5 s. */
const RAW = {
  name: "wc-sweep",
  workload: {
    name: "wordcount",
    params: { lines: 3000, lineIntervalMs: 1, windowSizeMs: 1000, parallelism: 2 },
  },
  cluster: { vms: 3 },
  fidelity: { batchSize: 256, sourcePollMs: 50 },
  pool: { handoutMs: 500 },
  faultTolerance: { strategy: "rsm", checkpointIntervalMs: 500 },
  faults: [{ type: "crash", vm: 2, atMs: 1500 }],
};
const GRID = [{ path: "faultTolerance.strategy", values: ["rsm", "upstream-backup"] }];

/** The summary of the same run simulated here, without the pool. */
async function direct(strategy: string, seed: number) {
  const raw = structuredClone(RAW) as Record<string, unknown>;
  const setting = { key: "faultTolerance.strategy", path: ["faultTolerance", "strategy"], value: strategy };
  const { experiment, plan } = await validateExperiment(raw, "here", { settings: [setting], seed });
  return new Simulation(experiment, plan).run();
}

describe("runSweep", () => {
  it("runs every point with every seed on the pool, each run the run simulated in process", async () => {
    const result = await runSweep({
      experiment: { raw: RAW, where: "wc-sweep" },
      grid: GRID,
      seeds: [1, 2],
      jobs: 2,
    });
    expect(result).toMatchObject({ dir: null, total: 4, skipped: 0, failed: 0, interrupted: false });
    expect(result.rows.map((r) => [r.point.values[0].value, r.seed, r.status, r.run])).toEqual([
      ["rsm", 1, "ok", null],
      ["rsm", 2, "ok", null],
      ["upstream-backup", 1, "ok", null],
      ["upstream-backup", 2, "ok", null],
    ]);
    for (const row of result.rows) {
      const here = await direct(row.point.values[0].value as string, row.seed);
      const { wallSeconds: _, ...pooled } = row.summary ?? {};
      const { wallSeconds: __, ...local } = here;
      expect(pooled).toEqual(local);
      expect(row.figures.recoveries).toBe(1);
      expect(row.figures.recoveryMsMean).toBe(here.recoveries[0].recoveryMs);
    }
    const recovery = result.aggregate.filter((a) => a.figure === "recoveryMsMean");
    expect(recovery.map((a) => [a.point.values[0].value, a.runs, a.n])).toEqual([
      ["rsm", 2, 2],
      ["upstream-backup", 2, 2],
    ]);
  });

  it("records a run that stalls as a failed row, with the error, and goes on", async () => {
    const result = await runSweep({
      experiment: { raw: RAW, where: "wc-sweep" },
      points: [{ values: [{ path: "maxSteps", value: 50 }] }, { values: [] }],
      seeds: [3],
      jobs: 2,
    });
    expect(result.rows.map((r) => r.status)).toEqual(["stalled", "ok"]);
    expect(result.rows[0].error).toMatch(/^the run stalled at [\d.]+ s: .* never ended/);
    expect(result.failed).toBe(1);
  });

  it("writes sweep.json, each run's files and the tables into its directory; resumes; refuses another sweep", async () => {
    const dir = join(scratch, "sweep");
    const plans: SweepPlan[] = [];
    const options = {
      experiment: { raw: RAW, where: "wc-sweep" },
      grid: GRID,
      seeds: [1, 2],
      jobs: 2,
      dir,
      onStart: (p: SweepPlan) => plans.push(p),
    };
    const first = await runSweep(options);
    expect(first.rows.map((r) => r.run)).toEqual([
      "1-rsm-seed1",
      "1-rsm-seed2",
      "2-upstream-backup-seed1",
      "2-upstream-backup-seed2",
    ]);
    for (const f of ["sweep.json", "runs.csv", "runs.json", "aggregate.csv", "aggregate.json"])
      expect(existsSync(join(dir, f)), f).toBe(true);
    for (const f of ["summary.json", "experiment.json", "metrics.csv", "trace.bin"])
      expect(existsSync(join(dir, "1-rsm-seed2", f)), f).toBe(true);
    expect(existsSync(join(dir, "1-rsm-seed2", "outputs.csv"))).toBe(false);
    const summaryBefore = readFileSync(join(dir, "2-upstream-backup-seed1", "summary.json"), "utf8");
    rmSync(join(dir, "1-rsm-seed2"), { recursive: true });
    const second = await runSweep(options);
    expect(plans.map((p) => [p.total, p.skipped, p.toRun])).toEqual([
      [4, 0, 4],
      [4, 3, 1],
    ]);
    expect(readFileSync(join(dir, "2-upstream-backup-seed1", "summary.json"), "utf8")).toBe(summaryBefore);
    expect(second.rows.map((r) => r.figures.outputDigest)).toEqual(
      first.rows.map((r) => r.figures.outputDigest),
    );
    expect(readFileSync(join(dir, "runs.csv"), "utf8").split("\n")).toHaveLength(6);
    await expect(runSweep({ ...options, seeds: [1, 2, 3] })).rejects.toThrow(
      /^--out .*sweep: holds another sweep \(different seeds\)/,
    );
  });
});
