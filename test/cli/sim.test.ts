// `seep sim` as a user meets it: spawned with `node bin/seep.js`, checked on the files it
// writes, on running the same experiment twice to the same bytes, and on the one-line
// errors it gives for a bad file, preset or override.

import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { cpus, tmpdir } from "node:os";
import { basename, join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMMON_WORDS } from "../../workloads/wordCount/index.js";
import { csvObjects } from "./csvParse.js";
import { expectOneLineError, linesOf, seep } from "./spawnSeep.js";

const scratch = mkdtempSync(join(tmpdir(), "seep-sim-test-"));
const root = new URL("../..", import.meta.url).pathname;
const packageVersion = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string })
  .version;
/** The commit of the checkout the tests run from (CI runs them on a clone), as git says; null if it cannot. */
const headGit = spawnSync("git", ["-C", root, "rev-parse", "HEAD"], { encoding: "utf8" });
const headCommit = headGit.status === 0 ? headGit.stdout.trim() : null;
let dirs = 0;

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Outcome {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A fresh directory under the scratch directory, not yet created. */
function freshDir(): string {
  dirs++;
  return join(scratch, `run-${dirs}`);
}

/** A file named `name` holding `text`, in a fresh directory; returns its path. */
function fileWith(name: string, text: string): string {
  const dir = freshDir();
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function json(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
}

/** The arguments of a small, fast word count run into `out`. */
function smallRun(out: string, ...more: string[]): string[] {
  return ["sim", "wordcount", "--until", "20", "--out", out, "--set", "workload.params.lines=5000", ...more];
}

/** summary.json of `dir` without wallSeconds and environment, the fields a rerun need not repeat. */
function reproducibleSummary(dir: string): Record<string, unknown> {
  const { wallSeconds: _, environment: __, ...rest } = json(join(dir, "summary.json"));
  return rest;
}

describe("seep sim", () => {
  // The small run, spawned once: its files and output are read by the tests below, which
  // compare it with runs of their own (the same seed again, another seed, its experiment.json).
  const dir = freshDir();
  let smallOut: Outcome;
  beforeAll(async () => {
    smallOut = await seep(smallRun(dir));
  });

  it("runs a preset and writes summary, metrics, outputs, trace and experiment files", () => {
    expect(smallOut.stderr).toBe("");
    expect(smallOut.code).toBe(0);
    const summary = json(join(dir, "summary.json"));
    expect(summary).toMatchObject({ name: "wordcount", seed: 1, failures: [] });
    expect(summary.traceHash).toMatch(/^[0-9a-f]{16}$/);
    expect(summary.simulatedSeconds).toBeLessThanOrEqual(20);
    expect(summary.events).toBeGreaterThan(0);
    expect(summary.tuplesIn).toBeGreaterThan(0);
    expect(summary.wallSeconds).toBeGreaterThan(0);
    expect((summary.latencyMs as Record<string, unknown>).p50).toEqual(expect.any(Number));
    const metrics = linesOf(readFileSync(join(dir, "metrics.csv"), "utf8"));
    expect(metrics[0]).toBe("timeS,metric,scope,value");
    expect(metrics.length).toBeGreaterThan(1);
    const outputs = linesOf(readFileSync(join(dir, "outputs.csv"), "utf8"));
    expect(outputs[0]).toBe("timeMs,sink,instance,eventTimeMs,word,windowStartMs,windowEndMs,count");
    expect(outputs.length).toBe(1 + (summary.tuplesOut as number));
    expect(outputs[1]).toMatch(/^[\d.]+,sink,\d+,\d+,[a-z]+,-?\d+,\d+,\d+$/);
    expect(readFileSync(join(dir, "trace.bin")).subarray(0, 8).toString("latin1")).toBe("SEEPTRC1");
    const experiment = json(join(dir, "experiment.json"));
    expect(experiment).toMatchObject({ name: "wordcount", seed: 1, untilS: 20 });
    expect((experiment.workload as { params: Record<string, unknown> }).params.lines).toBe(5000);
    // Resolved: the defaults the run used, as the schema documents them, not {}.
    expect(experiment.pool).toEqual({
      prewarmed: 2,
      minimum: 1,
      handoutMs: 5000,
      coldStartMs: 100_000,
      maxVms: 100,
    });
    expect(experiment.network).toMatchObject({ controlLatencyMs: 0.5, replyLatencyMs: 0, connectMs: 0 });
    expect(Object.keys(experiment.network as object).sort()).toEqual([
      "bandwidthMbps",
      "connectMs",
      "controlLatencyMs",
      "latencyMs",
      "localLatencyMs",
      "replyLatencyMs",
    ]);
    expect((experiment.cost as { defaults: Record<string, number> }).defaults.tupleUs).toEqual(
      expect.any(Number),
    );
    // What it ran on: this checkout's commit, this Node, this machine.
    const env = summary.environment as Record<string, unknown>;
    expect(env).toMatchObject({ node: process.version, cores: cpus().length, seepVersion: packageVersion });
    expect(env.gitCommit).toBe(headCommit);
    expect(env.gitDirty).toEqual(expect.any(Boolean));
    expect(env.loadAverageAtStart).toEqual([expect.any(Number), expect.any(Number), expect.any(Number)]);
    expect(Number.isNaN(Date.parse(env.startedAt as string))).toBe(false);
    expect(existsSync(join(dir, "trace.csv"))).toBe(false);
    const report = linesOf(smallOut.stdout);
    expect(report[0]).toMatch(/^wordcount, seed 1: [\d.]+ s simulated in [\d.]+ s wall clock$/);
    expect(report.at(-1)).toBe(`files in ${dir}`);
  });

  it("writes metrics.csv in long form, agreeing with the summary where they overlap, and outputs.csv as plain fields", () => {
    expect(smallOut.code).toBe(0);
    const summary = json(join(dir, "summary.json"));
    const metrics = csvObjects(readFileSync(join(dir, "metrics.csv"), "utf8"));
    const of = (metric: string) => metrics.filter((m) => m.metric === metric);
    const sum = (metric: string) => of(metric).reduce((t, m) => t + Number(m.value), 0);
    const max = (metric: string) => Math.max(...of(metric).map((m) => Number(m.value)));
    expect(new Set(metrics.map((m) => m.scope.replace(/\d+$/, "")))).toEqual(new Set(["run", "vm:"]));
    expect(sum("tuplesIn")).toBe(summary.tuplesIn);
    expect(sum("tuplesOut")).toBe(summary.tuplesOut);
    expect(max("vmsInUse")).toBe(summary.vmsMax);
    const latencyMax = (summary.latencyMs as { max: number }).max;
    expect(Math.abs(max("latencyMaxMs") - latencyMax)).toBeLessThanOrEqual(latencyMax * 1e-5 + 0.001);
    // One line per figure per interval: every interval has its counts, in time order.
    const times = of("tuplesIn").map((m) => Number(m.timeS));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(of("cpu").every((m) => m.scope.startsWith("vm:") && Number(m.value) >= 0)).toBe(true);
    const outputs = csvObjects(readFileSync(join(dir, "outputs.csv"), "utf8"));
    expect(outputs).toHaveLength(summary.tuplesOut as number);
    const words = new Set(COMMON_WORDS);
    for (const o of outputs) {
      expect(words.has(o.word)).toBe(true);
      expect(Number(o.windowEndMs) - Number(o.windowStartMs)).toBe(10_000);
      expect(Number(o.count)).toBeGreaterThan(0);
    }
  });

  it("gives the same summary and trace bytes for the same seed, and another trace for another seed", async () => {
    const [a, b, c] = [dir, freshDir(), freshDir()];
    const outcomes = await Promise.all([seep(smallRun(b)), seep(smallRun(c, "--seed", "2"))]);
    expect([smallOut, ...outcomes].map((o) => o.code)).toEqual([0, 0, 0]);
    expect(reproducibleSummary(a)).toEqual(reproducibleSummary(b));
    expect(readFileSync(join(a, "trace.bin")).equals(readFileSync(join(b, "trace.bin")))).toBe(true);
    expect(readFileSync(join(a, "outputs.csv"), "utf8")).toBe(readFileSync(join(b, "outputs.csv"), "utf8"));
    expect(reproducibleSummary(c).seed).toBe(2);
    expect(reproducibleSummary(c).traceHash).not.toBe(reproducibleSummary(a).traceHash);
  });

  it("gzips the outputs with --outputs csv.gz, and writes none with --outputs none: the same run otherwise", async () => {
    const [gz, none] = [freshDir(), freshDir()];
    const outcomes = await Promise.all([
      seep(smallRun(gz, "--outputs", "csv.gz")),
      seep(smallRun(none, "--outputs", "none")),
    ]);
    expect(outcomes.map((o) => o.code)).toEqual([0, 0]);
    expect(smallOut.code).toBe(0);
    const csv = readFileSync(join(dir, "outputs.csv"), "utf8");
    expect(existsSync(join(gz, "outputs.csv"))).toBe(false);
    const zipped = readFileSync(join(gz, "outputs.csv.gz"));
    expect(gunzipSync(zipped).toString("utf8")).toBe(csv);
    expect(zipped.length).toBeLessThan(csv.length / 3);
    expect(existsSync(join(none, "outputs.csv"))).toBe(false);
    expect(existsSync(join(none, "outputs.csv.gz"))).toBe(false);
    for (const d of [gz, none]) expect(reproducibleSummary(d)).toEqual(reproducibleSummary(dir));
  });

  it("reruns the experiment.json of a run to the same trace, and writes trace.csv when asked", async () => {
    const first = dir;
    expect(smallOut.code).toBe(0);
    const again = freshDir();
    const out = await seep(["sim", join(first, "experiment.json"), "--out", again, "--trace-csv"]);
    expect(out.code).toBe(0);
    expect(reproducibleSummary(again)).toEqual(reproducibleSummary(first));
    const trace = linesOf(readFileSync(join(again, "trace.csv"), "utf8"));
    expect(trace[0]).toBe("timeMs,kind,a,b,c,x");
    expect(trace.length).toBe(1 + (reproducibleSummary(again).traceRecords as number));
  });

  it("writes each run without --out to a new runs/<name>/<time>-seed<seed> under the current directory, latest linking to the newest", async () => {
    const cwd = freshDir();
    mkdirSync(cwd);
    const args = ["sim", "wordcount", "--until", "2", "--set", "workload.params.lines=500"];
    const first = await seep(args, { cwd });
    const second = await seep([...args, "--seed", "2"], { cwd });
    const third = await seep(args, { cwd });
    expect([first, second, third].map((o) => o.code)).toEqual([0, 0, 0]);
    const dirs = [first, second, third].map((o) =>
      linesOf(o.stdout)
        .at(-1)!
        .replace(/^files in /, ""),
    );
    expect(dirs[0]).toMatch(/^runs\/wordcount\/\d{8}-\d{6}-seed1(-\d+)?$/);
    expect(dirs[1]).toMatch(/^runs\/wordcount\/\d{8}-\d{6}-seed2(-\d+)?$/);
    // The same experiment and seed again: another directory, the first run left in place.
    expect(new Set(dirs).size).toBe(3);
    expect(dirs.map((d) => json(join(cwd, d, "summary.json")).seed)).toEqual([1, 2, 1]);
    expect(readlinkSync(join(cwd, "runs", "wordcount", "latest"))).toBe(basename(dirs[2]));
    expect(readdirSync(join(cwd, "runs", "wordcount")).sort()).toEqual(
      [...dirs.map((d) => basename(d)), "latest"].sort(),
    );
  });

  it("records a crash fault of the experiment file in the summary", async () => {
    const file = fileWith(
      "crash.yaml",
      [
        "name: crash",
        "workload: { name: wordcount, params: { lines: 8000 } }",
        "cluster: { vms: 4 }",
        "untilS: 20",
        "faults: [{ type: crash, vm: 1, atMs: 5000 }]",
      ].join("\n"),
    );
    const dir = freshDir();
    const out = await seep(["sim", file, "--out", dir]);
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    const failures = json(join(dir, "summary.json")).failures as { vm: number; failedAtMs: number }[];
    expect(failures).toEqual([expect.objectContaining({ vm: 1, failedAtMs: 5000 })]);
  });

  it("fails a run that stalls in one line, exit 1, after writing every file; a sink lost under none is no stall", async () => {
    // On 4 VMs under none: count#3 alone on VM 3, sink#5 with split#1 on VM 1.
    const small = ["--set", "workload.params.lines=2000", "--quiet"];
    const stalledDir = freshDir();
    const lostDir = freshDir();
    const [stalled, lost] = await Promise.all([
      seep([
        "sim",
        "wordcount",
        "--out",
        stalledDir,
        ...small,
        "--set",
        'faults=[{"type":"crash","vm":3,"atMs":500}]',
      ]),
      seep([
        "sim",
        "wordcount",
        "--out",
        lostDir,
        ...small,
        "--set",
        'faults=[{"type":"crash","vm":1,"atMs":500}]',
      ]),
    ]);
    expect(stalled.code).toBe(1);
    const summaryPath = join(stalledDir, "summary.json");
    expect(linesOf(stalled.stderr)).toEqual([
      `seep: the run stalled at 2.0 s: sink#5 never ended (0 outputs; nothing left could happen); see ${summaryPath}`,
    ]);
    for (const file of ["summary.json", "metrics.csv", "outputs.csv", "trace.bin", "experiment.json"])
      expect(existsSync(join(stalledDir, file)), file).toBe(true);
    const summary = json(summaryPath);
    expect(summary).toMatchObject({ stalled: true, stoppedAtUntil: false, sinksNotEnded: ["sink#5"] });
    expect(summary.stalledAtS).toBe(summary.simulatedSeconds);
    expect(linesOf(stalled.stdout).at(-1)).toBe(`files in ${stalledDir}`);
    expect(lost.stderr).toBe("");
    expect(lost.code).toBe(0);
    expect(json(join(lostDir, "summary.json"))).toMatchObject({ stalled: false, sinksLost: ["sink#5"] });
    expect(lost.stdout).toMatch(/^sinks lost \(strategy none: their output is missing\): sink#5$/m);
  });

  it("does not fail a run stopped by --until, and says which sinks it stopped before their end", async () => {
    const dir = freshDir();
    const out = await seep(["sim", "wordcount", "--until", "3", "--out", dir, "--quiet"]);
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    expect(json(join(dir, "summary.json"))).toMatchObject({
      stalled: false,
      stalledAtS: null,
      stoppedAtUntil: true,
      sinksNotEnded: ["sink#5"],
    });
    expect(out.stdout).toMatch(/^stopped at untilS, as asked, before sink#5 ended$/m);
  });

  it("refuses a scaling its strategy does not support yet, in one line naming both, before any file", async () => {
    const dir = freshDir();
    const out = await seep([
      "sim",
      "wordcount",
      "--out",
      dir,
      "--set",
      "faultTolerance.strategy=upstream-backup",
      "--set",
      'scaling.scaleOuts=[{"operator":"count","atMs":1000}]',
      "--set",
      "faultTolerance.parallelRecovery=2",
    ]);
    expectOneLineError(
      out,
      /^seep: preset wordcount: faultTolerance\.parallelRecovery under strategy upstream-backup is not supported yet \(supported: rsm\)$/,
    );
    expect(existsSync(dir)).toBe(false);
  });

  it("refuses a YAML file with an unknown key on one line naming the file and the key's path", async () => {
    const file = fileWith("unknown.yaml", "workload: { name: wordcount }\ncluster: { vmz: 3 }\n");
    const out = await seep(["sim", file, "--out", freshDir()]);
    expectOneLineError(out, /^seep: .*unknown\.yaml.*cluster/);
  });

  it("refuses a JSON file that does not parse on one line naming the file", async () => {
    const file = fileWith("broken.json", '{\n  "workload": { "name": "wordcount" },\n}\n');
    const out = await seep(["sim", file, "--out", freshDir()]);
    expectOneLineError(out, /^seep: .*broken\.json: invalid JSON at line 3, column 1/);
  });

  it("refuses a name that is neither a file nor a preset, listing the presets", async () => {
    const out = await seep(["sim", "no-such-experiment"]);
    expectOneLineError(out, /^seep: 'no-such-experiment' .*presets: .*wordcount/);
  });

  it("refuses a --set without '=' on one line", async () => {
    const out = await seep(["sim", "wordcount", "--set", "nonsense"]);
    expectOneLineError(out, /^seep: --set .*'nonsense'/);
  });

  it("reports a --set that makes the experiment invalid by the key's path", async () => {
    const out = await seep(["sim", "wordcount", "--set", "cluster.vms=0", "--out", freshDir()]);
    expectOneLineError(out, /^seep: preset wordcount: cluster\.vms: /);
  });

  it("refuses huge values, in --set or in a file, in one line naming the path and the allowed range", async () => {
    const vms = fileWith("vms.yaml", "workload: { name: wordcount }\ncluster: { vms: 1000000 }\n");
    const parallelism = fileWith(
      "par.json",
      '{ "workload": { "name": "wordcount", "params": { "parallelism": 100000 } } }',
    );
    const [set, file, par] = await Promise.all([
      seep(["sim", "wordcount", "--set", "cluster.vms=1e3", "--out", freshDir()]),
      seep(["sim", vms, "--out", freshDir()]),
      seep(["sim", parallelism, "--out", freshDir()]),
    ]);
    expectOneLineError(
      set,
      /^seep: preset wordcount: cluster\.vms: the cluster's VMs \(1000\) must be at most pool\.maxVms \(100, the default\)/,
    );
    expectOneLineError(
      file,
      /^seep: .*vms\.yaml: cluster\.vms: must be an integer from 1 to 10000, got 1000000$/,
    );
    expectOneLineError(
      par,
      /^seep: .*par\.json: workload "wordcount": params\.parallelism: must be an integer from 1 to 128, got 100000$/,
    );
  });

  // Each of these ran on, silent, for longer than anyone waited: now each is refused at
  // once, before any work (were it not, the test would hang past its timeout).
  it("refuses a run estimated long (a huge stream, a tiny poll period) unless --yes, at once", async () => {
    const [lines, polls] = await Promise.all([
      seep(["sim", "wordcount", "--set", "workload.params.lines=1000000000", "--out", freshDir()]),
      seep([
        "sim",
        "wordcount",
        "--set",
        "fidelity.sourcePollMs=0.001",
        "--set",
        "workload.params.lines=20000000",
      ]),
    ]);
    for (const out of [lines, polls])
      expectOneLineError(
        out,
        /^seep: preset wordcount is long: about [\d.]+e\d+ simulated events and [\d.]+e\d+ tuple visits \(.*\); --yes runs it anyway/,
      );
  });

  it.runIf(existsSync("/proc/self"))(
    "refuses an --out that cannot be created (/proc/x) in one line, at once",
    async () => {
      const out = await seep(["sim", "wordcount", "--out", "/proc/x"]);
      expectOneLineError(
        out,
        /^seep: --out \/proc\/x: cannot create directory \/proc\/x: no such file or directory$/,
      );
    },
  );

  it("refuses to overwrite a finished run without --force, and a file where the directory should be", async () => {
    // A finished run: a copy of the small run's directory.
    expect(smallOut.code).toBe(0);
    const finished = freshDir();
    cpSync(dir, finished, { recursive: true });
    const summary = readFileSync(join(finished, "summary.json"), "utf8");
    const again = await seep(smallRun(finished, "--seed", "2"));
    expectOneLineError(
      again,
      /^seep: --out .*: holds a finished run \(summary\.json\); --force overwrites it/,
    );
    expect(readFileSync(join(finished, "summary.json"), "utf8")).toBe(summary);
    const forced = await seep(smallRun(finished, "--seed", "2", "--force"));
    expect(forced.code, forced.stderr).toBe(0);
    expect(json(join(finished, "summary.json")).seed).toBe(2);
    const file = fileWith("plain.txt", "x");
    expectOneLineError(
      await seep(smallRun(file)),
      /^seep: --out .*plain\.txt: is a file; expected a directory$/,
    );
  });
});
