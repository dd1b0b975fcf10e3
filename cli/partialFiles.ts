// Files a run writes under a temporary name and renames into place once complete
// (outputs.csv and answers.csv as the run goes, the other files at its end). The temporary
// name says what the file is and whose: `<name>.partial-<pid>`. A process that exits,
// normally or from a signal handler (`seep run` handles SIGINT, SIGTERM and SIGHUP), removes
// those it still has open. One killed by SIGKILL cannot, nor one killed by a signal while it
// computes without yielding (`seep sim` runs the simulation in one synchronous loop): the
// next run into the same directory removes the partial files of processes that no longer
// exist, and says so on stderr.

import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";

/** A partial file's name: what it will be called, and the pid of the process writing it. */
const PARTIAL_NAME = /^(.+)\.partial-(\d+)$/;

/** The name `path` is written under until complete: `<path>.partial-<pid>`. */
export function partialPath(path: string, pid: number = process.pid): string {
  return `${path}.partial-${pid}`;
}

/** Partial files this process has open, removed if it exits before they are complete. */
const open = new Set<string>();

function removeOpen(): void {
  for (const path of open) rmSync(path, { force: true });
  open.clear();
}

/**
 * Remove the partial file `path` if this process exits while it is still open; returns
 * the function that forgets it (call it once the file is renamed into place or removed).
 */
export function removeOnExit(path: string): () => void {
  if (open.size === 0) process.on("exit", removeOpen);
  open.add(path);
  return () => {
    open.delete(path);
    if (open.size === 0) process.off("exit", removeOpen);
  };
}

/** True while a process with `pid` exists (EPERM: it exists, as another user's). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

/**
 * Remove the partial files in `dir` whose writers no longer exist (left by a killed run),
 * telling `warn` in one line; returns their names. Those of live processes stay: another
 * run may be writing into the same directory.
 */
export function removeStalePartials(
  dir: string,
  warn: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  exists: (pid: number) => boolean = processExists,
): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return []; // no directory yet: nothing left in it
  }
  const stale = names.filter((name) => {
    const m = PARTIAL_NAME.exec(name);
    return m !== null && Number(m[2]) !== process.pid && !exists(Number(m[2]));
  });
  for (const name of stale) rmSync(join(dir, name), { force: true });
  if (stale.length > 0) {
    const pids = [...new Set(stale.map((name) => PARTIAL_NAME.exec(name)?.[2]))].join(", ");
    warn(
      `seep: removed ${stale.join(", ")} from ${dir}: partial files of a run that was killed (pid ${pids}, gone)`,
    );
  }
  return stale;
}
