// The lab: experiments run many times over, as a function of the library. Sweeps over a
// grid of an experiment's settings and seeds, run in parallel on a pool of processes, with
// tidy and aggregated tables (`seep sweep`, and the notebooks); chaos campaigns on the same
// pool (`seep chaos --jobs`); and the statistics of the aggregates.

export { type ChaosPoolOptions, runCampaignOnPool } from "./chaosPool.js";
export { type ExperimentInput, loadInput } from "./experimentInput.js";
export {
  collectGridAxis,
  describePoint,
  type GridAxis,
  type GridPoint,
  gridPoints,
  parseGridAxis,
  pointLabel,
  pointSettings,
  valueText,
} from "./grid.js";
export { type Cell, FIGURE_NAMES, NUMERIC_FIGURES, runFigures } from "./runFigures.js";
export { defaultJobs, RunPool } from "./runPool.js";
export { mean, median, sampleStdDev, studentTCdf, studentTQuantile, tInterval } from "./stats.js";
export {
  runName,
  runSweep,
  SWEEP_TABLES,
  type SweepOptions,
  type SweepPlan,
  type SweepProgress,
  type SweepResult,
  type SweepRow,
} from "./sweep.js";
export { readDefinition, SWEEP_FILE, type SweepDefinition } from "./sweepDefinition.js";
export {
  type AggregateRow,
  aggregate,
  aggregateCsv,
  type RunRow,
  type RunStatus,
  runsCsv,
} from "./sweepTables.js";
