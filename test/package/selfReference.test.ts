// The package's names from inside the clone: a file here that imports `seep-testbed/...` (a
// job module in examples/, a test fixture) gets the TypeScript sources through the
// "seep-source" condition, under vitest and under the `seep` executable's setup alike, and
// so the very modules the CLI and the tests import by relative path: no second copy from
// dist/ (whose classes would fail `instanceof` against the sources'). `seep sim` loads such a
// job module the same way; `seep run`'s local workers too when they run the sources, and when
// they run the build (while it is current: cloud/packageRoot.ts) the names resolve to the
// build, which is then their own engine: one copy either way.

import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as engineByName from "seep-testbed/engine";
import * as simByName from "seep-testbed/sim";
import { afterAll, describe, expect, it } from "vitest";
import * as engine from "../../engine/index.js";
import * as sim from "../../sim/index.js";
import { seep } from "../cli/spawnSeep.js";
import { simulateSensorCount } from "./fixtures/simulateSensorCount.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
/** A guard against a hang only (a busy machine makes the run several times slower). */
const HANG_MS = 300_000;
const scratch = mkdtempSync(join(tmpdir(), "seep-self-reference-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const digestIn = (dir: string) => JSON.parse(readFileSync(join(dir, "summary.json"), "utf8")).outputDigest;
/** The sensor-count job, whose plan throws unless `seep-testbed` is the engine that loads it. */
const ONE_ENGINE_JOB = "test/package/fixtures/oneEngineJob.ts";

/** `node --import ./bin/register.js <file>` in the clone: its standard output, or a rejection. */
function runRegistered(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "./bin/register.js", file], { cwd: root });
    const hang = setTimeout(() => child.kill("SIGKILL"), HANG_MS);
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(hang);
      if (code === 0) resolve(stdout);
      else reject(new Error(`${file} ended with ${code ?? signal}: ${stderr}`));
    });
  });
}

describe("seep-testbed's names inside the clone", () => {
  it("resolve under vitest to the sources the tests import by relative path", () => {
    expect(engineByName.QueryBuilder).toBe(engine.QueryBuilder);
    expect(engineByName.JobError).toBe(engine.JobError);
    expect(simByName.Simulation).toBe(sim.Simulation);
  });

  it("run a job module that imports them: 10 sensors x 10 windows of counts", () => {
    const run = simulateSensorCount(3);
    expect(run).toMatchObject({ tuplesIn: 2000, tuplesOut: 100 });
    expect(simulateSensorCount(3)).toEqual(run);
  });

  it("resolve under the seep executable's setup (bin/register.js) to the same sources, with the same run", async () => {
    const out = JSON.parse(await runRegistered("test/package/fixtures/sameModules.ts"));
    expect(out).toEqual({ engine: true, sim: true, run: simulateSensorCount(3) });
  });

  it("are the CLI's own in a job module `seep sim` loads: one engine, the sources' digest, the job's JobError as it is", async () => {
    const [ran, refused] = await Promise.all([
      seep(["sim", ONE_ENGINE_JOB, "--seed", "3", "--quiet", "--out", join(scratch, "sim")]),
      // Were the job's JobError another copy's class, the CLI would report "plan threw: ...".
      seep([
        "sim",
        "test/package/fixtures/sensorCount.ts",
        "--set",
        "workload.params.readings=5",
        "--out",
        join(scratch, "refused"),
      ]),
    ]);
    expect(ran.stderr).toBe("");
    expect(digestIn(join(scratch, "sim"))).toBe(simulateSensorCount(3).outputDigest);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      "seep: job module test/package/fixtures/sensorCount.ts: readings (5) must be at least sensors (10)\n",
    );
  });

  it("are the workers' own too: `seep run` on local workers that load the job module gets the simulator's digest", async () => {
    const fast = ["--seed", "3", "--set", "workload.params.intervalMs=1", "--quiet"];
    const [real, simulated] = await Promise.all([
      seep(["run", ONE_ENGINE_JOB, "--workers", "2", "--out", join(scratch, "real"), ...fast]),
      seep(["sim", ONE_ENGINE_JOB, "--out", join(scratch, "fast-sim"), ...fast]),
    ]);
    expect(real.stderr + simulated.stderr).toBe("");
    expect(real.code).toBe(0);
    expect(digestIn(join(scratch, "real"))).toBe(digestIn(join(scratch, "fast-sim")));
  });
});
