// A measurement that yielded nothing to report: a probe none of whose tries was answered,
// a figure no repetition gave, a median of no samples. Its message is one line naming what
// was measured; a report turns it into a failed run (one line, exit 1), never a NaN in a
// written report.

/** A measurement that yielded nothing (see the file header). */
export class MeasurementError extends Error {
  override readonly name = "MeasurementError";
}
