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
import { type Experiment, type SimProgress, type SimSummary, Simulation } from "../sim/index.js";
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
  readonly coordinatorCrashes: boolean;
}

/**
 * A run's progress as the share of its simulated time done, at most every `PROGRESS_STEP`:
 * against its `untilS`, or else its stream's length (the job's size); none without either.
 */
function progressOf(
  onProgress: ((fraction: number) => void) | undefined,
  loaded: { readonly experiment: Experiment; readonly size: { readonly streamMs: number } | null },
) {
  const endMs =
    loaded.experiment.untilS === undefined ? (loaded.size?.streamMs ?? 0) : loaded.experiment.untilS * 1000;
  if (onProgress === undefined || !(endMs > 0) || !Number.isFinite(endMs)) return undefined;
  let last = 0;
  return (p: SimProgress) => {
    const fraction = Math.min(p.simulatedMs / endMs, 1);
    if (fraction - last < PROGRESS_STEP) return;
    last = fraction;
    onProgress(fraction);
  };
}

/** The least change of a run's progress worth telling: 1% of its simulated time. */
const PROGRESS_STEP = 0.01;

/** Simulate one run of a sweep; `onProgress` hears the share of its simulated time done. */
export async function sweepRun(
  task: SweepRunTask,
  onProgress?: (fraction: number) => void,
): Promise<RunOutcome> {
  try {
    const loaded = await loadInput(task.input, { settings: task.settings, seed: task.seed });
    const progress = progressOf(onProgress, loaded);
    if (task.dir === null) {
      const startedMs = performance.now();
      const summary = new Simulation(loaded.experiment, loaded.plan).run(progress);
      summary.wallSeconds = (performance.now() - startedMs) / 1000;
      return { summary };
    }
    const summary = simulateRun(loaded, task.dir, {
      outputs: task.outputs,
      traceCsv: false,
      environment: runEnvironment(),
      onProgress: progress,
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
    return runChaos(experiment, planOf, task.seed, task.kinds, task.drawScaling, task.coordinatorCrashes);
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
