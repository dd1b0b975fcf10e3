// The experiment a sweep or a campaign runs, as it travels to the pool's processes: a
// source (an experiment file or a preset name, read again in each process) or raw
// experiment data (a notebook's, built in code), and the overrides of one run. Each
// process validates it as `seep sim` does (cli/experimentFile.ts), so that a run on the
// pool is the run `seep sim` would make of the same source, settings and seed.

import {
  type ExperimentOverrides,
  type LoadedExperiment,
  loadExperiment,
  validateExperiment,
} from "../cli/experimentFile.js";

/** An experiment file or preset (`source`), or raw experiment data named `where` in errors. */
export type ExperimentInput =
  | { readonly source: string }
  | { readonly raw: Readonly<Record<string, unknown>>; readonly where: string };

/** `input` with `overrides` applied, validated (a UserError naming where, when it is not valid). */
export async function loadInput(
  input: ExperimentInput,
  overrides: ExperimentOverrides,
): Promise<LoadedExperiment> {
  // `await` whether loading is synchronous or not.
  if ("source" in input) return await loadExperiment(input.source, overrides);
  return await validateExperiment(
    structuredClone(input.raw) as Record<string, unknown>,
    input.where,
    overrides,
  );
}

/** How `input` is named to a person: the source as given, or where the raw data came from. */
export function inputName(input: ExperimentInput): string {
  return "source" in input ? input.source : input.where;
}
