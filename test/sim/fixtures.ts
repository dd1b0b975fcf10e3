// Shared by the fault-tolerance and scale-out tests: the small word count and Linear Road
// runs they compare against their undisturbed selves, built from one description each.

import { parseExperiment } from "../../sim/experiment.js";
import { Simulation } from "../../sim/simulation.js";
import { workloadPlan } from "../../workloads/index.js";

/** A word count of 30 s (30,000 lines) on 4 VMs, windows of 4 s sliding by 2 s; `over` replaces top-level keys. */
export function runWordCount(over: Record<string, unknown>, lines = 30_000) {
  const e = parseExperiment(
    {
      name: "wc",
      seed: 7,
      workload: {
        name: "wordcount",
        params: { lines, lineIntervalMs: 1, windowSizeMs: 4000, windowSlideMs: 2000, parallelism: 2 },
      },
      cluster: { vms: 4 },
      fidelity: { batchSize: 512, sourcePollMs: 100 },
      ...over,
    },
    "test",
  );
  const sim = new Simulation(e, workloadPlan("wordcount", e.workload.params, e.seed));
  return { sim, summary: sim.run() };
}

/** Linear Road, one expressway for 150 s, two instances of each stateful operator, on 3 VMs. */
export function runLinearRoad(over: Record<string, unknown>) {
  const e = parseExperiment(
    {
      name: "lrb",
      seed: 3,
      workload: {
        name: "lrb",
        params: {
          xways: 1,
          durationS: 150,
          carsParallelism: 2,
          segmentsParallelism: 2,
          accountsParallelism: 2,
        },
      },
      cluster: { vms: 3 },
      fidelity: { batchSize: 1024, sourcePollMs: 100 },
      ...over,
    },
    "test",
  );
  const sim = new Simulation(e, workloadPlan("lrb", e.workload.params, e.seed));
  return { sim, summary: sim.run() };
}
