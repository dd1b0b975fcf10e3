// What a run was run with and on, recorded in its summary.json as `environment`: the seep
// version, the git commit of the checkout it ran from (when it ran from one) and whether
// that checkout had uncommitted changes, Node, the OS, the CPU model and core count, the
// load average when it started, and the wall-clock time it started. Only the CLI reads these
// (the simulator never reads the machine or the clock), once, before the run. A rerun of
// the same experiment and seed differs from the first only here and in `wallSeconds`.
// git is asked with a bound of a few seconds; without git, or outside a checkout (an
// installed package), the commit is null.

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { arch, cpus, loadavg, platform, release } from "node:os";
import { PACKAGE_ROOT, seepVersion } from "../cloud/packageRoot.js";

/** The machine and software a run ran on. */
export interface RunEnvironment {
  /** The seep-testbed version (package.json). */
  readonly seepVersion: string;
  /** The git commit of the checkout seep ran from; null outside a checkout or without git. */
  readonly gitCommit: string | null;
  /** True when that checkout had uncommitted changes to tracked files; null with no commit. */
  readonly gitDirty: boolean | null;
  /** Node's version, e.g. v22.11.0. */
  readonly node: string;
  /** OS, kernel release and architecture, e.g. "linux 6.1.0 x64". */
  readonly os: string;
  /** The first CPU's model name, as the OS reports it. */
  readonly cpuModel: string;
  /** Logical cores. */
  readonly cores: number;
  /** The 1, 5 and 15-minute load averages when the run started (0s where the OS has none). */
  readonly loadAverageAtStart: readonly [number, number, number];
  /** When the run started, as an ISO 8601 UTC time. */
  readonly startedAt: string;
}

const GIT_TIMEOUT_MS = 5_000;

/** The environment of a run starting now. */
export function runEnvironment(): RunEnvironment {
  const cpu = cpus();
  const [l1, l5, l15] = loadavg();
  const commit = gitCommit(PACKAGE_ROOT);
  return {
    seepVersion: seepVersion(),
    gitCommit: commit,
    gitDirty: commit === null ? null : gitDirty(PACKAGE_ROOT),
    node: process.version,
    os: `${platform()} ${release()} ${arch()}`,
    cpuModel: cpu[0]?.model.trim() ?? "unknown",
    cores: cpu.length,
    loadAverageAtStart: [round2(l1), round2(l5), round2(l15)],
    startedAt: new Date().toISOString(),
  };
}

/** HEAD's commit of the checkout at `root` (its own `.git`, not an enclosing project's), or null. */
export function gitCommit(root: string): string | null {
  if (!existsSync(`${root}/.git`)) return null;
  const out = git(root, ["rev-parse", "HEAD"]);
  return out !== null && /^[0-9a-f]{40}$/.test(out.trim()) ? out.trim() : null;
}

/** Whether the checkout at `root` has uncommitted changes to tracked files (null: git could not tell). */
export function gitDirty(root: string): boolean | null {
  const out = git(root, ["status", "--porcelain", "--untracked-files=no"]);
  return out === null ? null : out.trim().length > 0;
}

/** git's standard output, or null if it is missing, fails or takes too long. */
function git(root: string, args: readonly string[]): string | null {
  const r = spawnSync("git", ["-C", root, ...args], {
    encoding: "utf8",
    timeout: GIT_TIMEOUT_MS,
    stdio: ["ignore", "pipe", "ignore"],
  });
  return r.status === 0 && typeof r.stdout === "string" ? r.stdout : null;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
