// A simulated run with faults against the failure-free run of the same experiment (run
// once per experiment object, then reused): what the sinks' outputs differ by, whether it
// completed by itself, and the simulation to read more from. The faulty run is bounded at
// three times the failure-free simulated time plus 120 s, as chaos campaigns bound theirs.

import { expect } from "vitest";
import { loadBuiltinExperiment } from "../../../cli/experimentFile.js";
import { parseSetting } from "../../../cli/settings.js";
import type { ChaosRun } from "../../../sim/chaos/campaign.js";
import { compareOutputs, type OutputDifference, OutputLog } from "../../../sim/chaos/outputComparison.js";
import type { Experiment } from "../../../sim/experiment.js";
import { Simulation } from "../../../sim/simulation.js";
import type { SimSummary } from "../../../sim/summary.js";
import { workloadPlan } from "../../../workloads/index.js";

/** The plan of `e`'s workload. */
export const planOf = (e: Experiment) => workloadPlan(e.workload.name, e.workload.params, e.seed);

const bases = new Map<Experiment, { readonly log: OutputLog; readonly summary: SimSummary }>();

/** The failure-free run of `e`, run once: its output and summary. */
export function failureFreeRun(e: Experiment) {
  let b = bases.get(e);
  if (b === undefined) {
    const log = new OutputLog();
    const summary = new Simulation({ ...e, faults: [] }, planOf(e), log.add).run();
    b = { log, summary };
    bases.set(e, b);
  }
  return b;
}

/** `e` with `faults`, against its failure-free run. */
export function withFaultsAgainstFailureFree(
  e: Experiment,
  faults: readonly unknown[],
): { diff: OutputDifference; completed: boolean; sim: Simulation } {
  const { log: baseLog, summary } = failureFreeRun(e);
  const log = new OutputLog();
  const faulty = { ...e, faults, untilS: 3 * summary.simulatedSeconds + 120 } as Experiment;
  const sim = new Simulation(faulty, planOf(faulty), log.add);
  sim.run();
  return { diff: compareOutputs(baseLog, log), completed: sim.completed, sim };
}

/**
 * A crash of `vm` at `atMs` in `e`: the run ends by itself with exactly the failure-free
 * output, and its first reconfiguration was given up as `givenUp` says, then asked again
 * (null: completed the first time).
 */
export function expectCrashEndsExact(e: Experiment, vm: number, atMs: number, givenUp: RegExp | null): void {
  const { diff, completed, sim } = withFaultsAgainstFailureFree(e, [{ type: "crash", vm, atMs }]);
  expect({ ...diff, completed }, `${e.faultTolerance.strategy}, seed ${e.seed}, VM ${vm} at ${atMs}`).toEqual(
    {
      lost: 0,
      duplicated: 0,
      spurious: 0,
      reordered: 0,
      completed: true,
    },
  );
  const [r] = sim.scaleOuts;
  if (givenUp === null) {
    expect(r.refused).toBeNull();
    expect(r.completedAtMs).not.toBeNull();
  } else {
    expect(r.refused).toMatch(givenUp);
    expect(r.completedAtMs).toBeNull();
    // A scheduled reconfiguration given up is asked again once the recovery is over (it may
    // still wait for a VM, a cold start, when the stream ends).
    const again = sim.scaleOuts.slice(1).find((o) => o.kind === r.kind);
    expect(again, "asked again").toBeDefined();
    expect(again!.refused).toBeNull();
    expect(again!.requestedAtMs).toBeGreaterThan(r.requestedAtMs);
  }
}

/** `e`'s failure-free run gives the output of `plain` (the same without its reconfigurations), and they completed. */
export function expectSameOutputAs(plain: Experiment, e: Experiment): void {
  const log = new OutputLog();
  new Simulation(plain, planOf(plain), log.add).run();
  const base = failureFreeRun(e);
  expect(compareOutputs(log, base.log)).toEqual({ lost: 0, duplicated: 0, spurious: 0, reordered: 0 });
  for (const r of base.summary.scaleOuts) expect(r.completedAtMs).not.toBeNull();
}

/** A chaos run passed: nothing lost, duplicated or wrong, no hang (the message names its seed, faults and scaling). */
export function expectChaosRunPassed(run: ChaosRun): void {
  const detail = `seed ${run.seed} (${run.faults}${run.scaling === null ? "" : `; ${run.scaling}`}): ${run.error ?? run.hang ?? ""}`;
  expect(
    { lost: run.lost, duplicated: run.duplicated, spurious: run.spurious, hang: run.hang },
    detail,
  ).toEqual({
    lost: 0,
    duplicated: 0,
    spurious: 0,
    hang: null,
  });
  expect(run.passed, detail).toBe(true);
}

/**
 * The word count preset of `seed` under `strategy`, every scale out live and drawn by the
 * threshold policy, its count slowed (400 µs a tuple) so that the policy splits it: the
 * experiment of the live scale-out chaos seeds.
 */
export function liveThresholdWordCount(strategy: string, seed: number): Experiment {
  return loadBuiltinExperiment("wordcount", {
    settings: [
      `faultTolerance.strategy=${strategy}`,
      "scaling.stateTransfer=live",
      "scaling.policy=threshold",
      "cost.operators.count.tupleUs=400",
    ].map(parseSetting),
    seed,
  }).experiment;
}
