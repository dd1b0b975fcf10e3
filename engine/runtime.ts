// The runtime boundary: everything the engine needs from the world, handed in. The
// simulator (sim/) implements it with virtual time and simulated links, the real
// runtime (cloud/) with the wall clock and gRPC, and InProcessRuntime with a manual
// clock and a local queue. The engine itself never reads a clock, draws a random
// number, sets a timer or does I/O.

import type { Batch } from "./batch.js";
import type { ControlMessage, ControlReply } from "./control.js";

/** A handle on a scheduled callback. */
export type TimerHandle = number;

/** Time as the runtime keeps it: virtual in the simulator, real on workers. */
export interface Clock {
  /** Milliseconds since the start of the run. */
  nowMs(): number;
  /** Call `callback` once, `delayMs` from now. */
  schedule(delayMs: number, callback: () => void): TimerHandle;
  /** Forget a scheduled callback that has not run yet. */
  cancel(handle: TimerHandle): void;
}

/** A seeded stream of numbers uniform in [0, 1). */
export interface RandomSource {
  next(): number;
}

/** Where control messages go: an instance id, or the coordinator. */
export type Address = number | "coordinator";

/** Moves batches between instances and control messages between them and the coordinator. */
export interface Transport {
  /** Deliver `batch` of `edge` from instance `sender` to instance `receiver`. */
  sendBatch(sender: number, receiver: number, edge: number, batch: Batch): void;
  /**
   * True when `sendBatch` keeps nothing of a batch past the call (it copies out what it
   * needs, as a transport that encodes batches onto a wire does): the engine may then hand
   * it batches that view memory it reuses (BatchBuilder.view), and save a copy per batch.
   */
  readonly copiesBatches?: boolean;
  /** Deliver a control message or reply. */
  sendControl(to: Address, message: ControlMessage | ControlReply): void;
}

/** Kinds of work an instance reports, which a runtime turns into CPU time. */
export type WorkKind =
  | "tuples" // tuples processed by the operator
  | "batches" // input batches handled
  | "emitted" // tuples emitted
  | "checkpointEntries" // state entries copied into a checkpoint
  | "restoreEntries" // state entries installed by a restore
  | "replayedTuples"; // tuples re-sent from an output buffer

/** Where instances report the work they do (the simulator charges CPU time for it). */
export interface WorkMeter {
  record(instance: number, kind: WorkKind, units: number): void;
}

/** What a runtime provides to the instances it hosts. */
export interface InstanceHost {
  readonly clock: Clock;
  readonly transport: Transport;
  readonly meter: WorkMeter;
  /**
   * Sources keep 1 key in this many (by a stable hash of the key), for runs at reduced
   * fidelity; absent or 1: every tuple.
   */
  readonly sourceSampleOneIn?: number;
  /**
   * Stamp every batch with tuples with the sender's cut (engine/outputCut.ts), so that a
   * failed instance can be recovered onto several (parallel recovery).
   */
  readonly stampOutputCuts?: boolean;
  /**
   * Keep sent output in the buffers until receivers' checkpoints cover it (the default),
   * so that it can be replayed; false keeps only output held back by a pause, for
   * strategies that never replay buffers (none, source replay).
   */
  readonly bufferOutput?: boolean;
  /**
   * Tell each sender what has been processed every this many batches of its channel (an
   * `ack`, which trims its buffer), for runs that keep buffers without checkpoints (a scale
   * out replays only what was not processed); absent or 0: never.
   */
  readonly ackProcessedEvery?: number;
  /**
   * A sink instance processed `batch` of channel (edge, sender): these tuples leave the
   * system. Called once per tuple per incarnation of the sink; a sink restored from a
   * checkpoint reports again what it reprocesses (a `SinkLedger` drops those repeats).
   */
  sinkOutput?(instance: number, edge: number, sender: number, batch: Batch): void;
}

/** Which VM each instance runs on. */
export interface Placement {
  vmOf(instance: number): number;
}

/** The whole boundary a runtime implements. */
export interface Runtime extends InstanceHost {
  readonly random: RandomSource;
  readonly placement: Placement;
}

/** A meter that keeps nothing. */
export const NO_METER: WorkMeter = { record() {} };
