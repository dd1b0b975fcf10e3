// One reconfiguration of a run as the reports of `seep sim` and `seep run` print it: its
// kind, the instances, when it was asked for, paused and done, and why it was given up.

import type { ScaleOutSummary } from "../engine/index.js";

/** How each kind of reconfiguration is named. */
const KIND_NAMES = { scaleOut: "scale out of", migration: "migration of", scaleIn: "scale in of" } as const;

/** `r` in one line, e.g. "scale in of count#3 with count#3 count#4: asked at 8000 ms, ...". */
export function scalingLine(r: ScaleOutSummary): string {
  const ms = (t: number | null) => (t === null ? "never" : `at ${Math.round(t)} ms`);
  return (
    `${KIND_NAMES[r.kind]} ${r.instance}` +
    (r.kind === "migration" ? "" : ` ${r.kind === "scaleIn" ? "with" : "into"} ${r.instances.join(" ")}`) +
    `: asked at ${Math.round(r.requestedAtMs)} ms, paused ${ms(r.pausedAtMs)}, done ${ms(r.completedAtMs)}` +
    (r.refused ? ` (refused: ${r.refused})` : "")
  );
}
