// `seep chaos` as a user meets it: spawned with `node bin/seep.js` on a small word count,
// checked on the table it prints and writes, its exit status, the commands it gives to
// reproduce failing runs, the same rows whether its runs go on a pool of processes or
// one after another (--jobs), and its one-line errors for bad flags.

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SMALL_WORD_COUNT } from "../sim/chaos/smallWordCount.js";
import { linesOf, type Outcome, seep } from "./spawnSeep.js";

const scratch = mkdtempSync(join(tmpdir(), "seep-chaos-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A small word count of 20 s that recovers quickly, as an experiment file. */
const experimentFile = join(scratch, "wc-chaos.json");
writeFileSync(
  experimentFile,
  JSON.stringify({
    name: "wc-chaos",
    ...SMALL_WORD_COUNT,
    faultTolerance: { strategy: "rsm", checkpointIntervalMs: 2000, detectionMs: 500 },
  }),
);

/** The table's row of `seed` in stdout. */
function rowOf(stdout: string, seed: number): string {
  const row = linesOf(stdout).find((l) => new RegExp(`^ *${seed}  `).test(l));
  if (row === undefined) throw new Error(`no row for seed ${seed} in:\n${stdout}`);
  return row;
}

/** Expect a failure with one line on stderr matching `pattern`, and no stack. */
function expectOneLineError(out: Outcome, pattern: RegExp, code = 2): void {
  expect(out.code).toBe(code);
  expect(linesOf(out.stderr)).toEqual([expect.stringMatching(pattern)]);
  expect(out.stderr).not.toMatch(/\bat .*:\d+:\d+/);
}

describe("seep chaos", () => {
  it("prints the table of runs and a final line, writes it as CSV, and exits 0 when every run passed", async () => {
    const csv = join(scratch, "out", "rsm.csv");
    const out = await seep(["chaos", experimentFile, "--runs", "2", "--seed", "8", "--out", csv]);
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    const lines = linesOf(out.stdout);
    expect(lines[0]).toBe(`chaos: ${experimentFile}, strategy rsm, 2 runs, seeds 8..9`);
    expect(lines[1]).toBe(
      "faults: one schedule per run, its kind rotating with the seed (crash, checkpoint-crash, recovery-crash, " +
        "two-vms, straggler, straggler+crash, partition, partition+crash)",
    );
    expect(lines[2]).toMatch(/^coordinator: half the runs also crash the coordinator/);
    expect(out.stdout).toMatch(
      /^seed +kind +faults +scaling +crashes +lost +duplicated +spurious +reordered +hang/m,
    );
    // Seed 8's schedule: a VM crash, then two coordinator crashes (the second of the new leader).
    expect(rowOf(out.stdout, 8)).toMatch(
      / crash +crash vm\d@\d+; crash coordinator@\d+; crash coordinator@\d+ +- +1 +0 +0 +0 +0 +no .* pass$/,
    );
    expect(rowOf(out.stdout, 9)).toMatch(/ checkpoint-crash .* pass$/);
    expect(out.stdout).not.toMatch(/failing runs/);
    expect(lines.at(-2)).toBe(`table written to ${csv}`);
    expect(lines.at(-1)).toMatch(/^2 runs, 0 failed, wall \d+\.\d s$/);
    const rows = linesOf(readFileSync(csv, "utf8"));
    expect(rows[0]).toMatch(/^seed,kind,faults,.*,result,error$/);
    expect(rows.slice(1).map((r) => r.split(",")[0])).toEqual(["8", "9"]);
  });

  it("exits 1 when runs fail, with the command that reproduces each, and the command does", async () => {
    const out = await seep(["chaos", experimentFile, "--runs", "2", "--seed", "8", "--strategy", "none"], {
      cwd: scratch,
    });
    expectOneLineError(
      out,
      /^seep: 2 of 2 runs failed \(expected under strategy none, which does not recover\)$/,
      1,
    );
    expect(out.stdout).toMatch(/strategy none does not recover from failures/);
    expect(rowOf(out.stdout, 8)).toMatch(/FAIL$/);
    expect(linesOf(out.stdout).at(-1)).toMatch(/^2 runs, 2 failed, wall /);
    const commands = linesOf(out.stdout)
      .map((l) => l.trim())
      .filter((l) => l.startsWith("npx seep chaos"));
    expect(commands).toEqual([
      `npx seep chaos ${experimentFile} --runs 1 --seed 8 --strategy none`,
      `npx seep chaos ${experimentFile} --runs 1 --seed 9 --strategy none`,
    ]);
    // The default file is a new runs/<name>/<time>-seed<seed>-chaos-<strategy>.csv, under the working directory.
    const written = linesOf(out.stdout)
      .find((l) => l.startsWith("table written to "))!
      .slice(17);
    expect(written).toMatch(/^runs\/wc-chaos\/\d{8}-\d{6}-seed8-chaos-none(-\d+)?\.csv$/);
    const csv = readFileSync(join(scratch, written), "utf8");
    expect(linesOf(csv)).toHaveLength(3);
    // The command of seed 9 gives the same row again.
    const againCsv = join(scratch, "again.csv");
    const again = await seep([...commands[1].split(" ").slice(2), "--out", againCsv]);
    expect(again.code).toBe(1);
    expect(linesOf(readFileSync(againCsv, "utf8"))[1]).toBe(linesOf(csv)[2]);
  });

  it("--jobs 2 runs the seeds on a pool of processes and writes the rows --jobs 1 writes in process", async () => {
    const [one, two] = [join(scratch, "jobs1.csv"), join(scratch, "jobs2.csv")];
    const common = ["chaos", experimentFile, "--runs", "6", "--seed", "3", "--draw-scaling"];
    const sequential = await seep([...common, "--jobs", "1", "--out", one]);
    const pooled = await seep([...common, "--jobs", "2", "--out", two]);
    expect(sequential.code, sequential.stderr).toBe(0);
    expect(pooled.code, pooled.stderr).toBe(0);
    const rows = linesOf(readFileSync(two, "utf8"));
    expect(rows.slice(1).map((r) => r.split(",")[0])).toEqual(["3", "4", "5", "6", "7", "8"]);
    expect(rows).toEqual(linesOf(readFileSync(one, "utf8")));
    // The printed tables agree too, but for the wall time.
    const table = (out: string) => linesOf(out).filter((l) => !/wall [\d.]+ s$|table written/.test(l));
    expect(table(pooled.stdout)).toEqual(table(sequential.stdout));
  });

  it("refuses to overwrite an existing table without --force, and a directory, before any run", async () => {
    const csv = join(scratch, "kept.csv");
    writeFileSync(csv, "keep me\n");
    const [kept, dir] = await Promise.all([
      seep(["chaos", experimentFile, "--runs", "1", "--out", csv]),
      seep(["chaos", experimentFile, "--runs", "1", "--out", scratch]),
    ]);
    expectOneLineError(kept, /^seep: --out .*kept\.csv: the file exists; --force overwrites it$/);
    expect(kept.stdout).toBe("");
    expect(readFileSync(csv, "utf8")).toBe("keep me\n");
    expectOneLineError(dir, /^seep: --out .*: is a directory; expected a file$/);
    const forced = await seep([
      "chaos",
      experimentFile,
      "--runs",
      "1",
      "--seed",
      "8",
      "--out",
      csv,
      "--force",
    ]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(csv, "utf8")).toMatch(/^seed,kind,/);
  });

  it("refuses a scaling its --strategy does not support yet, in one line, before any run", async () => {
    const csv = join(scratch, "refused.csv");
    const scaleOut = 'scaling.scaleOuts=[{"operator":"count","index":0,"atMs":60000,"factor":2}]';
    const parallel = "faultTolerance.parallelRecovery=2";
    const parallelUnderUpstreamBackup = (source: string) =>
      seep([
        "chaos",
        source,
        "--strategy",
        "upstream-backup",
        "--set",
        scaleOut,
        "--set",
        parallel,
        "--out",
        csv,
      ]);
    const [refused, fileStrategy, drawnRun] = await Promise.all([
      parallelUnderUpstreamBackup("wordcount"),
      // The file's rsm supports it; --strategy decides.
      parallelUnderUpstreamBackup(experimentFile),
      seep([
        "chaos",
        experimentFile,
        "--runs",
        "1",
        "--seed",
        "3",
        "--draw-scaling",
        "--out",
        join(scratch, "drawn.csv"),
      ]),
    ]);
    // One run with its reconfigurations drawn from its seed: said in the table and the CSV.
    expect(drawnRun.code, drawnRun.stderr).toBe(0);
    expect(drawnRun.stdout).toMatch(/^scaling: one to three reconfigurations per run, drawn from its seed/m);
    expect(rowOf(drawnRun.stdout, 3)).toMatch(/ (pause|live): .*count#\d.* pass$/);
    expect(readFileSync(join(scratch, "drawn.csv"), "utf8")).toMatch(/^3,[^,]*,[^,]*,"?(pause|live): /m);
    expectOneLineError(
      refused,
      /^seep: preset wordcount: faultTolerance\.parallelRecovery under strategy upstream-backup is not supported yet \(supported: rsm\)$/,
    );
    expect(refused.stdout).toBe("");
    expectOneLineError(
      fileStrategy,
      /faultTolerance\.parallelRecovery under strategy upstream-backup is not supported yet/,
    );
    expect(existsSync(csv)).toBe(false);
  });

  it("refuses bad flags and unknown experiments with one line", async () => {
    const [runs, strategy, seed, missing, kinds] = await Promise.all([
      seep(["chaos", experimentFile, "--runs", "0"]),
      seep(["chaos", experimentFile, "--strategy", "paxos"]),
      seep(["chaos", experimentFile, "--seed", "x"]),
      seep(["chaos", join(scratch, "nope.yaml"), "--runs", "1"]),
      seep(["chaos", experimentFile, "--kinds", "crash,meteor"]),
    ]);
    expectOneLineError(
      kinds,
      /^seep: .*unknown kind "meteor" \(kinds: crash, .*reconfiguration-crash.*, or all\)/,
    );
    expectOneLineError(runs, /^seep: --runs expects an integer from 1 to 10000, got '0'$/);
    expectOneLineError(
      strategy,
      /^seep: .*'paxos' is invalid.*none, rsm, upstream-backup, source-replay.*chaos --help/,
    );
    expectOneLineError(seed, /^seep: --seed expects an integer >= 0, got 'x'$/);
    expectOneLineError(missing, /is neither an experiment file, a job module nor a preset/);
    expect(existsSync(join(scratch, "runs", "experiment"))).toBe(false);
  });
});
