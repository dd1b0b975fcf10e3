// Print where each process's CPU time went, from the `.cpuprofile` files that
// `node --cpu-prof` writes: the top self times by function (measure/cpuProfile.ts).
// Usage: npx tsx scripts/cpu-profile-summary.ts [--top N] [--active PREFIX] [--root DIR] FILE_OR_DIR...
// A directory stands for every .cpuprofile in it. Files are named relative to DIR (default:
// this project). With --active, only the span from the first to the last sample in files
// under PREFIX (e.g. workloads/) is read: the process's work, its start-up left out.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { activeSpanUs, CpuProfileError, formatSelfTimes, parseCpuProfile } from "../measure/cpuProfile.js";

const USAGE = "usage: cpu-profile-summary.ts [--top N] [--active PREFIX] [--root DIR] FILE_OR_DIR...";

/** The .cpuprofile files named by `args` (a directory: each one in it, by name). */
function profileFiles(args: readonly string[]): string[] {
  const files: string[] = [];
  for (const a of args) {
    let isDir: boolean;
    try {
      isDir = statSync(a).isDirectory();
    } catch {
      throw new CpuProfileError(`${a}: no such file or directory`);
    }
    if (!isDir) files.push(a);
    else for (const f of readdirSync(a).sort()) if (f.endsWith(".cpuprofile")) files.push(join(a, f));
  }
  return files;
}

function main(argv: readonly string[]): void {
  let top = 15;
  let root = fileURLToPath(new URL("..", import.meta.url));
  let active: string | null = null;
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--top") {
      top = Number(argv[++i]);
      if (!Number.isInteger(top) || top < 1) throw new CpuProfileError("--top takes a whole number >= 1");
    } else if (argv[i] === "--active") {
      active = argv[++i] ?? "";
      if (active === "") throw new CpuProfileError("--active takes a path prefix, e.g. workloads/");
    } else if (argv[i] === "--root") {
      root = argv[++i] ?? "";
      if (root === "") throw new CpuProfileError("--root takes a directory");
    } else if (argv[i].startsWith("--")) throw new CpuProfileError(`unknown option ${argv[i]}; ${USAGE}`);
    else args.push(argv[i]);
  }
  if (args.length === 0) throw new CpuProfileError(USAGE);
  const files = profileFiles(args);
  if (files.length === 0) throw new CpuProfileError(`no .cpuprofile in ${args.join(", ")}`);
  for (const f of files) {
    const profile = parseCpuProfile(readFileSync(f, "utf8"), f);
    const span = active === null ? null : activeSpanUs(profile, active, root);
    if (active !== null && span === null) {
      process.stdout.write(`${f}: no sample in ${active}\n\n`);
      continue;
    }
    const title =
      span === null ? f : `${f}, ${((span.toUs - span.fromUs) / 1000).toFixed(0)} ms in ${active}`;
    process.stdout.write(`${formatSelfTimes(profile, title, top, { root, ...span }).join("\n")}\n\n`);
  }
}

try {
  main(process.argv.slice(2));
} catch (e) {
  if (!(e instanceof CpuProfileError)) throw e;
  process.stderr.write(`cpu-profile-summary: ${e.message}\n`);
  process.exitCode = 2;
}
