// Where a run writes when `--out` is not given: a directory of its own under runs/<name>/,
// named by the UTC time it started and its seed (`runs/wordcount/20261207-043012-seed1`, a
// real run's with `-real`), and `runs/<name>/latest`, a symbolic link to the newest. Running
// one experiment after another, or the same one twice, never overwrites a run, and nothing
// needs --force. The directory is claimed with an exclusive mkdir when the run starts (not
// when its arguments are checked, which writes nothing): a run started in the same second
// with the same seed takes `-2`, `-3` and so on. `--out` names the directory outright, and
// a finished run there still needs --force (outputPath.ts). A chaos campaign's table goes
// the same way, to `runs/<name>/<time>-seed<first seed>-chaos-<strategy>.csv`, and a report
// to `reports/<name>[-quick]/<time>/`, with its own `latest`.

import { closeSync, mkdirSync, openSync, readlinkSync, renameSync, rmSync, symlinkSync } from "node:fs";
import { basename, dirname, extname, join } from "node:path";
import { UserError } from "./errors.js";
import { prepareDirectory } from "./outputPath.js";

/** Name of the link to a preset's newest run. */
export const LATEST_LINK = "latest";
/** Most same-second runs of one name and seed before claiming gives up. */
const CLAIM_TRIES = 1000;

/** `at` as a UTC time to the second, for a directory's name: 20261207-043012. */
export function timeStamp(at: Date): string {
  return at
    .toISOString()
    .replace(/\.\d+Z$/, "")
    .replace(/[-:]/g, "")
    .replace("T", "-");
}

/** The directory a run of `name` with `seed` started at `startedAt` would take by default (not created). */
export function defaultRunDirectory(name: string, seed: number, startedAt: Date, tag = ""): string {
  return join("runs", name, `${timeStamp(startedAt)}-seed${seed}${tag}`);
}

/**
 * Create `wanted` or, when it exists, the first of `wanted-2`, `wanted-3`, ... that does not,
 * each with an exclusive mkdir (its parents as needed); returns the one created.
 */
export function claimRunDirectory(wanted: string): string {
  return claim(wanted, "run directory", (n) => (n === 1 ? wanted : `${wanted}-${n}`), mkdirSync);
}

/**
 * Create the file `wanted` (empty) or, when it exists, the first of `<stem>-2<ext>`,
 * `<stem>-3<ext>`, ... that does not, each with an exclusive open (its directory as
 * needed); returns the one created. A chaos campaign's table, without --out.
 */
export function claimRunFile(wanted: string): string {
  const ext = extname(wanted);
  const stem = wanted.slice(0, wanted.length - ext.length);
  return claim(
    wanted,
    "run file",
    (n) => (n === 1 ? wanted : `${stem}-${n}${ext}`),
    (path) => closeSync(openSync(path, "wx")),
  );
}

/** The first of `nameOf(1)`, `nameOf(2)`, ... that `create` makes without finding it there (EEXIST). */
function claim(
  wanted: string,
  what: string,
  nameOf: (n: number) => string,
  create: (path: string) => void,
): string {
  prepareDirectory(dirname(wanted), what, wanted);
  for (let n = 1; n <= CLAIM_TRIES; n++) {
    const path = nameOf(n);
    try {
      create(path);
      return path;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST")
        throw new UserError(`${what} ${path}: cannot create it: ${(err as Error).message}`);
    }
  }
  throw new UserError(`${wanted}: ${CLAIM_TRIES} of it exist already; choose another with --out`);
}

/**
 * Point `latest` beside `dir` at it (a relative link, replaced atomically). Best effort: a
 * `latest` that is not a link (the user's own file or directory) is left alone, and a file
 * system without links does without one.
 */
export function pointLatest(dir: string): void {
  const link = join(dirname(dir), LATEST_LINK);
  try {
    readlinkSync(link);
  } catch (err) {
    // Absent is fine; anything else there that is not a link is not ours to replace.
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") return;
  }
  const tmp = `${link}.partial-${process.pid}`;
  try {
    rmSync(tmp, { force: true });
    symlinkSync(basename(dir), tmp);
    renameSync(tmp, link);
  } catch {
    rmSync(tmp, { force: true });
  }
}
