// The Linear Road input file a command reads, as the CLI talks about it: an `lrb` run that
// replays a file (`workload.params.input`) reads it through once before it starts, so that
// a malformed line is one line naming the file and the line number before any worker or
// simulated VM exists (a run would otherwise meet it mid-way, inside a source, on a
// worker); and the one line that says how many speeds `--clamp-speeds` changed.

import type { Experiment } from "../sim/index.js";
import { countRecords, LrInputError } from "../workloads/linearRoad/reader.js";
import { UserError } from "./errors.js";

/** The stderr line (without `seep: `) saying how many lines of `file` had their speed clamped. */
export function clampedSpeedsLine(file: string, lines: number): string {
  const what = lines === 1 ? "1 line" : `${lines} lines`;
  return `clamp speeds: ${what} of ${file} had a speed outside 0..100, clamped into it`;
}

/** The reader's one-line message, with `clampHint` (how to accept it) when the fault is a speed outside 0..100. */
export function inputErrorMessage(err: LrInputError, clampHint: string): string {
  const speed = err.field === "spd" && err.reason.includes("out of range");
  return speed ? `${err.message} (${clampHint})` : err.message;
}

/**
 * Reads the input file of an `lrb` experiment that replays one, start to end; throws a
 * UserError naming the file and the line at the first bad line, and says with `warn` how
 * many speeds were clamped when `params.clampSpeeds` is set. Other experiments pass.
 */
export function checkLrbInput(experiment: Experiment, where: string, warn: (line: string) => void): void {
  if (experiment.workload.name !== "lrb") return;
  const params = experiment.workload.params;
  const input = params.input;
  if (typeof input !== "string") return;
  const clampSpeeds = params.clampSpeeds === true;
  const what = `${where}: workload.params.input`;
  let clamped: number;
  try {
    clamped = countRecords(input, { onBadLine: "stop", clampSpeeds }).clamped;
  } catch (err) {
    if (err instanceof LrInputError)
      throw new UserError(
        `${what}: ${inputErrorMessage(err, "workload.params.clampSpeeds: true clamps speeds into 0..100")}`,
      );
    const code = (err as NodeJS.ErrnoException).code;
    if (typeof code === "string") throw new UserError(`${what}: cannot read ${input} (${code})`);
    throw err;
  }
  if (clampSpeeds) warn(`seep: ${clampedSpeedsLine(input, clamped)}`);
}
