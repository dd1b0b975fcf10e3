// How `seep sim` and `seep run` tell a person the way a run ended (engine/metrics/runEnd.ts):
// a line in the summary for a run stopped at `untilS` or one that lost sinks, and, for a
// stalled run, the one line of its failure, given once all its files are written.

import type { RunSummaryFields } from "../engine/index.js";
import { RunFailure } from "./errors.js";

/** Lines of the printed summary on how the run ended (none for a run that finished whole). */
export function runEndLines(s: RunSummaryFields): string[] {
  const lines: string[] = [];
  if (s.stoppedAtUntil)
    lines.push(`stopped at untilS, as asked, before ${s.sinksNotEnded.join(", ") || "every sink"} ended`);
  if (s.sinksLost.length > 0)
    lines.push(`sinks lost (strategy none: their output is missing): ${s.sinksLost.join(", ")}`);
  return lines;
}

/** The failure of a stalled run, in one line naming where its summary is; null when it did not stall. */
export function stalledRunFailure(s: RunSummaryFields, summaryPath: string): RunFailure | null {
  if (!s.stalled) return null;
  const at = (s.stalledAtS ?? 0).toFixed(1);
  const sinks = s.sinksNotEnded.length === 0 ? "a sink" : s.sinksNotEnded.join(", ");
  const by = s.stalledBy === null ? "" : `; ${s.stalledBy}`;
  return new RunFailure(
    `the run stalled at ${at} s: ${sinks} never ended (${s.tuplesOut} outputs${by}); see ${summaryPath}`,
  );
}
