// Where a run of the Linear Road scale-out report missed its deadline, and why: the seconds
// in which some answer took longer, as spans (seconds less than MERGE_S apart are one
// span), each with L, the worst latency and the VMs in use then, and the scale outs under
// way in it or just before it (a split's hand-over, a wait for a VM from an empty pool, a
// scale out refused), or else that none was: the load outgrew the VMs in use.

import type { ScaleOutRecord } from "../sim/index.js";
import type { RunSecond } from "./lrbScaleOutRuns.js";

/** Seconds over the deadline less than this far apart are one span. */
const MERGE_S = 10;
/** A scale out that ended this long before a span still counts as its cause (the catch-up after it). */
const CATCH_UP_S = 30;
/** A scale out that waited longer than this between its request and its pause waited for a VM. */
const WAITED_MS = 20_000;

/** A span of seconds in which some answer missed the deadline. */
export interface DeadlineMiss {
  readonly run: string;
  readonly fromS: number;
  readonly toS: number;
  /** Expressways open at its start. */
  readonly xways: number;
  readonly worstMs: number;
  readonly vmsInUse: number;
  readonly why: string;
}

/** The spans of `rows` over `deadlineMs`, with their causes among `scaleOuts`; `xwaysAt(s)`: L at time s. */
export function deadlineMisses(
  run: string,
  rows: readonly RunSecond[],
  scaleOuts: readonly ScaleOutRecord[],
  deadlineMs: number,
  xwaysAt: (timeS: number) => number,
  capVms: number,
): DeadlineMiss[] {
  const over = rows.filter((r) => r.latencyMaxMs > deadlineMs);
  const spans: RunSecond[][] = [];
  for (const r of over) {
    const last = spans.at(-1);
    if (last !== undefined && r.timeS - last.at(-1)!.timeS < MERGE_S) last.push(r);
    else spans.push([r]);
  }
  return spans.map((span) => {
    const fromS = span[0].timeS;
    const toS = span.at(-1)!.timeS;
    const worst = span.reduce((a, b) => (b.latencyMaxMs > a.latencyMaxMs ? b : a));
    const causes = scaleOuts.filter(
      (r) =>
        r.requestedAtMs / 1000 <= toS &&
        (r.completedAtMs === null || r.completedAtMs / 1000 >= fromS - CATCH_UP_S),
    );
    const why =
      causes.length > 0
        ? causes.map(describe).join("; ")
        : worst.vmsInUse >= capVms
          ? `no scale out under way: the ${worst.vmsInUse} VMs in use were the cap, and the load outgrew them`
          : `no scale out under way: the load outgrew the ${worst.vmsInUse} VMs in use before a split was asked for`;
    return {
      run,
      fromS,
      toS,
      xways: xwaysAt(fromS),
      worstMs: Math.round(worst.latencyMaxMs),
      vmsInUse: worst.vmsInUse,
      why,
    };
  });
}

/** A scale out as a cause: what it split, and what it waited for. */
function describe(r: ScaleOutRecord): string {
  const s = (ms: number) => `${Math.round(ms / 1000)} s`;
  if (r.refused !== null)
    return `the scale out of ${r.instance} at ${s(r.requestedAtMs)} was refused (${r.refused})`;
  const parts = [`the split of ${r.instance} asked at ${s(r.requestedAtMs)}`];
  if (r.pausedAtMs === null) parts.push("waiting for its VMs until the run ended");
  else {
    if (r.pausedAtMs - r.requestedAtMs > WAITED_MS)
      parts.push(`waited ${s(r.pausedAtMs - r.requestedAtMs)} for its VMs (the pool was empty)`);
    parts.push(
      r.completedAtMs === null
        ? "its hand-over did not end"
        : `handed over at ${s(r.completedAtMs)} after a ${Math.round(r.completedAtMs - r.pausedAtMs)} ms pause`,
    );
  }
  return parts.join(", ");
}
