// The runs of the Linear Road scale-out report (notebooks/lrbScaleOut.ts): the elastic run
// (the `lrb-scaleout` preset: one instance per operator, the threshold policy scales it out)
// and beside it a static deployment provisioned from the start for the peak with SEEP's 50
// VMs (the elastic rule's cap), as a two-point sweep of the lab (runSweep), so that the two
// run in parallel, one per core, and a report interrupted goes on from the runs done. Each
// run's metrics rows are read back from its metrics.csv (lab/runMetrics.ts: a sweep keeps
// only summaries in memory). Without a runs directory the runs go to a temporary one,
// removed once read.

import { rmSync } from "node:fs";
import { join } from "node:path";
import { RUN_FILES } from "../cli/runFiles.js";
import type { MetricsRow } from "../engine/index.js";
import type { SweepRow } from "../lab/index.js";
import { readRunMetrics } from "../lab/runMetrics.js";
import { lrbScaleOutRaw } from "../measure/lrbScaleOutExperiment.js";
import { type Experiment, parseExperiment, type SimSummary } from "../sim/index.js";
import { workloadPlan } from "../workloads/index.js";
import type { NotebookOptions } from "./lib/options.js";
import { withReportSweep } from "./lib/reportSweep.js";

/** The operators the policy scales out, each with a `<name>Parallelism` parameter of the workload. */
export const SCALED_OPERATORS = ["cars", "segments", "accounts"] as const;

/** One second (one interval) of a run's metrics, as metrics.csv has it; NaN: nothing measured. */
export type RunSecond = Pick<
  MetricsRow,
  "timeS" | "tuplesIn" | "latencyP50Ms" | "latencyP99Ms" | "latencyMaxMs" | "vmsInUse"
>;

/** A run of the report: its summary and its metrics rows. */
export interface ScaleOutRun {
  readonly summary: SimSummary;
  readonly rows: readonly RunSecond[];
}

/** The static deployment: instances per operator (one VM each), and the VMs it holds in all. */
export interface StaticDeployment {
  readonly parallelism: Readonly<Record<(typeof SCALED_OPERATORS)[number], number>>;
  readonly operatorVms: number;
  /** The sources' and sinks' VMs (one each). */
  readonly edgeVms: number;
  readonly vms: number;
}

/** The experiment the report runs (quick or not, its seed), parsed. */
export function elasticExperiment(quick: boolean, seed: number | undefined): Experiment {
  return parseExperiment(lrbScaleOutRaw(quick, {}, seed === undefined ? {} : { seed }), "lrb-scaleout");
}

/**
 * The static deployment of `vms` VMs in use for experiment `e`: the edge VMs of its sources
 * and sinks, and the rest shared among the scaled operators in proportion to their CPU cost
 * per record (every record visits each of them: workloads/linearRoad/job.ts), by largest
 * remainder, at least one instance each.
 */
export function staticDeployment(e: Experiment, vms: number): StaticDeployment {
  const plan = workloadPlan("lrb", e.workload.params, e.seed);
  const edgeVms = plan.operators.filter((o) => o.kind !== "operator").length;
  const operatorVms = vms - edgeVms;
  if (operatorVms < SCALED_OPERATORS.length)
    throw new RangeError(`a static deployment of ${vms} VMs leaves too few for the operators`);
  const costs = SCALED_OPERATORS.map((op) => {
    const us = e.cost.operators?.[op]?.tupleUs ?? e.cost.defaults?.tupleUs;
    if (us === undefined) throw new Error(`lrb-scaleout: no CPU cost per tuple for operator ${op}`);
    return us;
  });
  const total = costs.reduce((a, b) => a + b, 0);
  const shares = costs.map((c) => (operatorVms - SCALED_OPERATORS.length) * (c / total));
  const counts = shares.map((s) => 1 + Math.floor(s));
  const byRemainder = shares.map((s, i) => [s - Math.floor(s), i] as const).sort((a, b) => b[0] - a[0]);
  let left = operatorVms - counts.reduce((a, b) => a + b, 0);
  for (const [, i] of byRemainder) {
    if (left === 0) break;
    counts[i] += 1;
    left -= 1;
  }
  const [cars, segments, accounts] = counts;
  return { parallelism: { cars, segments, accounts }, operatorVms, edgeVms, vms };
}

/** The elastic run and the static deployment's, side by side (o.runsDir/scaleout keeps them). */
export async function runElasticAndStatic(
  o: NotebookOptions,
  e: Experiment,
  fixed: StaticDeployment,
): Promise<{ elastic: ScaleOutRun; fixed: ScaleOutRun }> {
  const labels = ["elastic", `static (${fixed.vms} VMs)`];
  return withReportSweep(
    o,
    "scaleout",
    {
      experiment: { raw: lrbScaleOutRaw(o.quick), where: "lrb-scaleout" },
      points: [
        { values: [{ path: "name", value: "lrb-scaleout" }] },
        {
          values: [
            { path: "name", value: "lrb-scaleout-static" },
            { path: "scaling.policy", value: "none" },
            ...SCALED_OPERATORS.map((op) => ({
              path: `workload.params.${op}Parallelism`,
              value: fixed.parallelism[op],
            })),
            { path: "cluster.vms", value: fixed.operatorVms },
            // Nothing to scale: no pool of idle VMs to pay for.
            { path: "pool.prewarmed", value: 0 },
            { path: "pool.minimum", value: 0 },
          ],
        },
      ],
      seeds: [e.seed],
    },
    (row) => labels[row.point.index],
    (result, dir) => {
      const runOf = (index: number): ScaleOutRun => {
        const row = result.rows.find((r) => r.point.index === index);
        const summary = okSummary(row, labels[index]);
        return { summary, rows: readRunMetrics(join(dir, row!.run!)) };
      };
      const runs = { elastic: runOf(0), fixed: runOf(1) };
      // Linear Road's answers and the trace (hundreds of MB a run at L = 350) are not the
      // report's: its runs keep summary.json and metrics.csv, enough to go on from them.
      for (const row of result.rows)
        for (const big of [RUN_FILES.trace, "answers.csv"]) rmSync(join(dir, row.run!, big), { force: true });
      return runs;
    },
  );
}

function okSummary(row: SweepRow | undefined, label: string): SimSummary {
  if (row === undefined) throw new Error(`lrb-scaleout: the ${label} run was not run (interrupted)`);
  if (row.summary === null || row.status !== "ok" || row.run === null)
    throw new Error(`lrb-scaleout: the ${label} run failed: ${row.error ?? row.status}`);
  return row.summary;
}
