// Shared by the takeover tests: a runtime a replay must never reach, and a simulated word
// count whose coordinator journal is kept (a coordinator crash is scheduled after its end).

import type { CoordinatorRuntime, ReconfigurationLink } from "../../../engine/index.js";
import type { FaultSpec } from "../../../sim/faults.js";
import { runWordCount } from "../../sim/fixtures.js";

/** A runtime that fails the test if a replay reaches it. */
export function unreachableRuntime(): CoordinatorRuntime {
  const no = () => {
    throw new Error("a replay reached the runtime");
  };
  const link: ReconfigurationLink = {
    clock: { nowMs: () => 0, schedule: no, cancel: no },
    sendControl: no,
    redeploy: no,
    reserve: no,
    unreserve: no,
    discard: no,
    redeploysRetired: true,
  };
  return { link, outputAhead: no };
}

/** The seed 7 word count under rsm with `faults` and `scaling`, its journal kept. */
export function journaledWordCount(faults: FaultSpec[], scaling: Record<string, unknown> = {}) {
  const never: FaultSpec = { type: "coordinatorCrash", atMs: 10_000_000 };
  const { sim } = runWordCount({
    faultTolerance: { strategy: "rsm", checkpointIntervalMs: 2000 },
    scaling,
    faults: [...faults, never],
  });
  return { sim, journal: sim.coordinatorJournal! };
}
