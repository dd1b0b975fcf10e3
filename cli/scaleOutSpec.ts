// `seep run --scale-out <operator>[:<index>]@<time>[x<factor>]`: a scale out to carry out
// during a real run. At run time `time` (ms, or with a unit: 1500ms, 1.5s), the index-th
// instance of the operator (default 0, in id order, as in the simulator) is split into `factor`
// instances (default 2); x1 moves it to another worker (a migration). Repeatable; a
// malformed one is a one-line error naming what was typed, and so is one out of the
// experiment's ranges (the time at most 20 days, the index below 128, the factor at most
// 64, as for scaling.scaleOuts in sim/experiment.ts). Like the simulator's
// scaling.scaleOuts, it needs a fault-tolerance strategy that supports scaling out, which
// `seep run` checks with sim/supportedCombinations.ts before any worker starts.

import type { ScheduledScaleOut } from "../cloud/cloudRun.js";
import { UserError } from "./errors.js";
import { KEY_GROUPS, TIME_MS_MAX } from "./options.js";

/** Most instances one scale out makes (scaling.scaleOuts' factor). */
const FACTOR_MAX = 64;

const SCALE_OUT = /^([^\s:@]+)(?::(\d+))?@(\d+(?:\.\d+)?)(ms|s)?(?:x(\d+))?$/;

/** `text` of a `--scale-out` as a ScheduledScaleOut; throws a UserError when it is malformed. */
export function parseScaleOut(text: string): ScheduledScaleOut {
  const m = SCALE_OUT.exec(text.trim());
  if (m === null) {
    throw new UserError(
      `--scale-out expects <operator>[:<index>]@<ms>[x<factor>], such as count@1500 or count:1@2sx3, got '${text}'`,
    );
  }
  const index = m[2] === undefined ? 0 : Number(m[2]);
  const atMs = Number(m[3]) * (m[4] === "s" ? 1000 : 1);
  const factor = m[5] === undefined ? 2 : Number(m[5]);
  if (!Number.isSafeInteger(index) || !Number.isFinite(atMs) || !Number.isSafeInteger(factor))
    throw new UserError(`--scale-out ${text}: the number is too large`);
  if (factor < 1)
    throw new UserError(
      `--scale-out ${text}: the factor must be at least 1 (x1 moves the instance), not ${factor}`,
    );
  if (factor > FACTOR_MAX)
    throw new UserError(`--scale-out ${text}: the factor must be at most ${FACTOR_MAX}, not ${factor}`);
  if (index >= KEY_GROUPS)
    throw new UserError(`--scale-out ${text}: the index must be below ${KEY_GROUPS}, not ${index}`);
  if (atMs > TIME_MS_MAX)
    throw new UserError(`--scale-out ${text}: the time must be at most ${TIME_MS_MAX} ms, not ${atMs}`);
  return { operator: m[1], index, atMs, factor };
}

/** Add the `--scale-out` in `text` to those parsed so far (a commander argument parser). */
export function collectScaleOut(
  text: string,
  previous: readonly ScheduledScaleOut[] | undefined,
): ScheduledScaleOut[] {
  return [...(previous ?? []), parseScaleOut(text)];
}

/** Check scale outs against the run: each operator one of the plan's (`operators`); `source` names where they came from. */
export function checkScaleOuts(
  scaleOuts: readonly ScheduledScaleOut[],
  operators: readonly string[],
  source = "--scale-out",
): void {
  for (const so of scaleOuts) {
    if (!operators.includes(so.operator)) {
      throw new UserError(
        `${source} ${so.operator}: the workload has no operator "${so.operator}" (it has ${operators.join(", ")})`,
      );
    }
  }
}
