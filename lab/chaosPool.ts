// A chaos campaign's runs on the run pool (lab/runPool.ts), one task a seed: the same runs
// `seep chaos` makes one after another in process (sim/chaos/campaign.ts's runCampaign),
// each process loading the experiment as the command does and calling runChaos, so that
// the rows are the same whichever way and however many processes ran them. Runs finish in
// any order; the result is in seed order. A run whose process died is a failed row;
// aborting the `signal` (Ctrl-C) stops the pool at once and keeps the runs done.

import { type ChaosRun, type FaultKind, failedRun } from "../sim/chaos/index.js";
import type { ExperimentInput } from "./experimentInput.js";
import type { ChaosTask } from "./poolTasks.js";
import { RunPool } from "./runPool.js";

/** A campaign to run on the pool. */
export interface ChaosPoolOptions {
  readonly input: ExperimentInput;
  /** The overrides `seep chaos` loads the experiment with (its `--set`s, `--seed`, `--strategy`). */
  readonly overrides: ChaosTask["overrides"];
  readonly runs: number;
  /** Run i has seed firstSeed + i. */
  readonly firstSeed: number;
  readonly kinds: readonly FaultKind[];
  readonly drawScaling: boolean;
  /** Coordinator crashes drawn on top of each run's faults (sim/chaos/faultSchedule.ts). */
  readonly coordinatorCrashes: boolean;
  /** Processes of the pool. */
  readonly jobs: number;
  readonly signal?: AbortSignal;
  /** Called after each run, with every run done so far in seed order. */
  readonly onRun?: (run: ChaosRun, done: readonly ChaosRun[]) => void;
}

/** The runs done, in seed order, and whether the signal stopped the campaign first. */
export async function runCampaignOnPool(
  o: ChaosPoolOptions,
): Promise<{ readonly runs: readonly ChaosRun[]; readonly interrupted: boolean }> {
  const pool = new RunPool(Math.max(1, Math.min(o.jobs, o.runs)));
  let stopped = false;
  const stop = () => {
    stopped = true;
    void pool.close(true);
  };
  o.signal?.addEventListener("abort", stop, { once: true });
  const done: ChaosRun[] = [];
  const record = (run: ChaosRun) => {
    done.push(run);
    done.sort((a, b) => a.seed - b.seed);
    o.onRun?.(run, done);
  };
  try {
    await Promise.all(
      Array.from({ length: o.runs }, async (_, i) => {
        const seed = o.firstSeed + i;
        const task = {
          input: o.input,
          overrides: o.overrides,
          seed,
          kinds: o.kinds,
          drawScaling: o.drawScaling,
          coordinatorCrashes: o.coordinatorCrashes,
        };
        try {
          const run = await pool.chaosRun(task);
          if (!stopped) record(run);
        } catch (err) {
          if (!stopped)
            record(
              failedRun(
                seed,
                `the pool's process died during the run: ${(err as Error).message.split("\n")[0]}`,
              ),
            );
        }
      }),
    );
  } finally {
    o.signal?.removeEventListener("abort", stop);
    await pool.close(stopped);
  }
  return { runs: done, interrupted: stopped };
}
