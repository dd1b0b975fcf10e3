// Routing state and the routing contracts of edges. A contract belongs to the edge, not
// to the operator: the operator emits, the router picks the receiving instance.
//
//   forward     sender i -> receiver i mod n (a pipeline between equal parallelisms)
//   key         key -> key group -> the receiver whose range holds it (keyGroups.ts)
//   roundRobin  tuple by tuple over the receivers, in a fixed order
//   broadcast   every receiver gets every tuple (one batch, shared, not copied)

import { type KeyGroupRange, keyGroupOf, ownerTable } from "./keyGroups.js";

/** How tuples on an edge are spread over the receiving operator's instances. */
export type RoutingContract = "forward" | "key" | "roundRobin" | "broadcast";

/** Every routing contract, for validation and help texts. */
export const ROUTING_CONTRACTS: readonly RoutingContract[] = ["forward", "key", "roundRobin", "broadcast"];

/** Routing state of one output edge of one instance: plain data, checkpointed with it. */
export interface RoutingState {
  readonly contract: RoutingContract;
  /** Receiving instances, by instance id. */
  readonly receivers: readonly number[];
  /** For `key`: ranges[i] is the key-group range of receivers[i]. */
  readonly ranges: readonly KeyGroupRange[];
  /** For `key`: the receiving operator's number of key groups. */
  readonly maxKeyGroups: number;
  /** For `forward`: the sender's index among its operator's instances. */
  readonly senderIndex: number;
  /** For `roundRobin`: the receiver slot of the next tuple. */
  readonly next: number;
}

/** Slot value meaning "every receiver". */
export const ALL_RECEIVERS = -1;

/** Picks the receiver slot of each tuple of one output edge. */
export class Router {
  private owners: Int32Array;
  private next: number;

  constructor(readonly state: RoutingState) {
    if (state.receivers.length === 0) throw new RangeError("an edge needs at least one receiver");
    this.next = state.next;
    this.owners = state.contract === "key" ? ownerTable(state.maxKeyGroups, state.ranges) : new Int32Array(0);
    if (state.contract === "key") {
      if (state.ranges.length !== state.receivers.length) {
        throw new RangeError("key routing needs one key-group range per receiver");
      }
      const missing = this.owners.indexOf(-1);
      if (missing >= 0) throw new RangeError(`key group ${missing} has no receiver`);
    }
  }

  /** The receiver slot (index into `receivers`) of a tuple with `key`, or ALL_RECEIVERS. */
  slotOf(key: number): number {
    switch (this.state.contract) {
      case "key":
        return this.owners[keyGroupOf(key, this.state.maxKeyGroups)];
      case "forward":
        return this.state.senderIndex % this.state.receivers.length;
      case "roundRobin": {
        const slot = this.next;
        this.next = slot + 1 === this.state.receivers.length ? 0 : slot + 1;
        return slot;
      }
      case "broadcast":
        return ALL_RECEIVERS;
    }
  }

  /** The slot every tuple goes to whatever its key (as slotOf would give), or null when it depends on the tuple. */
  soleSlot(): number | null {
    const n = this.state.receivers.length;
    switch (this.state.contract) {
      case "key":
      case "roundRobin":
        return n === 1 ? 0 : null;
      case "forward":
        return this.state.senderIndex % n;
      case "broadcast":
        return ALL_RECEIVERS;
    }
  }

  /** Receiving instance ids. */
  get receivers(): readonly number[] {
    return this.state.receivers;
  }

  /** The routing state as it is now (the round-robin cursor included). */
  snapshot(): RoutingState {
    return this.state.contract === "roundRobin" ? { ...this.state, next: this.next } : this.state;
  }
}

/** Routing state for a fresh edge. */
export function routingState(
  contract: RoutingContract,
  receivers: readonly number[],
  options: { ranges?: readonly KeyGroupRange[]; maxKeyGroups?: number; senderIndex?: number } = {},
): RoutingState {
  return {
    contract,
    receivers,
    ranges: options.ranges ?? [],
    maxKeyGroups: options.maxKeyGroups ?? 0,
    senderIndex: options.senderIndex ?? 0,
    next: 0,
  };
}

/** The same routing state with key groups re-sliced over new receivers (scale out or in). */
export function reslice(
  state: RoutingState,
  receivers: readonly number[],
  ranges: readonly KeyGroupRange[],
): RoutingState {
  if (state.contract !== "key") throw new RangeError(`cannot re-slice a ${state.contract} edge`);
  return { ...state, receivers, ranges };
}

/** True when two routing states send the same key groups to the same receivers. */
export function sameReceivers(a: RoutingState, b: RoutingState): boolean {
  return (
    a.contract === b.contract &&
    a.receivers.length === b.receivers.length &&
    a.receivers.every((r, i) => r === b.receivers[i]) &&
    a.ranges.length === b.ranges.length &&
    a.ranges.every((r, i) => r.equals(b.ranges[i]))
  );
}

/** Slot of `receiver` in a routing state, or -1. */
export function slotOfReceiver(state: RoutingState, receiver: number): number {
  return state.receivers.indexOf(receiver);
}
