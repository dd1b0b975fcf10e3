// The contract between an instance and the protocols that run on it. The instance
// (engine/instance.ts) is the data path and its lifecycle: receive, accept, merge, deliver
// to the operator, emit, flush. Each fault-tolerance and scaling protocol keeps its
// per-instance part in a module of this folder, named after the paper's concept; it owns its
// state, reacts to the instance's events through `InstanceProtocol`, and acts on the instance
// only through `InstanceController` (as Flink's barrier handler states talk to their task
// only through a small controller). Control messages reach the one protocol that owns their
// type through a table (protocolTable.ts).
//
// Every event is optional: a protocol implements the few it needs. The instance calls the
// data-path events (admits, accepted, delivering, progressing, progressed, mutes) once per
// batch or flush each, never per tuple.

import type { Batch } from "../batch.js";
import type { Checkpoint } from "../checkpoint.js";
import type { ControlMessage, ControlReply, ControlType } from "../control.js";
import type { InputChannels } from "../inputChannels.js";
import type { KeyedState } from "../keyedState.js";
import type { KeyGroupRange } from "../keyGroups.js";
import type { LifecycleState } from "../lifecycle.js";
import type { SuppressionCut } from "../outputSuppression.js";
import type { OperatorSpec } from "../queryPlan.js";
import type { RecordState } from "../recordState.js";
import type { Address, WorkKind } from "../runtime.js";
import type { Outputs } from "./outputs.js";

/** One protocol's per-instance part: the instance's events it reacts to. */
export interface InstanceProtocol {
  /** The control message types this protocol owns (maybe none): the instance hands it every one of them. */
  readonly messages: readonly ControlType[];
  /**
   * A control message of one of its types, which the lifecycle table allows. The instance
   * then moves to the state returned, or to the table's next state when none is (a live
   * retire stays where it is until its input is in; a resume of an ended instance finishes).
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: most handlers move nothing and return nothing
  handle?(message: ControlMessage): LifecycleState | void;
  /** Any control message, before it is handled: true when this protocol keeps it for later. */
  defers?(message: ControlMessage): boolean;
  /** The instance is starting: ask the upstreams for what it needs, before any input. */
  starting?(): void;
  /** The instance has started and taken in what arrived before. */
  started?(): void;
  /** A checkpoint (or a mark) was installed into this fresh instance. */
  restored?(checkpoint: Checkpoint): void;
  /** A batch arrives on channel (edge, sender): false drops it unread. */
  admits?(edge: number, sender: number): boolean;
  /** A batch was taken in: `fresh`, its tuples not delivered before, or null when a gap refused it. */
  accepted?(edge: number, sender: number, batch: Batch, fresh: Batch | null): void;
  /** A lone channel's fresh tuples are about to go to the operator: the part to deliver now (null: none). */
  delivering?(edge: number, sender: number, fresh: Batch): Batch | null;
  /** The instance is about to process its input up to `watermarkMs`: false when this protocol took the step. */
  progressing?(watermarkMs: number): boolean;
  /** The instance has processed what it could and sent the output. */
  progressed?(): void;
  /** Output is about to be sent: true drops all of it (the instance does not own its output yet). */
  mutes?(): boolean;
}

/** What a protocol may see of its instance and ask of it. */
export interface InstanceController {
  /** The instance's id. */
  readonly id: number;
  /** Its operator. */
  readonly operator: OperatorSpec;
  /** Its key groups. */
  readonly range: KeyGroupRange;
  /** Where it is in its lifecycle. */
  lifecycle(): LifecycleState;
  /** Its event time. */
  eventTimeMs(): number;
  /** True once every input has ended. */
  ended(): boolean;
  /** Its input channels' positions. */
  readonly inputs: InputChannels;
  /** Its output edges. */
  readonly outputs: Outputs;
  /** Its keyed processing state (its records, for an operator with a record width). */
  state(): KeyedState<unknown> | RecordState;
  /** Send a control message or a reply. */
  send(to: Address, message: ControlMessage | ControlReply): void;
  /** Report work done. */
  record(kind: WorkKind, units: number): void;
  /** Hand a control message to the instance, as if it had just arrived. */
  handle(message: ControlMessage): void;
  /** Send what the operator emitted since the last flush. */
  flush(): void;
  /** Process what the input allows: release merged input, advance the event time, flush. */
  progress(): void;
  /** Release the merged input that sorts before `watermarkMs` to the operator. */
  release(watermarkMs: number): void;
  /** Hand the operator tuples of one channel. */
  deliver(edge: number, sender: number, fresh: Batch): void;
  /** Advance the event time to `watermarkMs` (firing what it closes). */
  advanceEventTime(watermarkMs: number): void;
  /** The earliest event time among a channel's tuples received but held back (Infinity: none). */
  heldTimeMs(edge: number, sender: number): number;
  /** A source's position in its stream (-1 for any other operator). */
  sourcePosition(): number;
  /** The oldest event time the operator's state still depends on, if it says. */
  operatorHorizonMs(): number | undefined;
  /**
   * Take a checkpoint's processing state, source position, event time and end, and forget
   * the input held back (restore.ts's `install` takes the rest).
   */
  adopt(checkpoint: Checkpoint): void;
  /** Start: ask the upstreams for what is needed, open the operator, take in what arrived before. */
  start(): void;
  /** Suppress the output another instance already sent (up to `cuts`). */
  suppressOutput(cuts: readonly SuppressionCut[]): void;
  /** The suppression cuts in force (undefined: none), as a checkpoint keeps them. */
  suppression(): readonly SuppressionCut[] | undefined;
  /** Stop telling senders what was processed (they keep it for the instances taking over). */
  holdProcessedAcks(): void;
  /**
   * End every output stream, stop, and tell the coordinator what was processed; with
   * `linger`, stay to serve replays and acks (finished) until a plain retire. Returns the state.
   */
  retire(linger?: boolean): LifecycleState;
}

/** What a protocol reads to record where its instance stands (a checkpoint's or a mark's positions). */
export type StandingControl = Pick<
  InstanceController,
  | "id"
  | "operator"
  | "range"
  | "inputs"
  | "outputs"
  | "send"
  | "record"
  | "flush"
  | "eventTimeMs"
  | "ended"
  | "sourcePosition"
>;
