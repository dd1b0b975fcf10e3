// The output directory of a simulated run. Every file is written under a temporary name
// (`<name>.partial-<pid>`, partialFiles.ts) and renamed into place, so a crash of seep leaves
// whole files or partial ones named so, which the next run into the directory removes;
// summary.json is written last, so its presence says the run finished. Disk errors (no space, no
// permission, a file where the directory should be) are the user's to fix and are
// reported as one line; the simulator itself only hands over strings and bytes.

import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  type Experiment,
  readTrace,
  resolvedExperiment,
  type SimSummary,
  type Simulation,
  traceToCsv,
} from "../sim/index.js";
import { UserError } from "./errors.js";
import { partialPath, removeStalePartials } from "./partialFiles.js";
import type { RunEnvironment } from "./runEnvironment.js";

/** Names of the files in a run's directory. */
export const RUN_FILES = {
  summary: "summary.json",
  metrics: "metrics.csv",
  outputs: "outputs.csv",
  trace: "trace.bin",
  traceCsv: "trace.csv",
  experiment: "experiment.json",
} as const;

/** Run `action` on the disk, turning a system error (it has a `code`) into a UserError. */
export function onDisk<T>(action: () => T): T {
  try {
    return action();
  } catch (err) {
    if (err instanceof Error && typeof (err as NodeJS.ErrnoException).code === "string") {
      throw new UserError(err.message);
    }
    throw err;
  }
}

/** The name a file is written under before it is renamed to `path`: `<path>.partial-<pid>`. */
export function temporaryPath(path: string): string {
  return partialPath(path);
}

/** Write `data` to `path` through a temporary file and a rename. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = temporaryPath(path);
  onDisk(() => {
    try {
      writeFileSync(tmp, data);
      renameSync(tmp, path);
    } catch (err) {
      rmSync(tmp, { force: true });
      throw err;
    }
  });
}

/** `value` as pretty-printed JSON with a trailing newline. */
export function prettyJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/**
 * Create the directory `dir` (and its parents), remove partial files of killed runs, and
 * write experiment.json (the experiment resolved: every default filled in), before the run.
 */
export function startRunDirectory(dir: string, experiment: Experiment): void {
  onDisk(() => mkdirSync(dir, { recursive: true }));
  removeStalePartials(dir);
  writeFileAtomic(join(dir, RUN_FILES.experiment), prettyJson(resolvedExperiment(experiment)));
}

/** A run's summary as summary.json holds it: the run's figures, then what it ran on. */
export function summaryJson(summary: object, environment: RunEnvironment): string {
  return prettyJson({ ...summary, environment });
}

/** Write the files of a finished run; summary.json (with `environment`) last. */
export function finishRunDirectory(
  dir: string,
  sim: Simulation,
  summary: SimSummary,
  options: { readonly traceCsv: boolean; readonly environment: RunEnvironment },
): void {
  writeFileAtomic(join(dir, RUN_FILES.metrics), sim.metrics.toCsv());
  const trace = sim.trace.bytes();
  writeFileAtomic(join(dir, RUN_FILES.trace), trace);
  if (options.traceCsv) writeFileAtomic(join(dir, RUN_FILES.traceCsv), traceToCsv(readTrace(trace)));
  writeFileAtomic(join(dir, RUN_FILES.summary), summaryJson(summary, options.environment));
}
