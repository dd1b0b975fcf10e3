// A sweep's experiment checked before any run: the experiment with its `--set`s alone,
// then each value of each axis alone (so that a wrong path or a value of the wrong type is
// one line naming that `--grid` value), then every point of the grid (a combination the
// simulator does not support is one line naming the point). Each check is the validation
// `seep sim` makes (cli/experimentFile.ts), at the sweep's first seed.

import { UserError } from "../cli/errors.js";
import type { LoadedExperiment } from "../cli/experimentFile.js";
import type { Setting } from "../cli/settings.js";
import { type ExperimentInput, loadInput } from "./experimentInput.js";
import { describePoint, type GridAxis, type GridPoint, pointSettings, valueText } from "./grid.js";

/** Paths a grid may not sweep, and what to use instead. */
const NOT_SWEPT: Readonly<Record<string, string>> = { seed: "--seeds and --first-seed" };

/** Check the sweep's experiment at every axis value and point; return the experiment before the grid. */
export async function validateSweep(
  input: ExperimentInput,
  settings: readonly Setting[],
  axes: readonly GridAxis[],
  points: readonly Pick<GridPoint, "values">[],
  seed: number,
): Promise<LoadedExperiment> {
  const base = await loadInput(input, { settings, seed });
  for (const axis of axes) {
    const instead = NOT_SWEPT[axis.path];
    if (instead !== undefined)
      throw new UserError(`--grid ${axis.path}: not swept by --grid; use ${instead}`);
    for (const value of axis.values) {
      const one = pointSettings({ values: [{ path: axis.path, value }] });
      await named(`--grid ${axis.path}=${valueText(value)}`, () =>
        loadInput(input, { settings: [...settings, ...one], seed }),
      );
    }
  }
  for (const point of points)
    await named(`grid point ${describePoint(point)}`, () =>
      loadInput(input, { settings: [...settings, ...pointSettings(point)], seed }),
    );
  return base;
}

/** `check()`, with a UserError it throws prefixed by `what`. */
async function named<T>(what: string, check: () => Promise<T>): Promise<T> {
  try {
    return await check();
  } catch (err) {
    if (err instanceof UserError) throw new UserError(`${what}: ${err.message}`);
    throw err;
  }
}
