// What the pool's processes do (lab/poolWorker.ts registers these): one simulation of a
// sweep, into its run directory (the files `seep sim` writes, through the same core,
// cli/simulateRun.ts) or, without a directory, in memory; and one chaos run
// (sim/chaos/campaign.ts's runChaos, as `seep chaos` runs it in process). A run's failure
// is its outcome, not an exception: a UserError is its message, anything else its name
// and message, so that the sweep records it as a failed row and goes on.

import { UserError } from "../cli/errors.js";
import type { ExperimentOverrides } from "../cli/experimentFile.js";
import { runEnvironment } from "../cli/runEnvironment.js";
import type { Setting } from "../cli/settings.js";
import { simulateRun } from "../cli/simulateRun.js";
import { type FtStrategy, jobPlan } from "../engine/index.js";
import { type ChaosRun, type FaultKind, failedRun, runChaos } from "../sim/chaos/index.js";
import { type Experiment, type SimSummary, Simulation } from "../sim/index.js";
import { type ExperimentInput, loadInput } from "./experimentInput.js";

/** One run of a sweep: the experiment, its settings (the sweep's, then the point's) and seed, and where it writes. */
export interface SweepRunTask {
  readonly input: ExperimentInput;
  readonly settings: readonly Setting[];
  readonly seed: number;
  /** The run's directory; null: nothing written, the summary only. */
  readonly dir: string | null;
  readonly outputs: "csv" | "csv.gz" | "none";
}

/** How a run of a sweep ended: its summary, or the error that stopped it. */
export type RunOutcome = { readonly summary: SimSummary } | { readonly error: string };

/** One chaos run: the experiment loaded as `seep chaos` loads it, and the run's seed. */
export interface ChaosTask {
  readonly input: ExperimentInput;
  readonly overrides: {
    readonly settings: readonly Setting[];
    readonly seed?: number;
    readonly strategy?: FtStrategy;
  };
  readonly seed: number;
  readonly kinds: readonly FaultKind[];
  readonly drawScaling: boolean;
}

/** Simulate one run of a sweep. */
export async function sweepRun(task: SweepRunTask): Promise<RunOutcome> {
  try {
    const loaded = await loadInput(task.input, { settings: task.settings, seed: task.seed });
    if (task.dir === null) {
      const startedMs = performance.now();
      const summary = new Simulation(loaded.experiment, loaded.plan).run();
      summary.wallSeconds = (performance.now() - startedMs) / 1000;
      return { summary };
    }
    const summary = simulateRun(loaded, task.dir, {
      outputs: task.outputs,
      traceCsv: false,
      environment: runEnvironment(),
    });
    return { summary };
  } catch (err) {
    return { error: errorText(err) };
  }
}

/** Run one chaos run. */
export async function chaosRun(task: ChaosTask): Promise<ChaosRun> {
  const overrides: ExperimentOverrides = { ...task.overrides };
  try {
    const { experiment, job } = await loadInput(task.input, overrides);
    const planOf = (e: Experiment) => jobPlan(job, e.workload.params, e.seed);
    return runChaos(experiment, planOf, task.seed, task.kinds, task.drawScaling);
  } catch (err) {
    // runChaos records its simulations' errors itself: this is the experiment failing to load.
    return failedRun(task.seed, errorText(err));
  }
}

/** An error as one line of a table. */
export function errorText(err: unknown): string {
  if (err instanceof UserError) return err.message;
  if (err instanceof Error) return `${err.name}: ${err.message}`.replace(/\s*\n\s*/g, " ");
  return String(err);
}
