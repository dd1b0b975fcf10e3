// The experiment as a run used it, every default filled in: what a run's experiment.json
// records, so that a reader sees the pool, the network and the cost model the run had rather
// than `{}`. The schema (experiment.ts) leaves those three partial and the simulator fills
// them at its start from the defaults below; this fills them the same way. Per-operator cost
// overrides stay as given: each is a partial override of `cost.defaults`, now written out.
// Parsed again, the resolved experiment is itself and runs exactly as the original.

import { DEFAULT_COST_MODEL } from "./costModel.js";
import type { Experiment } from "./experiment.js";
import { DEFAULT_NETWORK } from "./network.js";
import { defaultVmPoolOptions } from "./vmPool.js";

/** `e` with the pool, network and cost defaults filled in. */
export function resolvedExperiment(e: Experiment): Experiment {
  // The pool's VM shape is the cluster's, not an option of the pool.
  const { shape: _, ...pool } = defaultVmPoolOptions;
  return {
    ...e,
    pool: { ...pool, ...e.pool },
    network: { ...DEFAULT_NETWORK, ...e.network },
    cost: {
      ...DEFAULT_COST_MODEL,
      ...e.cost,
      defaults: { ...DEFAULT_COST_MODEL.defaults, ...e.cost.defaults },
      operators: { ...e.cost.operators },
    },
  };
}
