// Finding the package from inside it: the clone's root from the sources (and from any folder
// below it, as dist/cloud/ is in an installed package), its executable, its version; and what
// local workers run: the build (dist/cli/main.js) while it is current, the sources through
// bin/seep.js otherwise. A pool started with that command runs a small word count to the
// simulator's digest, whichever the build's state here (a test never rebuilds it).

import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { buildFreshness } from "../../cloud/buildFreshness.js";
import { CloudRun } from "../../cloud/cloudRun.js";
import { LocalProcessPool } from "../../cloud/localProcessPool.js";
import {
  PACKAGE_ROOT,
  packageRootFrom,
  SEEP_BIN,
  SEEP_BUILD_MAIN,
  seepVersion,
  seepWorkerCommand,
  workerCommandOf,
  workerRuntime,
} from "../../cloud/packageRoot.js";
import { failureFree, WORD_COUNT_PARAMS, wordCountOn } from "./localWordCount.js";

const root = fileURLToPath(new URL("../../", import.meta.url)).replace(/\/$/, "");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

describe("packageRoot", () => {
  it("is the clone's root, whose bin/seep.js is the executable and whose package.json gives the version", () => {
    expect(PACKAGE_ROOT).toBe(root);
    expect(SEEP_BIN).toBe(join(root, "bin", "seep.js"));
    expect(existsSync(SEEP_BIN)).toBe(true);
    expect(seepVersion()).toBe(pkg.version);
  });

  it("is found from a folder deeper down, as from dist/cloud/, and not above the package", () => {
    expect(packageRootFrom(join(root, "dist", "cloud"))).toBe(root);
    expect(packageRootFrom(join(root, "test", "cloud"))).toBe(root);
    expect(() => packageRootFrom("/")).toThrow(/no seep-testbed package.json at or above \//);
  });

  it("starts workers from the build while it is current, else from the sources through bin/seep.js", () => {
    expect(workerCommandOf("build")).toEqual([
      process.execPath,
      join(root, "dist", "cli", "main.js"),
      "worker",
    ]);
    expect(SEEP_BUILD_MAIN).toBe(join(root, "dist", "cli", "main.js"));
    expect(workerCommandOf("sources")).toEqual([process.execPath, SEEP_BIN, "worker"]);
    const expected = buildFreshness(root) === "current" ? "build" : "sources";
    expect(workerRuntime()).toBe(expected);
    expect(seepWorkerCommand()).toEqual(workerCommandOf(expected));
  });

  it("gives a command whose pool workers reach ready and run a word count to the simulator's digest", async () => {
    const params = { ...WORD_COUNT_PARAMS, lines: 1500 };
    const token = randomBytes(8).toString("hex");
    const pool = new LocalProcessPool({ command: seepWorkerCommand(), token });
    try {
      await pool.prewarm(3);
      const started = pool.idle().map((vm) => pool.processOf(vm)?.spawnargs.slice(1, 3));
      expect(started).toEqual(Array(3).fill(seepWorkerCommand().slice(1)));
      const summary = await new CloudRun({
        name: "worker-command",
        ...wordCountOn(pool, token, 3, params),
      }).run();
      expect(summary.outputDigest).toBe(failureFree(params).outputDigest);
    } finally {
      await pool.shutdown();
    }
  });
});
