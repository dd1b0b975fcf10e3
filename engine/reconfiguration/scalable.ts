// Whether an operator's instances can be split, merged or recovered in parts. Both the
// scaling protocols and parallel recovery split an instance's state by key groups, which
// needs every input of the operator routed by key: then re-slicing the key groups over
// new instances moves each key's whole input with it.

import type { InstanceSpec, PhysicalPlan } from "../physicalPlan.js";

/** Why instances of `operator` cannot be split or merged (null: they can): input not by key. */
export function whyNotScalable(plan: PhysicalPlan, operator: number): string | null {
  const op = plan.logical.operators[operator];
  const inputs = plan.logical.edges.filter((e) => e.to === operator);
  if (op.kind !== "operator" || inputs.length === 0 || inputs.some((e) => e.contract !== "key")) {
    return `operator "${op.name}" does not take its input by key`;
  }
  return null;
}

/** Why instance `spec` cannot be split into `parts` (null: it can): not scalable, or too few key groups. */
export function whyNotSplittable(plan: PhysicalPlan, spec: InstanceSpec, parts: number): string | null {
  const why = whyNotScalable(plan, spec.operator);
  if (why !== null) return why;
  if (spec.range.size < parts) return `instance ${spec.id} has too few key groups to split in ${parts}`;
  return null;
}
