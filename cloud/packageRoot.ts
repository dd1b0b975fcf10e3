// Where the seep-testbed package is on disk, and its `seep` executable: what starts local
// workers (`seep worker` processes) and what the CLI reads its version from. Found from this
// file's own place, which is <root>/cloud/ in a clone (sources run through tsx) and
// <root>/dist/cloud/ in an installed package (the build): the nearest folder above it whose
// package.json is seep-testbed's. Local workers run the build (dist/cli/main.js, no tsx: a
// third of the start time) in an installed package, and in a clone whose build is current
// (cloud/buildFreshness.ts); in a clone whose sources changed since, the sources through tsx
// (bin/seep.js), as the coordinator does. Decided once per process.

import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { BUILD_MAIN, buildFreshness, staleBuildNote } from "./buildFreshness.js";

const PACKAGE_NAME = "seep-testbed";

/** The root of the seep-testbed package (the folder of its package.json). */
export const PACKAGE_ROOT = packageRootFrom(dirname(fileURLToPath(import.meta.url)));

/** The `seep` executable (bin/seep.js), which runs sources in a clone and the build in an installed package. */
export const SEEP_BIN = join(PACKAGE_ROOT, "bin", "seep.js");

/** The build's CLI (dist/cli/main.js), which local workers run while the build is current. */
export const SEEP_BUILD_MAIN = join(PACKAGE_ROOT, BUILD_MAIN);

/** What local workers run: the build (compiled JavaScript), or the sources through tsx (bin/seep.js). */
export type WorkerRuntime = "build" | "sources";

/** The nearest folder at or above `dir` whose package.json names seep-testbed. */
export function packageRootFrom(dir: string): string {
  for (let d = dir; ; d = dirname(d)) {
    if (packageName(join(d, "package.json")) === PACKAGE_NAME) return d;
    if (dirname(d) === d) throw new Error(`no ${PACKAGE_NAME} package.json at or above ${dir}`);
  }
}

/** The seep-testbed version, from its package.json. */
export function seepVersion(): string {
  return (readPackageJson(join(PACKAGE_ROOT, "package.json")) as { version: string }).version;
}

/** The command that runs `seep` with this Node (a subcommand and its flags appended). */
export function seepCommand(): string[] {
  return [process.execPath, SEEP_BIN];
}

/** The command that starts a local `seep worker` with this Node (the pool appends listen and flags). */
export function seepWorkerCommand(): string[] {
  return workerCommandOf(workerRuntime());
}

/** The command that starts a local `seep worker` running `runtime`, with this Node. */
export function workerCommandOf(runtime: WorkerRuntime): string[] {
  return [process.execPath, runtime === "build" ? SEEP_BUILD_MAIN : SEEP_BIN, "worker"];
}

let runtimeOfWorkers: WorkerRuntime | undefined;

/**
 * What this process's local workers run: the build in an installed package, and in a clone
 * while the build is current; the sources otherwise. Decided on the first call; a clone
 * whose build is not current says so then, once, on stderr when that is a terminal (a
 * program reading seep's stderr gets only what it asked for).
 */
export function workerRuntime(): WorkerRuntime {
  if (runtimeOfWorkers !== undefined) return runtimeOfWorkers;
  const inClone = existsSync(join(PACKAGE_ROOT, "cli", "main.ts"));
  const freshness = inClone ? buildFreshness(PACKAGE_ROOT) : "current";
  runtimeOfWorkers = freshness === "current" ? "build" : "sources";
  const note = staleBuildNote(freshness);
  if (note !== null && process.stderr.isTTY) process.stderr.write(`seep: ${note}\n`);
  return runtimeOfWorkers;
}

function packageName(file: string): string | null {
  if (!existsSync(file)) return null;
  const pkg = readPackageJson(file) as { name?: unknown } | null;
  return typeof pkg?.name === "string" ? pkg.name : null;
}

function readPackageJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return null;
  }
}
