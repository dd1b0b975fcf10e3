// `seep sweep` as a user meets it: spawned with `node bin/seep.js` on a small word count (2
// strategies x 2 seeds on 2 processes), checked on its tables, on each run's summary against
// a plain `seep sim` of the same point and seed (a second source of truth), on resuming (a
// finished run is not run again; another sweep is refused), on its one-line errors for a
// bad --grid before any run, and on Ctrl-C: the runs done are kept, the tables written from
// them, and --resume finishes the rest.

import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectOneLineError, linesOf, type Outcome, root, SEEP_HANG_MS, seep } from "./spawnSeep.js";

const scratch = mkdtempSync(join(tmpdir(), "seep-sweep-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A word count of 3 s whose VM 3 crashes at 1.5 s, so that the strategies differ. */
const SMALL = [
  "--set",
  "workload.params.lines=3000",
  "--set",
  'faults=[{"type":"crash","vm":3,"atMs":1500}]',
  "--set",
  "faultTolerance.checkpointIntervalMs=500",
];
const GRID = ["--grid", "faultTolerance.strategy=rsm,upstream-backup"];

function json(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
}

/** summary.json of `dir` without wallSeconds and environment, the fields a rerun need not repeat. */
function reproducible(dir: string): Record<string, unknown> {
  const { wallSeconds: _, environment: __, ...rest } = json(join(dir, "summary.json"));
  return rest;
}

describe("seep sweep", () => {
  const dir = join(scratch, "sweep");
  const args = ["sweep", "wordcount", ...GRID, "--seeds", "2", "--jobs", "2", ...SMALL, "--out", dir];
  let first: Outcome;
  beforeAll(async () => {
    first = await seep(args);
  });

  it("runs the cross product on 2 processes and writes sweep.json, each run's files and the tables", () => {
    expect(first.code).toBe(0);
    const out = linesOf(first.stdout);
    expect(out[0]).toBe(`sweep: wordcount, 2 points x 2 seeds = 4 runs, on 2 processes; into ${dir}`);
    expect(out.at(-1)).toMatch(/^4 of 4 runs done, 0 failed, wall [\d.]+ s$/);
    // Without a terminal: one line per finished run on stderr, in the order they finished.
    const progress = linesOf(first.stderr);
    expect(progress.map((l) => /^\[(\d)\/4\] /.exec(l)?.[1])).toEqual(["1", "2", "3", "4"]);
    expect(progress.map((l) => l.replace(/^\[\d\/4\] /, "")).sort()).toEqual([
      "1-rsm-seed1: ok",
      "1-rsm-seed2: ok",
      "2-upstream-backup-seed1: ok",
      "2-upstream-backup-seed2: ok",
    ]);
    const runs = linesOf(readFileSync(join(dir, "runs.csv"), "utf8"));
    expect(runs).toHaveLength(5);
    expect(runs[0]).toMatch(
      /^point,faultTolerance\.strategy,seed,status,error,run,simulatedSeconds,wallSeconds,/,
    );
    expect(runs.slice(1).map((r) => r.split(",").slice(0, 6).join(","))).toEqual([
      "1,rsm,1,ok,,1-rsm-seed1",
      "1,rsm,2,ok,,1-rsm-seed2",
      "2,upstream-backup,1,ok,,2-upstream-backup-seed1",
      "2,upstream-backup,2,ok,,2-upstream-backup-seed2",
    ]);
    const rows = JSON.parse(readFileSync(join(dir, "runs.json"), "utf8")) as Record<string, unknown>[];
    expect(rows.map((r) => [r["faultTolerance.strategy"], r.seed, r.recoveries, r.failures])).toEqual([
      ["rsm", 1, 1, 1],
      ["rsm", 2, 1, 1],
      ["upstream-backup", 1, 1, 1],
      ["upstream-backup", 2, 1, 1],
    ]);
    for (const r of rows)
      for (const v of Object.values(r)) expect(typeof v === "object" && v !== null).toBe(false);
    const aggregate = JSON.parse(readFileSync(join(dir, "aggregate.json"), "utf8")) as Record<
      string,
      unknown
    >[];
    const recovery = aggregate.filter((a) => a.figure === "recoveryMsMean");
    expect(recovery.map((a) => [a["faultTolerance.strategy"], a.runs, a.n])).toEqual([
      ["rsm", 2, 2],
      ["upstream-backup", 2, 2],
    ]);
    expect(linesOf(readFileSync(join(dir, "aggregate.csv"), "utf8"))[0]).toBe(
      "point,faultTolerance.strategy,figure,runs,n,median,mean,ci95Low,ci95High",
    );
    const definition = json(join(dir, "sweep.json"));
    expect(definition).toMatchObject({ experiment: "wordcount", seeds: [1, 2], outputs: "none" });
    expect(definition.grid).toEqual([
      { path: "faultTolerance.strategy", values: ["rsm", "upstream-backup"] },
    ]);
  });

  it("gives each run the summary a plain seep sim of the same point and seed gives", async () => {
    for (const [strategy, seed, run] of [
      ["rsm", 1, "1-rsm-seed1"],
      ["upstream-backup", 2, "2-upstream-backup-seed2"],
    ] as const) {
      const simDir = join(scratch, `sim-${run}`);
      const sim = await seep([
        "sim",
        "wordcount",
        "--seed",
        String(seed),
        ...SMALL,
        "--set",
        `faultTolerance.strategy=${strategy}`,
        "--outputs",
        "none",
        "--out",
        simDir,
      ]);
      expect(sim.code, sim.stderr).toBe(0);
      expect(reproducible(join(dir, run))).toEqual(reproducible(simDir));
      expect(readFileSync(join(dir, run, "experiment.json"), "utf8")).toBe(
        readFileSync(join(simDir, "experiment.json"), "utf8"),
      );
    }
  });

  it("resumes: the same sweep into its directory runs only the runs without a summary.json", async () => {
    const kept = statSync(join(dir, "1-rsm-seed1", "summary.json")).mtimeMs;
    const again = await seep(args);
    expect(again.code).toBe(0);
    expect(linesOf(again.stdout)[0]).toBe(
      `sweep: wordcount, 2 points x 2 seeds = 4 runs (4 done already, 0 to run), on 1 process; into ${dir}`,
    );
    rmSync(join(dir, "2-upstream-backup-seed1"), { recursive: true });
    const resumed = await seep(["sweep", "--resume", dir, "--jobs", "2"]);
    expect(resumed.code).toBe(0);
    expect(linesOf(resumed.stdout)[0]).toMatch(/\(3 done already, 1 to run\), on 1 process; /);
    expect(linesOf(resumed.stderr)).toEqual(["[1/1] 2-upstream-backup-seed1: ok"]);
    expect(statSync(join(dir, "1-rsm-seed1", "summary.json")).mtimeMs).toBe(kept);
    expect(linesOf(readFileSync(join(dir, "runs.csv"), "utf8"))).toHaveLength(5);
  });

  it("refuses another sweep into the directory of one, naming what differs", async () => {
    const other = await seep(["sweep", "wordcount", ...GRID, "--seeds", "3", ...SMALL, "--out", dir]);
    expectOneLineError(other, /^seep: --out .*sweep: holds another sweep \(different seeds\); /);
    const moreSets = await seep([...args, "--set", "cluster.vms=5"]);
    expectOneLineError(moreSets, /^seep: --out .*sweep: holds another sweep \(different experiment\); /);
  });

  it("refuses a bad --grid in one line naming it, before any run", async () => {
    const fresh = join(scratch, "never");
    const cases: [string[], RegExp][] = [
      [
        ["--grid", "faultTolerance.stratgy=rsm"],
        /^seep: --grid faultTolerance\.stratgy=rsm: preset wordcount: faultTolerance: unknown key "stratgy"$/,
      ],
      [
        ["--grid", "faultTolerance.checkpointIntervalMs=1000,often"],
        /^seep: --grid faultTolerance\.checkpointIntervalMs=often: preset wordcount: faultTolerance\.checkpointIntervalMs: must be a number/,
      ],
      [["--grid", "faultTolerance.strategy"], /^seep: --grid expects path=value,value,\.\.\./],
      [
        ["--grid", "faultTolerance.strategy=rsm,,none"],
        /^seep: --grid faultTolerance\.strategy=rsm,,none: an empty value/,
      ],
    ];
    for (const [grid, pattern] of cases)
      expectOneLineError(await seep(["sweep", "wordcount", ...grid, "--out", fresh]), pattern);
    expect(existsSync(fresh)).toBe(false);
  });

  it("on Ctrl-C keeps the runs done, writes their tables, exits 130 saying how to resume; --resume finishes", async () => {
    const sigDir = join(scratch, "interrupted");
    // Runs of about a second each (more on a busy machine), 8 of them on 2 processes.
    const child = spawn(
      process.execPath,
      [
        join(root, "bin/seep.js"),
        "sweep",
        "wordcount",
        ...GRID,
        "--seeds",
        "4",
        "--jobs",
        "2",
        "--set",
        "workload.params.lines=40000",
        "--out",
        sigDir,
      ],
      { cwd: root },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    const ended = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    // Interrupt once the first run has finished.
    const deadline = Date.now() + SEEP_HANG_MS;
    while (!stderr.includes("[1/8]") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    child.kill("SIGINT");
    const code = await ended;
    expect(code).toBe(130);
    const errLines = linesOf(stderr);
    expect(errLines.at(-1)).toMatch(
      new RegExp(
        `^seep: interrupted: (\\d) of 8 runs done and kept in ${sigDir}; resume with: npx seep sweep --resume ${sigDir}$`,
      ),
    );
    const done = Number(/interrupted: (\d) of 8/.exec(stderr)?.[1]);
    expect(done).toBeGreaterThanOrEqual(1);
    expect(done).toBeLessThan(8);
    const finished = readdirSync(sigDir).filter((d) => existsSync(join(sigDir, d, "summary.json")));
    expect(finished).toHaveLength(done);
    expect(linesOf(readFileSync(join(sigDir, "runs.csv"), "utf8"))).toHaveLength(1 + done);
    expect(stdout).toMatch(new RegExp(`^${done} of 8 runs done, 0 failed`, "m"));
    const resumed = await seep(["sweep", "--resume", sigDir, "--jobs", "2"]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(linesOf(resumed.stdout)[0]).toContain(`(${done} done already, ${8 - done} to run)`);
    expect(linesOf(resumed.stderr)).toHaveLength(8 - done);
    expect(linesOf(readFileSync(join(sigDir, "runs.csv"), "utf8"))).toHaveLength(9);
  });
});
