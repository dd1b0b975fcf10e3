// Where a command writes, checked before it does any work: a file where a directory is
// expected (or the reverse), a file or a finished run that would be overwritten without
// `--force`, and a place that cannot be written (`/proc/x`, a read-only disk, no
// permission) are each one line at once, not a stack trace or a silent failure after the
// work. The checks come in two steps: `check*` only look (so that validation alone, as
// the fuzz test runs it, touches nothing), `prepare*` create the directories and try a
// write. Directories are created one level at a time: Node's recursive mkdir loops for
// ever on some paths (`/proc/x`).

import { closeSync, mkdirSync, openSync, rmSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { UserError } from "./errors.js";

/** Refuse `path` as a file to write (read-only check): a directory there, or a file unless `force`. */
export function checkOutputFile(path: string, flag: string, force: boolean): void {
  const kind = kindOf(path);
  if (kind === "directory") throw new UserError(`${flag} ${path}: is a directory; expected a file`);
  if (kind === "inaccessible")
    throw new UserError(`${flag} ${path}: cannot be looked at: ${statReason(path)}`);
  if (kind === "file" && !force)
    throw new UserError(`${flag} ${path}: the file exists; --force overwrites it`);
  // A device or a pipe (/dev/null) is written to as asked: there is nothing to overwrite.
  if (kind === "absent") checkParents(path, flag);
}

/**
 * Refuse `dir` as a directory to write into (read-only check): a file there, or a finished
 * piece of work (its `marker` file, `what` names it) unless `force`.
 */
export function checkOutputDirectory(
  dir: string,
  flag: string,
  force: boolean,
  marker: string,
  what: string,
): void {
  const kind = kindOf(dir);
  if (kind === "inaccessible") throw new UserError(`${flag} ${dir}: cannot be looked at: ${statReason(dir)}`);
  if (kind === "file" || kind === "other")
    throw new UserError(`${flag} ${dir}: is a file; expected a directory`);
  if (kind === "directory" && !force && kindOf(join(dir, marker)) !== "absent") {
    throw new UserError(
      `${flag} ${dir}: holds ${what} (${marker}); --force overwrites it, or choose another ${flag}`,
    );
  }
  if (kind === "absent") checkParents(dir, flag);
}

/**
 * Create `dir` and its missing parents, and make sure a file can be written in it; else
 * one UserError about `flag` and its value `named` (the directory itself, or a file in it).
 */
export function prepareDirectory(dir: string, flag: string, named = dir): void {
  const missing: string[] = [];
  for (let at = resolve(dir); kindOf(at) === "absent"; at = dirname(at)) {
    missing.unshift(at);
    if (dirname(at) === at) break;
  }
  for (const level of missing) {
    try {
      mkdirSync(level);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EEXIST" && kindOf(level) === "directory") continue;
      throw new UserError(`${flag} ${named}: cannot create directory ${level}: ${reason(err)}`);
    }
  }
  const probe = join(dir, `.seep-write-check-${process.pid}`);
  try {
    closeSync(openSync(probe, "wx"));
    rmSync(probe, { force: true });
  } catch (err) {
    throw new UserError(`${flag} ${named}: cannot write in ${dir}: ${reason(err)}`);
  }
}

/** Create the directory of the file `path` (see prepareDirectory), so that writing it fails only for a full disk. */
export function prepareOutputFile(path: string, flag: string): void {
  prepareDirectory(dirname(path), flag, path);
}

/** What is at `path`, following links: `other` is a device, a socket or a pipe. */
function kindOf(path: string): "absent" | "file" | "directory" | "other" | "inaccessible" {
  try {
    const s = statSync(path);
    return s.isDirectory() ? "directory" : s.isFile() ? "file" : "other";
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // A parent that is a file (ENOTDIR) is found by checkParents, which names it.
    return code === "ENOENT" || code === "ENOTDIR" ? "absent" : "inaccessible";
  }
}

/** Why `path` cannot be looked at (no permission on a parent, a loop of links...). */
function statReason(path: string): string {
  try {
    statSync(path);
    return "unknown";
  } catch (err) {
    return reason(err);
  }
}

/** The nearest existing parent of `path` must be a directory. */
function checkParents(path: string, flag: string): void {
  let at = dirname(resolve(path));
  while (kindOf(at) === "absent" && dirname(at) !== at) at = dirname(at);
  if (kindOf(at) !== "directory") throw new UserError(`${flag} ${path}: ${at} is not a directory`);
}

/** A system error's reason without its code and syscall: `no such file or directory`. */
function reason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/^[A-Z]+: /, "").replace(/, \w+ '.*'$/, "");
}
