// Whether a clone's build is current, on fake clones in a scratch folder (nothing is built):
// a stamp newer than every source is current; a source or a TypeScript setting saved since
// the build began, or a build without a stamp, is stale; no dist/cli/main.js is missing. The
// folders it looks at are the ones tsconfig.build.json compiles.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import {
  BUILD_MAIN,
  BUILD_SOURCE_FOLDERS,
  BUILD_STAMP,
  buildFreshness,
  staleBuildNote,
} from "../../cloud/buildFreshness.js";

const scratch = mkdtempSync(join(tmpdir(), "seep-build-freshness-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Seconds since the epoch of the build's stamp in every fake clone; sources are dated around it. */
const BUILT_S = 1_800_000_000;
let clones = 0;

/** Write `file` under `root`, dated `atS` (seconds since the epoch). */
function write(root: string, file: string, atS: number): void {
  const path = join(root, file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, "// a file\n");
  utimesSync(path, atS, atS);
}

/** A fake clone: a few sources and settings dated before the build, and a build with its stamp. */
function clone(): string {
  const root = join(scratch, `clone-${clones++}`);
  for (const file of ["engine/index.ts", "cloud/worker.ts", "workloads/linearRoad/job.ts", "tsconfig.json"])
    write(root, file, BUILT_S - 60);
  write(root, "tsconfig.build.json", BUILT_S - 60);
  write(root, BUILD_MAIN, BUILT_S + 5);
  write(root, join("dist", BUILD_STAMP), BUILT_S);
  return root;
}

describe("buildFreshness", () => {
  it("is current when the stamp is newer than every source and setting", () => {
    expect(buildFreshness(clone())).toBe("current");
  });

  it("is stale once a source at any depth, a new source, or a TypeScript setting is saved after the build began", () => {
    for (const file of [
      "workloads/linearRoad/job.ts",
      "cli/commands/worker.ts",
      "lab/new.mts",
      "tsconfig.build.json",
    ]) {
      const root = clone();
      write(root, file, BUILT_S + 1);
      expect(buildFreshness(root), file).toBe("stale");
    }
  });

  it("is stale for a source saved the very moment the build began, which the build may not have read", () => {
    const root = clone();
    write(root, "engine/index.ts", BUILT_S);
    expect(buildFreshness(root)).toBe("stale");
  });

  it("ignores files the build does not compile: tests, notes, folders outside the build", () => {
    const root = clone();
    for (const file of [
      "test/engine/x.test.ts",
      "sim/README.md",
      "examples/topk/job.ts",
      "scripts/build.mjs",
    ])
      write(root, file, BUILT_S + 100);
    expect(buildFreshness(root)).toBe("current");
  });

  it("is stale for a build without a stamp (an older build script's), and missing without dist/cli/main.js", () => {
    const unstamped = clone();
    rmSync(join(unstamped, "dist", BUILD_STAMP));
    expect(buildFreshness(unstamped)).toBe("stale");
    const unbuilt = clone();
    rmSync(join(unbuilt, "dist"), { recursive: true });
    expect(buildFreshness(unbuilt)).toBe("missing");
    expect(buildFreshness(join(scratch, "no-such-clone"))).toBe("missing");
  });

  it("says why workers run the sources, and how to make them run the build, only when it is not current", () => {
    expect(staleBuildNote("current")).toBeNull();
    expect(staleBuildNote("stale")).toMatch(/^dist\/ is older than the sources: .*tsx.*npm run build/);
    expect(staleBuildNote("missing")).toMatch(/^there is no build in dist\/: .*tsx.*npm run build/);
  });

  it("looks at the folders tsconfig.build.json compiles", () => {
    const root = fileURLToPath(new URL("../../", import.meta.url));
    const text = readFileSync(join(root, "tsconfig.build.json"), "utf8").replace(/^\s*\/\/.*$/gm, "");
    expect([...BUILD_SOURCE_FOLDERS].sort()).toEqual([...JSON.parse(text).include].sort());
  });
});
