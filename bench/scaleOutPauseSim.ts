// Benchmark: the pause a scale out causes, in the simulator, for a count holding about a
// million keys. A word count over a vocabulary of a million words (uniform, 20 words a
// line, 40k words/s, windows longer than the run so that every word seen stays in state)
// runs with one count instance, which is split in two at 60 s. Figures: the keys it held,
// the pause (from the upstreams holding their output to their resuming: checkpoint,
// partition, transfer and restore of the parts, priced by the cost model) and the whole
// scale out (from the request, VM handout included). Baseline: the pause of the same
// scale out with a vocabulary of a thousand words, in the same run. Then the same split
// with live state transfer (scaling.stateTransfer: live): its pause (the hand-over only)
// against the stopping split's. Last, both under global-snapshot, where a reconfiguration
// needs a quiescent base of the whole plan: the stopping split takes it around the
// transfer, the live one only at its hand-over. (This count emits nothing during the run,
// its windows being longer than it: the latency a split causes is measured by `lrb-scaleout`.)

import { parseExperiment } from "../sim/experiment.js";
import { Simulation } from "../sim/simulation.js";
import { workloadPlan } from "../workloads/index.js";
import type { BenchResult } from "./benchResult.js";

const SPLIT_AT_MS = 60_000;

/** The scale out of a run whose vocabulary has `words` words: keys held, pause and total in ms. */
function scaleOutOf(
  words: number,
  quick: boolean,
  stateTransfer: "pause" | "live" = "pause",
  strategy: "none" | "global-snapshot" = "none",
) {
  const atMs = quick ? 20_000 : SPLIT_AT_MS;
  const params = {
    lines: Math.ceil((atMs + 10_000) / 0.5),
    lineIntervalMs: 0.5,
    windowSizeMs: 10_000_000,
    windowSlideMs: 10_000_000,
    vocabularySize: words,
    zipfExponent: 0,
    wordsPerLineMin: 20,
    wordsPerLineMax: 20,
    splitParallelism: 2,
    countParallelism: 1,
  };
  const e = parseExperiment(
    {
      name: "bench-scale-out-pause",
      workload: { name: "wordcount", params },
      cluster: { vms: 4 },
      fidelity: { batchSize: 1024, sourcePollMs: 20 },
      scaling: { scaleOuts: [{ operator: "count", atMs, factor: 2 }], stateTransfer },
      faultTolerance: { strategy, checkpointIntervalMs: 10_000 },
      pool: { prewarmed: 2 },
      untilS: (atMs + 10_000) / 1000,
    },
    "bench",
  );
  const sim = new Simulation(e, workloadPlan("wordcount", params, e.seed));
  let keys = 0;
  const s = sim.run();
  for (const h of sim.runtime.hosts)
    if (h.instance.operator.name === "count")
      keys = Math.max(keys, (h.instance.recordState ?? h.instance.keyedState).size);
  const r = s.scaleOuts[0];
  if (r === undefined || r.completedAtMs === null || r.pausedAtMs === null)
    throw new Error("the scale out did not complete before the run ended");
  return { keys, pauseMs: r.completedAtMs - r.pausedAtMs, totalMs: r.completedAtMs - r.requestedAtMs };
}

/** Run the scale-out pause benchmark. */
export function benchScaleOutPauseSim(quick: boolean): BenchResult[] {
  const small = scaleOutOf(1_000, quick);
  const large = scaleOutOf(quick ? 300_000 : 1_000_000, quick);
  const live = scaleOutOf(quick ? 300_000 : 1_000_000, quick, "live");
  const words = quick ? 300_000 : 1_000_000;
  const basedStopping = scaleOutOf(words, quick, "pause", "global-snapshot");
  const basedLive = scaleOutOf(words, quick, "live", "global-snapshot");
  return [
    {
      name: "keys held by the split count (both parts, after the scale out)",
      value: large.keys,
      unit: "keys",
    },
    {
      name: "pause: upstreams hold their output, checkpoint, partition, restore (simulated)",
      value: large.pauseMs,
      unit: "ms",
      baseline: { name: `the same with ${small.keys} keys`, value: small.pauseMs, unit: "ms" },
    },
    { name: "scale out from the request (VM handout included, simulated)", value: large.totalMs, unit: "ms" },
    {
      name: "live state transfer: pause (the hand-over only)",
      value: live.pauseMs,
      unit: "ms",
      baseline: { name: "the stopping split's pause", value: large.pauseMs, unit: "ms" },
    },
    { name: "live state transfer: from the request to the hand-over", value: live.totalMs, unit: "ms" },
    {
      name: "under global-snapshot, live: pause of the whole plan (its quiescent base, taken at the hand-over)",
      value: basedLive.pauseMs,
      unit: "ms",
      baseline: {
        name: "the stopping split's under global-snapshot (its base around the transfer)",
        value: basedStopping.pauseMs,
        unit: "ms",
      },
    },
    {
      name: "under global-snapshot, live: from the request to the hand-over",
      value: basedLive.totalMs,
      unit: "ms",
    },
  ];
}
