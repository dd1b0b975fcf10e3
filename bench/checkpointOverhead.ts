// Benchmark (issue 6): what periodic checkpoints cost a running keyed count whose state
// holds 1M keys, with no checkpoints (the baseline) and with a checkpoint every 1, 5, 10
// and 30 s (measure/checkpointOverhead.ts measures it and says how). Prints the report's
// table, and returns each configuration's throughput against its bracketing baselines.

import {
  measureCheckpointOverhead,
  OVERHEAD_FULL,
  OVERHEAD_QUICK,
  TARGET_INTERVAL_MS,
  TARGET_LOSS_PCT,
  targetConfig,
  targetMet,
} from "../measure/checkpointOverhead.js";
import { configLabel, formatReport } from "../measure/checkpointOverheadTable.js";
import { median } from "../measure/statistics.js";
import type { BenchResult } from "./benchResult.js";

/** Run the checkpoint-overhead benchmark. */
export function benchCheckpointOverhead(quick: boolean): BenchResult[] {
  const options = quick ? OVERHEAD_QUICK : OVERHEAD_FULL;
  const r = measureCheckpointOverhead(options);
  if (r.tuplesCounted !== r.tuplesFed) throw new Error(`counted ${r.tuplesCounted} of ${r.tuplesFed} tuples`);
  if (r.checkpointKeys !== options.keyCount) throw new Error(`checkpoint holds ${r.checkpointKeys} keys`);
  process.stdout.write(`${formatReport(r)}\n`);
  const keys = `${options.keyCount / 1e6}M keys`;
  const per = options.clock === "cpu" ? "per CPU second" : "per second";
  const results: BenchResult[] = r.configs.map((c) => ({
    name: `keyed count, ${keys}, checkpoint ${configLabel(c)}: throughput ${per} (${c.checkpoints} checkpoints)`,
    value: c.tuplesPerS,
    unit: "tuples/s",
    baseline: {
      name: "no checkpoints (segments before and after)",
      value: c.baselineTuplesPerS,
      unit: "tuples/s",
    },
    target: c === targetConfig(r) ? `ratio >= ${1 - TARGET_LOSS_PCT / 100}` : undefined,
  }));
  const target = targetConfig(r);
  if (target !== undefined) {
    results.push({
      name: `throughput loss, checkpoint every ${TARGET_INTERVAL_MS / 1000} s: target ${targetMet(r) ? "met" : "NOT met"}`,
      value: target.lossPct,
      unit: "%",
      target: `<= ${TARGET_LOSS_PCT}%`,
    });
  }
  const work = median(r.configs.map((c) => c.checkpointWorkMsMean));
  results.push(
    {
      name: `encodeCheckpoint of a ${keys} checkpoint (serialization per backup)`,
      value: r.encodeMs,
      unit: "ms",
      baseline: {
        name: "begin + copy steps of one checkpoint (median over configs)",
        value: work,
        unit: "ms",
      },
    },
    { name: `encoded checkpoint of ${keys}`, value: r.encodeBytes / 1e6, unit: "MB" },
  );
  return results;
}
