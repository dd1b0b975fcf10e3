// The scale outs of the Linear Road scale-out report as marks on its time axes: one per
// completed scale out, labelled with the operator and its instances after it (`cars ×4`);
// scale outs completed close together (within `mergeS` of the first of them) share one
// mark, labelled with each operator's count after the last of them, so that forty-odd
// splits over an hour do not smear into each other.

import type { ScaleOutRecord } from "../sim/index.js";
import type { Marker } from "./lib/chart.js";
import { SCALED_OPERATORS } from "./lrbScaleOutRuns.js";

/** Each scaled operator's instances after the completed scale outs of `scaleOuts` (one each at the start). */
export function parallelismAfter(
  scaleOuts: readonly ScaleOutRecord[],
  untilMs = Number.POSITIVE_INFINITY,
): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(SCALED_OPERATORS.map((op) => [op, 1]));
  for (const r of completed(scaleOuts))
    if (r.completedAtMs! <= untilMs) counts[r.operator] = (counts[r.operator] ?? 1) - 1 + r.instances.length;
  return counts;
}

/** The marks of the completed scale outs, those within `mergeS` of a mark's first one merged into it. */
export function scaleOutMarkers(scaleOuts: readonly ScaleOutRecord[], mergeS: number): Marker[] {
  const groups: ScaleOutRecord[][] = [];
  for (const r of completed(scaleOuts)) {
    const last = groups.at(-1);
    if (last !== undefined && (r.completedAtMs! - last[0].completedAtMs!) / 1000 <= mergeS) last.push(r);
    else groups.push([r]);
  }
  return groups.map((g) => {
    const after = parallelismAfter(scaleOuts, g.at(-1)!.completedAtMs!);
    const ops = SCALED_OPERATORS.filter((op) => g.some((r) => r.operator === op));
    return { x: g[0].completedAtMs! / 1000, label: ops.map((op) => `${op} ×${after[op]}`).join(", ") };
  });
}

/** The scale outs that completed, in the order they completed. */
function completed(scaleOuts: readonly ScaleOutRecord[]): ScaleOutRecord[] {
  return scaleOuts
    .filter((r) => r.kind === "scaleOut" && r.completedAtMs !== null)
    .sort((a, b) => a.completedAtMs! - b.completedAtMs!);
}
