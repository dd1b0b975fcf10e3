// Where an instance's checkpoint is backed up, and which instances a failure drags along. SEEP picks one of the instance's upstream
// instances; a backup on the instance's own VM dies with it, so the choice here skips
// upstreams that share the VM and falls back to the coordinator's store when every
// upstream does (or when the run asks for the store).

import type { PhysicalPlan } from "../physicalPlan.js";
import { instanceById, sendersOf } from "../physicalPlan.js";
import type { BackupPlacement } from "./options.js";

/** The coordinator's store, standing for a replicated store that survives failures. */
export const STORE = -1;

/** The holder of `instance`'s backups: an upstream instance id, or STORE. */
export function backupHolderOf(plan: PhysicalPlan, instance: number, placement: BackupPlacement): number {
  if (placement === "store") return STORE;
  const spec = instanceById(plan, instance);
  const upstreams = new Set<number>();
  for (const e of plan.logical.edges) {
    if (e.to !== spec.operator) continue;
    for (const s of sendersOf(plan, e, spec)) if (s.vm !== spec.vm) upstreams.add(s.id);
  }
  if (upstreams.size === 0) return STORE;
  const sorted = [...upstreams].sort((a, b) => a - b);
  return sorted[instance % sorted.length];
}

/** `ids` and everything reachable from them through `next`. */
function closure(ids: Iterable<number>, next: (id: number) => Iterable<number>): Set<number> {
  const seen = new Set<number>();
  const todo = [...ids];
  while (todo.length > 0) {
    const id = todo.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const n of next(id)) if (!seen.has(n)) todo.push(n);
  }
  return seen;
}

/** The instances sending to instance `id`, over every input edge. */
function sendersTo(plan: PhysicalPlan, id: number): number[] {
  const spec = instanceById(plan, id);
  return plan.logical.edges
    .filter((e) => e.to === spec.operator)
    .flatMap((e) => sendersOf(plan, e, spec).map((s) => s.id));
}

/** The instances instance `id` sends to, over every output edge. */
function receiversOf(plan: PhysicalPlan, id: number): number[] {
  const spec = instanceById(plan, id);
  return plan.logical.edges
    .filter((e) => e.from === spec.operator)
    .flatMap((e) =>
      plan.instances
        .filter((r) => r.operator === e.to && sendersOf(plan, e, r).some((x) => x.id === id))
        .map((r) => r.id),
    );
}

/** Every instance `ids` depend on, transitively, through input edges (the ids included). */
export function upstreamCone(plan: PhysicalPlan, ids: Iterable<number>): Set<number> {
  return closure(ids, (id) => sendersTo(plan, id));
}

/** Every instance that depends on `ids`, transitively, through output edges (the ids included). */
export function downstreamCone(plan: PhysicalPlan, ids: Iterable<number>): Set<number> {
  return closure(ids, (id) => receiversOf(plan, id));
}
