// How a run ended, in the same fields for every runtime's summary.json. A run either
// finished by itself (every sink ended, or under strategy none was lost with its VM or
// worker: finished, with that output lost), was stopped on purpose at its `untilS`, or
// stalled: it stopped with a sink that had not ended while nothing could make it end
// (nothing left could happen, every sink left waits on a lost instance, or the bound on
// steps). A stalled run is a failure, which the commands report in one line and a
// non-zero exit; a run stopped at `untilS` is not.

import type { PhysicalPlan } from "../physicalPlan.js";

/** Why a run stopped: by itself, at `untilS`, or stalled. */
export type RunStop = "finished" | "until" | "stalled";

/** The fields of summary.json that say how a run ended. */
export interface RunEndFields {
  /** The run stopped with a sink not ended while nothing could make it end: a failure. */
  readonly stalled: boolean;
  /** Run seconds at which it stalled (null: it did not). */
  readonly stalledAtS: number | null;
  /** Why it could not go on, in a few words (null: it did not stall). */
  readonly stalledBy: string | null;
  /** The run was stopped on purpose at its `untilS` (`--until`) before its sinks all ended. */
  readonly stoppedAtUntil: boolean;
  /** Sink instances that never ended, as `sink#5` (empty when the run finished). */
  readonly sinksNotEnded: readonly string[];
  /** Sink instances lost before they ended (strategy none): their output is missing. */
  readonly sinksLost: readonly string[];
}

/** What a run's coordinator knows of its instances' ends (engine/coordinator.ts's Coordinator). */
export interface EndedView {
  hasEnded(id: number): boolean;
  readonly lostInstances: ReadonlySet<number>;
}

/** The sink instances of `plan` that never ended, and those lost before they ended, named `sink#5`. */
export function sinkEnds(
  plan: PhysicalPlan,
  view: EndedView | null,
): { readonly notEnded: string[]; readonly lost: string[] } {
  const notEnded: string[] = [];
  const lost: string[] = [];
  for (const spec of plan.instances) {
    const op = plan.logical.operators[spec.operator];
    if (op.kind !== "sink" || (view?.hasEnded(spec.id) ?? false)) continue;
    const name = `${op.name}#${spec.id}`;
    if (view?.lostInstances.has(spec.id)) lost.push(name);
    else notEnded.push(name);
  }
  return { notEnded, lost };
}

/** The end fields of a run that stopped (`stop`) at `endMs` of run time, its sinks as `sinkEnds` gives them. */
export function runEndFields(
  stop: RunStop,
  endMs: number,
  sinks: ReturnType<typeof sinkEnds>,
  stalledBy: string | null,
): RunEndFields {
  const stalled = stop === "stalled";
  return {
    stalled,
    stalledAtS: stalled ? endMs / 1000 : null,
    stalledBy: stalled ? stalledBy : null,
    stoppedAtUntil: stop === "until",
    sinksNotEnded: sinks.notEnded,
    sinksLost: sinks.lost,
  };
}
