// Where the seep-testbed package is on disk, and its `seep` executable: what starts local
// workers (`seep worker` processes) and what the CLI reads its version from. Found from this
// file's own place, which is <root>/cloud/ in a clone (sources run through tsx) and
// <root>/dist/cloud/ in an installed package (the build): the nearest folder above it whose
// package.json is seep-testbed's.

import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const PACKAGE_NAME = "seep-testbed";

/** The root of the seep-testbed package (the folder of its package.json). */
export const PACKAGE_ROOT = packageRootFrom(dirname(fileURLToPath(import.meta.url)));

/** The `seep` executable (bin/seep.js), which runs sources in a clone and the build in an installed package. */
export const SEEP_BIN = join(PACKAGE_ROOT, "bin", "seep.js");

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
  return [process.execPath, SEEP_BIN, "worker"];
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
