// Control messages between the coordinator and instances: a typed discriminated union,
// so that every handler is checked for exhaustiveness by the compiler and every step
// of a protocol is an explicit, acknowledged message (SEEP's untyped if/else chains and
// unacknowledged steps are the counterexample).

import type { ChannelPosition, Checkpoint } from "./checkpoint.js";
import type { KeyGroupRange } from "./keyGroups.js";
import type { OutputCut } from "./outputCut.js";
import type { SuppressionCut } from "./outputSuppression.js";
import type { RoutingState } from "./router.js";

/** Coordinator -> instance. */
export type ControlMessage =
  /** Begin processing (sources begin producing). */
  | { readonly type: "start" }
  /**
   * Take a checkpoint; reply `checkpointed` when its copy is complete. With `holdAcks` (a
   * live scale out's snapshot), stop telling senders what was processed from now on, so
   * that they keep every tuple after the checkpoint for the new instances.
   */
  | { readonly type: "checkpoint"; readonly checkpointId: number; readonly holdAcks?: boolean }
  /** Keep `checkpoint` as the backup of a downstream instance and trim the buffer to it. */
  | { readonly type: "backup"; readonly checkpoint: Checkpoint }
  /**
   * The receiver no longer needs the tuples of `edge` up to `seq` (its checkpoint covers
   * them): trim the buffer. With `beforeTimeMs` (upstream backup: the receiver keeps no
   * checkpoint and rebuilds its state from the buffer), only the leading tuples up to `seq`
   * with event times before it go: the receiver's state no longer depends on them.
   */
  | {
      readonly type: "ack";
      readonly edge: number;
      readonly receiver: number;
      readonly seq: number;
      readonly beforeTimeMs?: number;
    }
  /** Re-send the buffered tuples of `edge` to `receiver` after timestamp `afterSeq`. */
  | { readonly type: "replay"; readonly edge: number; readonly receiver: number; readonly afterSeq: number }
  /**
   * Re-send to `receiver` every tuple of `edge` still buffered for it, the first batch
   * marked as the start of what is kept (a rebuilding receiver takes the channel from there).
   */
  | { readonly type: "replayKept"; readonly edge: number; readonly receiver: number }
  /** Hold output: keep buffering, stop sending (reconfiguration in progress); reply `paused`. */
  | { readonly type: "pause" }
  /** Send what was held and go on sending. */
  | { readonly type: "resume" }
  /**
   * Replace the routing state of `edge` (new receivers or re-sliced key groups). With
   * `resumeFrom` ([receiver, seq] pairs: a scale out), every buffered tuple after its
   * receiver's position moves to the receiver that owns its key now, and those receivers
   * are sent everything after their position again on `resume`.
   */
  | {
      readonly type: "reroute";
      readonly edge: number;
      readonly routing: RoutingState;
      readonly resumeFrom?: readonly (readonly [number, number])[];
    }
  /**
   * Scale out: checkpoint (id `checkpointId`) once every input channel has received at
   * least up to `received` (what the paused upstreams had sent), and reply `checkpointed`.
   * A position whose watermarkMs is Infinity also waits for the end of its channel's stream.
   */
  | {
      readonly type: "checkpointWhenReceived";
      readonly checkpointId: number;
      readonly received: readonly ChannelPosition[];
    }
  /**
   * To a source: drop this share (0 to 1) of the tuples it produces from now on (load
   * shedding, when no more resources can be had). Lossy by design: a replay after a
   * failure sheds by the rate in force then, not the tuples shed first.
   */
  | { readonly type: "shed"; readonly rate: number }
  /**
   * Scale in, or a live scale out: this instance's keys are taken over by others; send what
   * was emitted, end every output stream and stop; reply `retired` with what it processed.
   * With `linger` (a live scale out under a recovering strategy) stay finished, serving
   * replays and acks, until a plain `retire`.
   */
  | {
      readonly type: "retire";
      readonly received?: readonly ChannelPosition[];
      readonly linger?: boolean;
    }
  /**
   * Live scale out, to a new instance restored from the splitting instance's earlier
   * checkpoint. Pending (`processed` null): that instance still owns the keys, so every
   * output is suppressed; reply `caughtUp` once its event time reaches the watermarks of
   * `caughtUpAt` (where its upstreams were when they began to copy). Then: the tuples up to `processed` (per channel) and the event time up
   * to `watermarkMs` were processed by that instance before it retired, so their output
   * is suppressed here; everything after is this instance's to emit. Reply `takenOver`:
   * the upstreams resume only then, as their output must not reach it before the cut.
   */
  | {
      readonly type: "catchUp";
      readonly processed: readonly ChannelPosition[] | null;
      readonly watermarkMs: number;
      readonly caughtUpAt?: readonly ChannelPosition[];
    }
  /**
   * Live scale out, to an upstream of instance `of`: send the instances that take over its
   * keys (`to`, by `routing`) copies of what it was sent after `afterSeq` and of every batch
   * sent to it from now on; reply `shadowing` with the last tuple it had sent to it.
   */
  | {
      readonly type: "shadow";
      readonly edge: number;
      readonly of: number;
      readonly to: readonly number[];
      readonly routing: RoutingState;
      readonly afterSeq: number;
    }
  /**
   * Parallel recovery, to an instance that took output from the failed instance `sender` on
   * `edge`: take nothing more from it, and reply `cutReported` with what was received.
   */
  | { readonly type: "reportCut"; readonly edge: number; readonly sender: number }
  /** Parallel recovery given up (the failed instance is recovered as one): take its channel again. */
  | { readonly type: "reopenChannel"; readonly edge: number; readonly sender: number }
  /**
   * Parallel recovery: the instances `by` send on `edge` in place of the failed `sender`,
   * whose channel ends with what was received from it; reply `senderReplaced`.
   */
  | {
      readonly type: "replaceSender";
      readonly edge: number;
      readonly sender: number;
      readonly by: readonly number[];
    }
  /**
   * Parallel recovery, to an instance restored from a part of the failed instance's
   * checkpoint: each receiver already has the output its cut covers; suppress it here.
   */
  | { readonly type: "suppressOutput"; readonly cuts: readonly SuppressionCut[] }
  /** Scale out: a new upstream instance `sender` sends on `edge` from now on; reply `senderAdded`. */
  | { readonly type: "addSender"; readonly edge: number; readonly sender: number }
  /**
   * Install `checkpoint` into this (fresh) instance. On start it asks its upstreams to replay
   * what follows the checkpoint, unless `resent` (a scale out: the upstreams re-send it with
   * their new routing, and a replay asked for first would come under the old one).
   */
  | { readonly type: "restore"; readonly checkpoint: Checkpoint; readonly resent?: boolean }
  /**
   * Upstream backup: take a mark (a checkpoint without processing state, with the state's
   * horizon); reply `checkpointed` with it once the output it covers is trimmed downstream.
   */
  | { readonly type: "mark"; readonly checkpointId: number }
  /**
   * Upstream backup: rebuild this (fresh) instance up to `mark` from its upstreams' kept
   * buffers, output suppressed, then go on from the mark's output positions. With `base`
   * (the instance's checkpoint at the latest reconfiguration's quiescent base, older than
   * the mark) the rebuild starts from that state and its input positions instead of the
   * initial state.
   */
  | { readonly type: "rebuild"; readonly mark: Checkpoint; readonly base?: Checkpoint }
  /** Stay in the initial state, as a restore would leave it: on start, ask upstreams to replay everything. */
  | { readonly type: "rewind" }
  /**
   * To a backup holder: restore `instance` (a fresh replacement) from the backup held for
   * it; with `parts` (parallel recovery), partition it by their ranges into new instances,
   * keeping each part as the backup of its instance.
   */
  | {
      readonly type: "restoreBackup";
      readonly instance: number;
      readonly parts?: readonly { readonly instance: number; readonly range: KeyGroupRange }[];
    }
  /** To a source: begin global snapshot `snapshotId` (checkpoint, then markers downstream). */
  | { readonly type: "snapshot"; readonly snapshotId: number }
  /**
   * From an upstream instance: its output on channel (edge, sender -> this instance) up to
   * `seq` precedes global snapshot `snapshotId` (SAND's marker, as a channel position).
   */
  | {
      readonly type: "marker";
      readonly snapshotId: number;
      readonly edge: number;
      readonly sender: number;
      readonly seq: number;
    }
  /** Stop for good. */
  | { readonly type: "stop" };

/** Instance -> coordinator. */
export type ControlReply =
  | { readonly type: "checkpointed"; readonly instance: number; readonly checkpoint: Checkpoint }
  | {
      readonly type: "backedUp";
      readonly holder: number;
      readonly instance: number;
      readonly checkpointId: number;
    }
  | { readonly type: "restored"; readonly instance: number; readonly checkpointId: number }
  /** A holder was asked to restore `instance` but holds no backup of it. */
  | { readonly type: "backupMissing"; readonly holder: number; readonly instance: number }
  | { readonly type: "ended"; readonly instance: number }
  /** Output held; `sent`: per output channel, the last tuple transmitted before the hold. */
  | {
      readonly type: "paused";
      readonly instance: number;
      readonly sent: readonly { readonly edge: number; readonly receiver: number; readonly seq: number }[];
    }
  | {
      readonly type: "senderAdded";
      readonly instance: number;
      readonly edge: number;
      readonly sender: number;
    }
  /**
   * Retired: `processed`, per input channel, the last tuple it processed; `watermarkMs`, its
   * event time; `lingering`, it still serves replays (its host stays).
   */
  | {
      readonly type: "retired";
      readonly instance: number;
      readonly processed: readonly ChannelPosition[];
      readonly watermarkMs: number;
      readonly lingering?: boolean;
    }
  | { readonly type: "stopped"; readonly instance: number }
  /** Shadowing began on `edge`: the last tuple and the watermark sent to the instance shadowed. */
  | {
      readonly type: "shadowing";
      readonly instance: number;
      readonly edge: number;
      readonly sentSeq: number;
      readonly sentWatermarkMs: number;
    }
  /**
   * Parallel recovery: what this instance had received from the failed `sender` on `edge`:
   * the last tuple, and the cut of the last batch with tuples (null: none stamped).
   */
  | {
      readonly type: "cutReported";
      readonly instance: number;
      readonly edge: number;
      readonly sender: number;
      readonly receivedSeq: number;
      readonly cut: OutputCut | null;
    }
  | {
      readonly type: "senderReplaced";
      readonly instance: number;
      readonly edge: number;
      readonly sender: number;
    }
  /** A new instance of a live scale out has processed its backlog (up to `caughtUpAt`). */
  | { readonly type: "caughtUp"; readonly instance: number }
  /** A new instance of a live scale out has the retired instance's cut (`catchUp` with `processed`). */
  | { readonly type: "takenOver"; readonly instance: number }
  /** Upstream backup: a rebuilt instance has reached its mark (its output flows again). */
  | { readonly type: "rebuilt"; readonly instance: number };

/** The type tag of a control message. */
export type ControlType = ControlMessage["type"];

/** A control message that the receiving instance's state does not allow. */
export class ProtocolError extends Error {
  constructor(instance: number, state: string, message: ControlMessage) {
    super(`instance ${instance} in state "${state}" cannot handle "${message.type}"`);
    this.name = "ProtocolError";
  }
}

/**
 * A run reached a combination of events the protocols do not handle yet (a failure during
 * a scale out, or during a parallel recovery): the run cannot go on exactly. Not a bug in
 * the run's description, nor in the engine's handling of what it supports.
 */
export class UnsupportedScenario extends Error {
  override readonly name = "UnsupportedScenario";
}
