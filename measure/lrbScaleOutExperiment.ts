// The `lrb-scaleout` preset, SEEP's Linear Road scale-out experiment, as its benchmark
// (bench/lrbScaleOut.ts) and its report (notebooks/lrbScaleOut.ts) run it: the preset with
// parameters merged in, or shrunk for `--quick` to L = 100 over 20 minutes on operator VMs
// half as fast, so that it still scales out (7 scale outs) with room under the deadline.

import { parseExperiment } from "../sim/experiment.js";
import { PRESETS } from "../sim/presets.js";

type Raw = { workload: { name: string; params: Record<string, unknown> }; cluster: Record<string, unknown> };

/**
 * The preset's raw data, with workload `params` and top-level keys `over` merged in; quick:
 * L = 100 in 20 minutes on operator VMs half as fast (speed 0.1 instead of 0.2), so that
 * it still scales out, with its answers well within the deadline (about 3.4 s at most).
 */
export function lrbScaleOutRaw(
  quick: boolean,
  params: Record<string, unknown> = {},
  over: Record<string, unknown> = {},
): Record<string, unknown> {
  const raw = PRESETS["lrb-scaleout"] as unknown as Raw;
  const shrunk = quick
    ? { params: { xways: 100, durationS: 1_200 }, cluster: { ...raw.cluster, speed: 0.1 } }
    : { params: {}, cluster: raw.cluster };
  return {
    ...raw,
    cluster: shrunk.cluster,
    ...over,
    workload: { ...raw.workload, params: { ...raw.workload.params, ...shrunk.params, ...params } },
  };
}

/** The experiment of lrbScaleOutRaw (the benchmark's and the report's runs), parsed. */
export function lrbScaleOutExperiment(
  quick: boolean,
  params: Record<string, unknown> = {},
  over: Record<string, unknown> = {},
) {
  return parseExperiment(lrbScaleOutRaw(quick, params, over), "lrb-scaleout");
}
