// A job module as a user runs it (workloads/jobModule.ts): `seep sim ./job.ts`, an
// experiment file naming `workload.module`, `seep chaos` and `seep run` on local workers,
// each spawned as a user would; the real run's output digest is the simulator's. A module
// that is missing, exports no job or whose plan throws is one line and exit 2.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { root, seep } from "./spawnSeep.js";

const scratch = mkdtempSync(join(tmpdir(), "seep-job-module-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const TINY = "test/fixtures/jobs/tiny.ts";
const json = (path: string) => JSON.parse(readFileSync(path, "utf8"));
/** A short run: 400 numbers, 10 ms apart. */
const small = ["--set", "workload.params.n=400", "--set", "cluster.vms=2"];

describe("a job module", () => {
  it("simulates alone, writes its resolved experiment, and reruns from it to the same output", async () => {
    const first = join(scratch, "first");
    const out = await seep(["sim", TINY, "--quiet", "--out", first, ...small]);
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    const summary = json(join(first, "summary.json"));
    expect(summary.name).toBe("tiny");
    expect(summary.tuplesIn).toBe(400);
    const experiment = json(join(first, "experiment.json"));
    expect(experiment.workload).toEqual({
      name: "tiny",
      module: join(root, TINY),
      params: { n: 400, keys: 10, intervalMs: 10, windowMs: 1000, parallelism: 2 },
    });
    // The resolved experiment, run from anywhere, is the same run.
    const again = join(scratch, "again");
    const rerun = await seep(["sim", join(first, "experiment.json"), "--quiet", "--out", again], {
      cwd: scratch,
    });
    expect(rerun.code).toBe(0);
    expect(json(join(again, "summary.json")).traceHash).toBe(summary.traceHash);
  });

  it("is found relative to the experiment file that names it", async () => {
    const dir = join(scratch, "experiments", "deep");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, "e.json");
    const module = relative(dir, join(root, TINY));
    writeFileSync(file, JSON.stringify({ name: "mine", workload: { module, params: { n: 300 } } }));
    const out = await seep(["sim", file, "--quiet", "--out", join(scratch, "relative")], { cwd: tmpdir() });
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    expect(json(join(scratch, "relative", "summary.json"))).toMatchObject({ name: "mine", tuplesIn: 300 });
  });

  it("runs a chaos campaign under rsm, every run exact", async () => {
    const csv = join(scratch, "chaos.csv");
    const out = await seep([
      "chaos",
      TINY,
      "--runs",
      "3",
      "--strategy",
      "rsm",
      "--quiet",
      "--out",
      csv,
      ...small,
    ]);
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    const rows = readFileSync(csv, "utf8").trim().split("\n");
    expect(rows).toHaveLength(4);
    expect(out.stdout).toMatch(/^3 runs, 0 failed, wall /m);
  });

  it("runs on local workers, which load the module, with the simulator's output", async () => {
    const real = join(scratch, "real");
    const sim = join(scratch, "sim");
    const [out, simulated] = await Promise.all([
      seep(["run", TINY, "--workers", "2", "--quiet", "--out", real, ...small]),
      seep(["sim", TINY, "--quiet", "--out", sim, ...small]),
    ]);
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    expect(simulated.code).toBe(0);
    expect(json(join(real, "summary.json")).outputDigest).toBe(json(join(sim, "summary.json")).outputDigest);
  });

  it("outside the project is refused for EC2 workers, which load it from the image's checkout", async () => {
    const engine = join(root, "engine/index.ts");
    const tiny = readFileSync(join(root, TINY), "utf8").replace("../../../engine/index.js", engine);
    // An ES module by its ending; the same as .ts is taken for CommonJS here (no package.json says otherwise).
    const outside = join(scratch, "outside.mts");
    writeFileSync(outside, tiny);
    writeFileSync(join(scratch, "outside.ts"), tiny);
    const [ec2, commonJs] = await Promise.all([
      seep(["run", outside, "--pool", "ec2", "--out", join(scratch, "ec2")]),
      seep(["sim", join(scratch, "outside.ts"), "--out", join(scratch, "cjs")]),
    ]);
    expect(ec2.code).toBe(2);
    expect(ec2.stderr.trimEnd().split("\n")).toEqual([
      expect.stringMatching(
        /^seep: job module .*outside\.mts: --pool ec2: job module .* lies outside the project/,
      ),
    ]);
    expect(commonJs.code).toBe(2);
    expect(commonJs.stderr.trimEnd().split("\n")).toEqual([
      expect.stringMatching(
        /outside\.ts: cannot be loaded: .*\(it was loaded as CommonJS: add a package\.json with "type": "module"/,
      ),
    ]);
  });

  it("that is missing, exports no job, or whose plan throws: one line naming it, exit 2", async () => {
    const cases: [string[], RegExp][] = [
      [["sim", "jobs/nowhere.ts"], /^seep: job module jobs\/nowhere\.ts: cannot read \(ENOENT\)$/],
      [
        ["sim", "test/fixtures/jobs/noWorkload.ts"],
        /^seep: job module .*noWorkload\.ts: exports no workload /,
      ],
      [
        ["chaos", "test/fixtures/jobs/planThrows.ts"],
        /^seep: job module .*planThrows\.ts: workload "plan-throws": plan threw: no table of tolls at \/nowhere$/,
      ],
      [
        ["run", TINY, "--set", "workload.params.n=-1"],
        /^seep: job module .*tiny\.ts: workload "tiny": params\.n: must be an integer from 1 to 1000000, got -1$/,
      ],
      [
        ["worker", "--job", "jobs/nowhere.ts"],
        /^seep: --job: job module jobs\/nowhere\.ts: cannot read \(ENOENT\)$/,
      ],
    ];
    // A worker needs its token before it loads anything.
    const outs = await Promise.all(
      cases.map(([args]) => seep(args, { env: { SEEP_TOKEN: "t".repeat(32) } })),
    );
    outs.forEach((out, i) => {
      const [args, pattern] = cases[i];
      expect(out.code, args.join(" ")).toBe(2);
      expect(out.stderr.trimEnd().split("\n"), args.join(" ")).toEqual([expect.stringMatching(pattern)]);
    });
  });
});
