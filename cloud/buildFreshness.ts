// Whether a clone's build (dist/, compiled by `npm run build`: scripts/build.mjs) is current
// with its TypeScript sources, so that local workers may run the compiled JavaScript, which
// starts in about a third of the time tsx takes to transpile the sources. Current means: the
// build's stamp (dist/.build-stamp, written as the build began) is newer than every source
// file the build compiles and than the TypeScript settings it compiled them with. A stat of
// each file, no hashing: a few hundred files, a few ms, once per coordinator process.

import { type Dirent, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** The folders the build compiles: tsconfig.build.json's "include" (a test holds them equal). */
export const BUILD_SOURCE_FOLDERS = [
  "engine",
  "sim",
  "cloud",
  "workloads",
  "cli",
  "notebooks",
  "bench",
  "measure",
  "lab",
] as const;

/** The settings a change of which changes the build. */
export const BUILD_SETTINGS_FILES = ["tsconfig.json", "tsconfig.build.json"] as const;

/** The stamp in dist/, written as the build began. */
export const BUILD_STAMP = ".build-stamp";

/** The build's entry of the CLI, relative to the package's root. */
export const BUILD_MAIN = join("dist", "cli", "main.js");

/**
 * The state of a clone's build: `current` (its stamp is newer than every source), `stale` (a
 * source was saved after the build began, or dist/ has no stamp: built by an older script),
 * or `missing` (no dist/cli/main.js).
 */
export type BuildFreshness = "current" | "stale" | "missing";

/** The state of the build under `root` (a clone's root) against the sources there. */
export function buildFreshness(root: string): BuildFreshness {
  if (mtimeMsOf(join(root, BUILD_MAIN)) === null) return "missing";
  const stampMs = mtimeMsOf(join(root, "dist", BUILD_STAMP));
  if (stampMs === null) return "stale";
  for (const file of BUILD_SETTINGS_FILES) if ((mtimeMsOf(join(root, file)) ?? 0) >= stampMs) return "stale";
  for (const folder of BUILD_SOURCE_FOLDERS)
    for (const file of sourceFiles(join(root, folder))) if ((mtimeMsOf(file) ?? 0) >= stampMs) return "stale";
  return "current";
}

/** The TypeScript files under `dir`, at any depth (none when it does not exist). */
function sourceFiles(dir: string): string[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.isFile() && /\.[mc]?tsx?$/.test(e.name) ? [path] : [];
  });
}

/** The time `file` was last written, in ms; null when there is no such file. */
function mtimeMsOf(file: string): number | null {
  return statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? null;
}

/** The line that says local workers run the sources, and why; null when the build is current. */
export function staleBuildNote(freshness: BuildFreshness): string | null {
  if (freshness === "current") return null;
  const why = freshness === "missing" ? "there is no build in dist/" : "dist/ is older than the sources";
  return `${why}: local workers run the sources through tsx (a slower start); npm run build makes them run the build`;
}
