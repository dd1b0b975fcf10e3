// The `lrb-scaleout` preset, SEEP's Linear Road scale-out experiment, as its benchmark
// (bench/lrbScaleOut.ts) and its report (notebooks/lrbScaleOut.ts) run it: the preset with
// parameters merged in, or shrunk for `--quick` to L = 100 over 20 minutes on operator VMs
// four times slower, so that it still scales out.

import { parseExperiment } from "../sim/experiment.js";
import { PRESETS } from "../sim/presets.js";

type Raw = { workload: { name: string; params: Record<string, unknown> }; cluster: Record<string, unknown> };

/**
 * The preset, with workload `params` and top-level keys `over` merged in; quick: L = 100 in
 * 20 minutes on operator VMs four times slower, so that it still scales (the benchmark's
 * and the report's runs).
 */
export function lrbScaleOutExperiment(
  quick: boolean,
  params: Record<string, unknown> = {},
  over: Record<string, unknown> = {},
) {
  const raw = PRESETS["lrb-scaleout"] as unknown as Raw;
  const shrunk = quick
    ? { params: { xways: 100, durationS: 1_200 }, cluster: { ...raw.cluster, speed: 0.05 } }
    : { params: {}, cluster: raw.cluster };
  return parseExperiment(
    {
      ...raw,
      cluster: shrunk.cluster,
      ...over,
      workload: { ...raw.workload, params: { ...raw.workload.params, ...shrunk.params, ...params } },
    },
    "lrb-scaleout",
  );
}
