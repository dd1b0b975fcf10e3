// The checkpoint-overhead report as text: one row per configuration against the baseline,
// with notes on how each figure is taken and the verdict on the target.

import { TARGET_INTERVAL_MS, TARGET_LOSS_PCT, targetConfig, targetMet } from "./checkpointOverhead.js";
import type { ConfigFigures, OverheadReport, RunFigures } from "./checkpointOverheadFigures.js";

/** A configuration in words: its interval, and whether it encodes. */
export function configLabel(c: { intervalMs: number | null; encode: boolean }): string {
  if (c.intervalMs === null) return "no checkpoints";
  return `every ${c.intervalMs / 1000} s${c.encode ? " + encode" : ""}`;
}

const f1 = (x: number): string => (Number.isNaN(x) ? "-" : x.toFixed(1));
const f2 = (x: number): string => (Number.isNaN(x) ? "-" : x.toFixed(2));
const f3 = (x: number): string => (Number.isNaN(x) ? "-" : x.toFixed(3));
const mTuples = (x: number): string => `${(x / 1e6).toFixed(3)}M`;

/** The report as a table, one row per configuration, with notes and the verdict. */
export function formatReport(r: OverheadReport): string {
  const o = r.options;
  const time = o.clock === "cpu" ? "CPU time" : "wall time";
  const head = [
    "config",
    "run s",
    "tuples/s",
    "ratio",
    "loss %",
    "derived %",
    "p50 ms",
    "p99 ms",
    "max ms",
    "ckpts",
    "ckpt ms",
    "work ms",
    "CoW ms",
    "encode ms",
    "CPU share",
    "wall loss %",
  ];
  const row = (x: RunFigures, c?: ConfigFigures): string[] => [
    configLabel(x),
    f1(x.durationMs / 1000),
    mTuples(x.tuplesPerS),
    c ? f3(c.ratio) : "1",
    c ? f2(c.lossPct) : "-",
    c ? f2(c.derivedLossPct) : "-",
    f3(x.latencyMs.p50),
    f3(x.latencyMs.p99),
    f2(x.latencyMs.max),
    String(x.checkpoints),
    f1(x.checkpointMsMean),
    f1(x.checkpointWorkMsMean),
    f1(x.copyOnWriteMsMean),
    f1(x.encodeMsMean),
    f2(x.cpuShare),
    c ? f2(c.wallLossPct) : "-",
  ];
  const rows = [head, row(r.baseline), ...r.configs.map((c) => row(c, c))];
  const widths = head.map((_, i) => Math.max(...rows.map((x) => x[i].length)));
  const table = rows.map(
    (x) => `  ${x.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join("  ")}`,
  );
  const target = targetConfig(r);
  const goal = `loss <= ${TARGET_LOSS_PCT}% with a checkpoint every ${TARGET_INTERVAL_MS / 1000} s`;
  const verdict =
    target === undefined
      ? `  target (${goal}): not measured`
      : `  target (${goal}): ${targetMet(r) ? "MET" : "NOT MET"}: ${f2(target.lossPct)}% measured, with ` +
        `baseline segments spread +-${f1(r.baselineSpreadPct)}% (${
          Math.abs(target.lossPct) <= r.baselineSpreadPct ? "within" : "beyond"
        } that noise); ${f2(target.derivedLossPct)}% derived from the per-checkpoint cost`;
  return [
    `  keyed count over ${o.keyCount.toLocaleString("en")} keys, one instance, batches of ${o.batchSize} uniformly ` +
      `random keys, one copy step of ${o.copyChunkEntries} entries after each batch while a checkpoint is pending`,
    `  clock: ${time} of this process${o.clock === "cpu" ? " (all threads): intervals, run lengths, throughput and latency are per second of processing, as on a core of its own" : ""}`,
    `  each run lasts a whole number of intervals with a checkpoint at the start of each, so every loss is measured; ` +
      `baseline segments of ${o.baselineSegmentMs / 1000} s run before, between and after the configurations, and each ` +
      `is compared with the two around it: ${r.segments.map((s) => mTuples(s.tuplesPerS)).join(", ")} tuples/s ` +
      `(spread +-${f1(r.baselineSpreadPct)}%)`,
    ...table,
    "  ratio, loss: throughput against the two bracketing baseline segments; derived: (work + CoW + encode) / " +
      "interval, the loss the per-checkpoint cost alone implies (a cross-check, not a measurement of the run)",
    "  latency: from the end of the previous batch's processing to the end of this one's; ckpt ms: begin to " +
      "complete; work: begin + copy steps; CoW: extra batch time while a copy is pending (difference of means); " +
      "all per checkpoint",
    "  CPU share: CPU time over wall time (below 1: other processes had the core); wall loss: the loss on the wall " +
      "clock, meaningful only when the CPU share is near 1 throughout",
    `  serialization (encodeCheckpoint, what the real runtime does on the processing core to ship a checkpoint ` +
      `for backup): ${f1(r.encodeMs)} ms and ${(r.encodeBytes / 1e6).toFixed(1)} MB per checkpoint of ` +
      `${r.checkpointKeys.toLocaleString("en")} keys; "every 5 s + encode" pays it in the run`,
    verdict,
  ].join("\n");
}
