// Deploying a reconfiguration's instances and restoring them from their parts. A new
// instance is deployed under its id (a fresh incarnation in place, or on a VM of its own),
// placed in the plan as deployed, and restored from its part of a checkpoint; scale out,
// migration and parallel recovery deploy their parts this way.

import type { Checkpoint } from "../checkpoint.js";
import type { InstanceSpec } from "../physicalPlan.js";
import type { ReconfigurationLink } from "./link.js";
import type { RunPlan } from "./runPlan.js";

/** One instance to deploy: on a new VM from the pool (`newVm`), or in place (on the VM its spec names). */
export interface Deployment {
  readonly spec: InstanceSpec;
  readonly newVm: boolean;
}

/**
 * Deploy each of `deployments`, placing each in `plan` as it is deployed; `then` once all
 * are.
 */
export function deployEach(
  link: ReconfigurationLink,
  plan: RunPlan,
  deployments: readonly Deployment[],
  then: () => void,
): void {
  let pending = deployments.length;
  for (const d of deployments) {
    link.redeploy([d.spec], d.newVm, (placed) => {
      plan.place(placed);
      if (--pending === 0) then();
    });
  }
}

/**
 * Where the parts of a split go: the first `inPlace` stay where the instance was, the others
 * each on a VM of `vms` in order (reserved before the pause), or on a new VM from the pool
 * when none were reserved.
 */
export function deploymentsOf(
  specs: readonly InstanceSpec[],
  inPlace: number,
  vms: readonly number[],
): Deployment[] {
  return specs.map((spec, i) => {
    if (i < inPlace) return { spec, newVm: false };
    if (vms.length === 0) return { spec, newVm: true };
    return { spec: { ...spec, vm: vms[i - inPlace] }, newVm: false };
  });
}

/** Restore each of `specs` from its part (`parts[i]`), as a part resent from its upstreams. */
export function restoreParts(
  link: ReconfigurationLink,
  specs: readonly InstanceSpec[],
  parts: readonly Checkpoint[],
): void {
  parts.forEach((part, i) => {
    link.sendControl(specs[i].id, { type: "restore", checkpoint: part, resent: true });
  });
}
