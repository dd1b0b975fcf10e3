// The last step of every reconfiguration that changed who receives an operator's input:
// each upstream re-slices its routing over the plan as it now stands, moves the tuples it
// holds for the old receivers to their new owners (keeping their timestamps), and sends
// again. Nothing is regenerated: each receiver is handed the tuples after the position it
// has, so the receivers' input is the input of a run without the reconfiguration.

import { instanceById, type PhysicalPlan, routingOf } from "../physicalPlan.js";
import type { ReconfigurationLink } from "./link.js";

/** Per receiver whose tuples move, the last tuple it has: [receiver, seq] pairs. */
export type ResumeFrom = readonly (readonly [number, number])[];

/**
 * Re-slice the routing of each of `upstreams` into `operator` over `plan`, moving what it
 * holds for the receivers `fromOf` lists (none: that edge is left alone), and let it send
 * again.
 */
export function rerouteAndResume(
  link: ReconfigurationLink,
  plan: PhysicalPlan,
  upstreams: readonly number[],
  operator: number,
  fromOf: (edge: number, upstream: number) => ResumeFrom,
): void {
  for (const u of upstreams) {
    const uspec = instanceById(plan, u);
    for (const e of plan.logical.edges.filter((e) => e.to === operator)) {
      const from = fromOf(e.id, u);
      if (from.length === 0) continue;
      link.sendControl(u, {
        type: "reroute",
        edge: e.id,
        routing: routingOf(plan, e, uspec),
        resumeFrom: from,
      });
    }
    link.sendControl(u, { type: "resume" });
  }
}
