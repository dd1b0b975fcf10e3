// The failure timeline's runs (notebooks/failureTimeline.ts): every strategy and the
// failure-free run, each with every seed, as one sweep of the library (lab/'s runSweep) on
// a pool of processes, one per core. The sweep keeps its runs under the report's runs
// directory, so that an interrupted report goes on from them; without one (tests) under a
// temporary directory removed at the end. The per-interval metrics of the drawn seed's
// runs are read back from their metrics.csv; every run's recovery and output digest come
// from its summary.

import { join } from "node:path";
import type { MetricsRow } from "../engine/index.js";
import { readRunMetrics } from "../lab/runMetrics.js";
import type { SimSummary } from "../sim/summary.js";
import {
  FAILURE_FREE,
  faultsOf,
  STRATEGIES,
  type Strategy,
  type TimelineSize,
  timelineExperiment,
} from "./failureTimelineSetting.js";
import type { NotebookOptions } from "./lib/options.js";
import { withReportSweep } from "./lib/reportSweep.js";

/** One run of a strategy with the crash. */
export interface TimelineRun {
  readonly strategy: Strategy;
  readonly seed: number;
  readonly summary: SimSummary;
  /** Its output is exactly the failure-free run's of the same seed (the same digest). */
  readonly exact: boolean;
}

/** Every run of the report. */
export interface TimelineRuns {
  readonly seeds: readonly number[];
  /** The failure-free run of each seed. */
  readonly failureFree: ReadonlyMap<number, SimSummary>;
  /** The strategies' runs, per strategy in legend order, then by seed. */
  readonly runs: readonly TimelineRun[];
  /** The seed whose runs the timelines draw: the first. */
  readonly drawnSeed: number;
  /** The drawn seed's metrics rows, by line label (the failure-free run's included). */
  readonly rows: ReadonlyMap<string, readonly MetricsRow[]>;
}

/** Run every strategy and the failure-free run with every seed of `size`. */
export async function timelineRuns(
  size: TimelineSize,
  seeds: readonly number[],
  o: NotebookOptions,
): Promise<TimelineRuns> {
  const kinds = [FAILURE_FREE, ...STRATEGIES];
  return withReportSweep(
    o,
    "timeline",
    {
      experiment: { raw: timelineExperiment(size, FAILURE_FREE, seeds[0]), where: "failure-timeline" },
      points: kinds.map((k) => ({
        values: Object.entries(faultsOf(size, k)).map(([path, value]) => ({ path, value })),
      })),
      seeds,
    },
    (row) => `${kinds[row.point.index].label}, seed ${row.seed}`,
    (result, dir) => {
      const rowOf = (k: Strategy, seed: number) => {
        const row = result.rows.find((r) => r.point.index === kinds.indexOf(k) && r.seed === seed);
        if (row?.summary == null || row.run === null)
          throw new Error(
            `failure-timeline: the ${k.label} run of seed ${seed} failed: ${row?.error ?? "not run"}`,
          );
        return { summary: row.summary, run: row.run };
      };
      const failureFree = new Map(seeds.map((seed) => [seed, rowOf(FAILURE_FREE, seed).summary]));
      const runs = STRATEGIES.flatMap((strategy) =>
        seeds.map((seed) => {
          const { summary } = rowOf(strategy, seed);
          const lost = summary.failures[0]?.instances ?? [];
          if (lost.length !== 1 || lost[0].operator !== "count")
            throw new Error(
              `failure-timeline: the crash took [${lost.map((i) => `${i.operator}#${i.id}`).join(", ")}], not one count instance: has the placement changed?`,
            );
          return {
            strategy,
            seed,
            summary,
            exact: summary.outputDigest === failureFree.get(seed)?.outputDigest,
          };
        }),
      );
      const drawnSeed = seeds[0];
      const rows = new Map(kinds.map((k) => [k.label, readRunMetrics(join(dir, rowOf(k, drawnSeed).run))]));
      return { seeds, failureFree, runs, drawnSeed, rows };
    },
  );
}
