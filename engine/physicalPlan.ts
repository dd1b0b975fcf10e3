// Physical plans: which instances exist, which key groups each owns and which VM each
// runs on. A physical plan is a value; scaling produces a new one.

import { type KeyGroupRange, sliceKeyGroups } from "./keyGroups.js";
import type { EdgeSpec, LogicalPlan, OperatorSpec } from "./queryPlan.js";
import { type RoutingState, routingState } from "./router.js";

/** One instance of an operator. */
export interface InstanceSpec {
  /** Unique within a run; never reused. */
  readonly id: number;
  readonly operator: number;
  /** Index among the operator's live instances, in key-group order. */
  readonly index: number;
  /** The key groups the instance owns. */
  readonly range: KeyGroupRange;
  /** The VM the instance runs on. */
  readonly vm: number;
  /**
   * The sender index a `forward` edge routes this instance's tuples by (to receiver
   * `forward mod n`): its index when the plan was placed. A split's parts, a migration's
   * new instance and a recovery's replacements keep their parent's, so that a sender whose
   * index a reconfiguration renumbers keeps its receiver. Absent: its index.
   */
  readonly forward?: number;
}

/** The sender index a forward edge routes `sender`'s tuples by (see InstanceSpec.forward). */
export function forwardIndexOf(sender: InstanceSpec): number {
  return sender.forward ?? sender.index;
}

/** A logical plan with its instances placed on VMs. */
export interface PhysicalPlan {
  readonly logical: LogicalPlan;
  readonly instances: readonly InstanceSpec[];
}

/** Placement of a new instance: the VM for instance `n` (in deployment order). */
export type PlaceInstance = (op: OperatorSpec, index: number, n: number) => number;

/** Instances for every operator at its declared parallelism, placed round robin over `vms`. */
export function physicalPlan(
  logical: LogicalPlan,
  options: { vms?: number; place?: PlaceInstance } = {},
): PhysicalPlan {
  const vms = options.vms ?? 1;
  const place: PlaceInstance = options.place ?? ((_op, _i, n) => n % vms);
  const instances: InstanceSpec[] = [];
  for (const op of logical.operators) {
    sliceKeyGroups(op.maxKeyGroups, op.parallelism).forEach((range, index) => {
      instances.push({
        id: instances.length,
        operator: op.id,
        index,
        range,
        vm: place(op, index, instances.length),
        forward: index,
      });
    });
  }
  return { logical, instances };
}

/** The live instances of an operator, in key-group order. */
export function instancesOf(plan: PhysicalPlan, operator: number): InstanceSpec[] {
  return plan.instances.filter((i) => i.operator === operator).sort((a, b) => a.range.first - b.range.first);
}

/** The instance with id `id`. */
export function instanceById(plan: PhysicalPlan, id: number): InstanceSpec {
  const inst = plan.instances.find((i) => i.id === id);
  if (inst === undefined) throw new Error(`no instance ${id} in the plan`);
  return inst;
}

/** Routing state of `edge` at sender `sender`, as the plan stands. */
export function routingOf(plan: PhysicalPlan, edge: EdgeSpec, sender: InstanceSpec): RoutingState {
  const receivers = instancesOf(plan, edge.to);
  const target = plan.logical.operators[edge.to];
  return routingState(
    edge.contract,
    receivers.map((r) => r.id),
    {
      ranges: receivers.map((r) => r.range),
      maxKeyGroups: target.maxKeyGroups,
      senderIndex: forwardIndexOf(sender),
    },
  );
}

/** The sending instances of `edge` that deliver to `receiver`. */
export function sendersOf(plan: PhysicalPlan, edge: EdgeSpec, receiver: InstanceSpec): InstanceSpec[] {
  const senders = instancesOf(plan, edge.from);
  if (edge.contract !== "forward") return senders;
  const n = instancesOf(plan, edge.to).length;
  return senders.filter((s) => forwardIndexOf(s) % n === receiver.index);
}

/** The ids of the instances sending to any of `receivers` (of one operator) on any input edge, ascending. */
export function upstreamIdsOf(plan: PhysicalPlan, receivers: readonly InstanceSpec[]): number[] {
  const inputs = plan.logical.edges.filter((e) => e.to === receivers[0].operator);
  const ids = inputs.flatMap((e) => receivers.flatMap((r) => sendersOf(plan, e, r).map((u) => u.id)));
  return [...new Set(ids)].sort((a, b) => a - b);
}

/** The plan with some instances replaced or added (scale out, scale in, migration). */
export function withInstances(
  plan: PhysicalPlan,
  remove: readonly number[],
  add: readonly InstanceSpec[],
): PhysicalPlan {
  const kept = plan.instances.filter((i) => !remove.includes(i.id));
  const byOperator = new Map<number, InstanceSpec[]>();
  for (const i of [...kept, ...add]) byOperator.set(i.operator, [...(byOperator.get(i.operator) ?? []), i]);
  const instances: InstanceSpec[] = [];
  for (const group of byOperator.values()) {
    group.sort((a, b) => a.range.first - b.range.first);
    for (let index = 0; index < group.length; index++) instances.push({ ...group[index], index });
  }
  instances.sort((a, b) => a.id - b.id);
  return { logical: plan.logical, instances };
}

/** The next unused instance id. */
export function nextInstanceId(plan: PhysicalPlan): number {
  return plan.instances.reduce((m, i) => Math.max(m, i.id + 1), 0);
}

/**
 * Ids for new instances (scale outs, parallel recoveries), never one an instance had
 * before: receivers keep the channels of retired and failed instances. One per run,
 * shared by whoever creates instances.
 */
export class InstanceIds {
  private next = 0;

  /** `n` consecutive fresh ids; returns the first. */
  take(plan: PhysicalPlan, n: number): number {
    const first = Math.max(nextInstanceId(plan), this.next);
    this.next = first + n;
    return first;
  }
}
