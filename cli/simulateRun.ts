// One simulated run into its directory, the core that `seep sim` and a sweep's runs (lab/)
// share: experiment.json first, the sinks' outputs (csv, csv.gz or none) and Linear Road's
// answers while the simulation runs, then metrics.csv, trace.bin (and trace.csv) and
// summary.json last, with the run's wall time and environment. The directory is the
// caller's to choose and check; a mistake in the experiment found only while it runs (a
// pool that runs out of VMs) is one UserError line naming `where`. A stalled run writes
// all its files like any other: the caller decides what its failure means.

import { join } from "node:path";
import {
  ExperimentError,
  PoolExhausted,
  type SimProgress,
  type SimSummary,
  Simulation,
} from "../sim/index.js";
import { UserError } from "./errors.js";
import type { LoadedExperiment } from "./experimentFile.js";
import { LRB_ANSWERS_FILE, LrbAnswersFile } from "./lrbAnswersFile.js";
import { outputsSink } from "./outputsCsv.js";
import type { RunEnvironment } from "./runEnvironment.js";
import { finishRunDirectory, startRunDirectory } from "./runFiles.js";

/** How a run writes its files. */
export interface SimulateRunOptions {
  /** The sinks' outputs: outputs.csv, outputs.csv.gz, or none. */
  readonly outputs: "csv" | "csv.gz" | "none";
  /** Also write the trace as trace.csv. */
  readonly traceCsv: boolean;
  /** What the run ran on (summary.json's `environment`), taken before it starts. */
  readonly environment: RunEnvironment;
  /** Called every so many events from inside the run (a progress bar). */
  readonly onProgress?: (p: SimProgress) => void;
}

/** Simulate `loaded` into the directory `dir` (created if need be) and return its summary, wall time filled in. */
export function simulateRun(loaded: LoadedExperiment, dir: string, options: SimulateRunOptions): SimSummary {
  const { experiment, plan, where } = loaded;
  startRunDirectory(dir, experiment);
  const outputs = outputsSink(dir, options.outputs, loaded.plan);
  const answers = experiment.workload.name === "lrb" ? new LrbAnswersFile(join(dir, LRB_ANSWERS_FILE)) : null;
  const sim = new Simulation(experiment, plan, (record) => {
    outputs.add(record);
    answers?.add(record.timeMs, record.value);
  });
  let summary: SimSummary;
  const startedMs = performance.now();
  try {
    summary = sim.run(options.onProgress);
    summary.wallSeconds = (performance.now() - startedMs) / 1000;
    outputs.close();
    answers?.close();
  } catch (err) {
    outputs.abandon();
    answers?.abandon();
    if (err instanceof ExperimentError || err instanceof PoolExhausted)
      throw new UserError(`${where}: ${err.message}`);
    throw err;
  }
  finishRunDirectory(dir, sim, summary, { traceCsv: options.traceCsv, environment: options.environment });
  return summary;
}
