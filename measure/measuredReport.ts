// A measured report's failure: a measurement that yielded nothing (MeasurementError) ends
// the report as a run that went but failed, on one line (RunFailure: the CLI prints
// `seep: <report>: <what yielded nothing>` and exits 1), never as a stack trace or a NaN.

import { RunFailure } from "../cli/errors.js";
import { MeasurementError } from "./measurementError.js";

/**
 * Build a measured report, a MeasurementError becoming a RunFailure of report `name`: the
 * CLI prints it on one line and exits 1, as a run that went but failed.
 */
export async function measuredReport<T>(name: string, build: () => Promise<T> | T): Promise<T> {
  try {
    return await build();
  } catch (err) {
    if (err instanceof MeasurementError) throw new RunFailure(`${name}: ${err.message}`);
    throw err;
  }
}
