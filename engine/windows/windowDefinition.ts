// What a window factory hands to a query plan: the per-instance operator factory and the
// operator options that must go with it (stateful, and the clone and codec of its state
// values), bundled so that the two cannot be mismatched.

import type { CloneValue } from "../keyedState.js";
import type { InstanceInfo, Operator } from "../operator.js";
import type { StateCodec } from "../stateCodec.js";

/**
 * A window ready to add to a plan: `q.operator(name, w.create, { ...w.options, parallelism })`.
 * S is the type of its per-key state values, O its operator.
 */
export interface WindowDefinition<S, O extends Operator<S> = Operator<S>> {
  /** Makes the operator of one instance. */
  readonly create: (info: InstanceInfo) => O;
  /** `stateful: true`, and the `cloneState` and `stateCodec` that match the operator's state values. */
  readonly options: {
    readonly stateful: true;
    readonly cloneState: CloneValue<S>;
    readonly stateCodec: StateCodec<S>;
    /** Set when the state is kept as records of this many numbers (recordState.ts). */
    readonly recordWidth?: number;
  };
}
