// The physical plan as the coordinator-side protocols change it. Each protocol keeps one;
// every change it makes is told to the run at once (the runtime deploys from the run's
// plan, so a protocol places instances in the plan before it asks for their deployment),
// and a change made by another protocol is taken in without being told back.

import { type InstanceSpec, instanceById, type PhysicalPlan, withInstances } from "../physicalPlan.js";

/** The plan a protocol works on, telling the run of each change it makes. */
export class RunPlan {
  constructor(
    private plan: PhysicalPlan,
    private readonly onPlan: (plan: PhysicalPlan) => void,
  ) {}

  /** The plan as it stands. */
  get current(): PhysicalPlan {
    return this.plan;
  }

  /** The plan changed elsewhere (another protocol): take it in. */
  changed(plan: PhysicalPlan): void {
    this.plan = plan;
  }

  /** Make `plan` the run's plan. */
  set(plan: PhysicalPlan): void {
    this.plan = plan;
    this.onPlan(plan);
  }

  /** Replace instances `ids` by `specs` (new instances, or the same ids elsewhere). */
  replace(ids: readonly number[], specs: readonly InstanceSpec[]): void {
    this.set(withInstances(this.plan, ids, specs));
  }

  /** Put `specs` in the plan in place of the instances of the same ids (as deployed). */
  place(specs: readonly InstanceSpec[]): void {
    this.replace(
      specs.map((s) => s.id),
      specs,
    );
  }

  /** The spec of instance `id`. */
  spec(id: number): InstanceSpec {
    return instanceById(this.plan, id);
  }
}
