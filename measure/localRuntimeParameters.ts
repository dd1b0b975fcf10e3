// The simulator's parameters that stand for local worker processes, from the runtime
// figures measured on them (measure/localRuntime.ts): means of the samples less the highest
// and lowest tenth (a chain of calls costs the sum of their means; one stall of a loaded
// machine should not decide it):
//   network.controlLatencyMs = network.replyLatencyMs = control round trip / 2
//   network.latencyMs        = data round trip / 2
//   network.connectMs        = stream open
//   pool.deployMs            = (cold deploy + fan-out) / 2 (a redeploy is two deploy calls)
//   faultTolerance.detectionMs = detection (the median: the first runs the coordinator's error path cold)

import type { LocalRuntimeFigures } from "./localRuntime.js";
import { median, round3, trimmedMean } from "./statistics.js";

/** The simulator's parameters for local worker processes. */
export interface LocalRuntimeParameters {
  readonly network: {
    readonly latencyMs: number;
    readonly controlLatencyMs: number;
    readonly replyLatencyMs: number;
    readonly connectMs: number;
  };
  readonly pool: { readonly deployMs: number };
  readonly detectionMs: number;
}

/** The simulator's parameters from the figures (see the file header). */
export function localRuntimeParameters(f: LocalRuntimeFigures): LocalRuntimeParameters {
  const control = round3(trimmedMean(f.controlRoundTripMs, "control round trip") / 2);
  return {
    network: {
      latencyMs: round3(trimmedMean(f.dataRoundTripMs, "data round trip") / 2),
      controlLatencyMs: control,
      replyLatencyMs: control,
      connectMs: round3(trimmedMean(f.streamOpenMs, "stream open")),
    },
    // A recovery's redeploy: the standby's first (cold), then telling the others.
    pool: {
      deployMs: round3((trimmedMean(f.coldDeployMs, "cold deploy") + trimmedMean(f.fanOutMs, "fan-out")) / 2),
    },
    // The median: a coordinator's first failure runs its error path cold.
    detectionMs: round3(
      median(
        f.detectionMs.filter((x) => Number.isFinite(x)),
        'faultTolerance.detectionMs (probe "detection")',
      ),
    ),
  };
}
