// A simulated run with faults against the failure-free run of the same experiment (run
// once per experiment object, then reused): what the sinks' outputs differ by, whether it
// completed by itself, and the simulation to read more from. The faulty run is bounded at
// three times the failure-free simulated time plus 120 s, as chaos campaigns bound theirs.

import { compareOutputs, type OutputDifference, OutputLog } from "../../../sim/chaos/outputComparison.js";
import type { Experiment } from "../../../sim/experiment.js";
import { Simulation } from "../../../sim/simulation.js";
import type { SimSummary } from "../../../sim/summary.js";
import { workloadNamed } from "../../../workloads/index.js";

/** The plan of `e`'s workload. */
export const planOf = (e: Experiment) => workloadNamed(e.workload.name).plan(e.workload.params, e.seed);

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
