// What a worker keeps so that its coordinator can fail over (high availability: a standby
// coordinator takes over the run, with the same workers, which go on processing meanwhile).
// All of it is opt-in, so that a run without HA is served as before, byte for byte:
// - the epoch fence (epochFence.ts): a coordinator's call stamped with an epoch older than
//   the highest seen is refused (FAILED_PRECONDITION, `fenced: epoch 3 is older than 4`),
//   and a watch stream opened under one ends once a newer one is seen. A Send without an
//   epoch is a peer's (instances' control messages to each other) and is not fenced;
// - the watch streams and their outbox (watchStreams.ts, eventOutbox.ts): a run deployed
//   with `ha` has its events numbered and kept until a coordinator acknowledges them, and a
//   new watch stream resumes after a given seq; a broken stream changes nothing;
// - the numbered control messages applied (appliedControls.ts): each (instance id,
//   control_seq) once, in whatever order they arrive;
// - the Survey a new leader asks first: run, epoch, instances hosted with their
//   incarnations and states, event seqs, control numbers applied.
//
// How a new leader takes over a worker, in this order:
//   1. Survey it with its epoch (auth.ts epochMetadata): that fences the old leader off (its
//      calls are refused from then on, its watch stream ends) and says where things stand;
//   2. open a Watch with after_seq = the last seq of this worker it holds durably (at least
//      Survey's events_taken): every later event comes once, in order, then live events;
//   3. resend, with their numbers, the control messages it cannot tell were applied (those
//      above Survey's `controls` for their instance): a repeat is acked `duplicate`;
//   4. heartbeat with events_taken = the last seq it holds durably, as it goes: the worker
//      drops those events (Stats' outbox_events and outbox_bytes say what is kept).
// Every call of the new leader carries its epoch, Send included.

import type { Metadata } from "@grpc/grpc-js";
import { AppliedControls } from "./appliedControls.js";
import { EpochFence, epochOf } from "./epochFence.js";
import type { SurveyedInstance, SurveyReply } from "./gen/seep/v1/seep.js";
import { WatchStreams } from "./watchStreams.js";

/**
 * Which calls the fence applies to: "always" a coordinator's (no epoch counts as 0), or
 * only "stamped" ones (a Send: peers send control messages too, without an epoch).
 */
export type Fencing = "always" | "stamped";

/** A worker's side of its coordinator's failover: fence, watch streams, control numbers applied. */
export class WorkerFailover {
  /** The highest epoch seen, and the rule refusing older ones. */
  readonly fence = new EpochFence();
  /** The open watch streams, and the outbox under HA. */
  readonly watches = new WatchStreams();
  /** The numbered control messages applied, per instance id. */
  readonly applied = new AppliedControls();

  /**
   * Pass a call with `metadata` through the fence: throws an Error with the fence's one line
   * when it is stamped with an epoch older than one seen, or is unstamped and fenced
   * "always" once an epoch was seen (a MalformedEpoch for a bad header). A newer epoch ends
   * the watch streams opened under older ones. Returns the call's epoch.
   */
  admit(metadata: Metadata, fencing: Fencing): number {
    const stamped = epochOf(metadata);
    if (stamped === undefined && fencing === "stamped") return this.fence.highest;
    const epoch = stamped ?? 0;
    const before = this.fence.highest;
    if (!this.fence.admit(epoch)) throw new Error(this.fence.refusal(epoch));
    if (this.fence.highest > before) this.watches.fenceOff(this.fence);
    return epoch;
  }

  /** The Survey of a worker running `runId` (empty: none) and hosting `hosted`. */
  survey(runId: string, hosted: readonly Omit<SurveyedInstance, "ended">[]): SurveyReply {
    return {
      runId,
      epoch: this.fence.highest,
      ha: this.watches.keeping,
      instances: hosted.map((h) => ({ ...h, ended: h.state === "finished" })),
      lastEventSeq: this.watches.lastSeq,
      eventsTaken: this.watches.takenSeq,
      controls: this.applied.survey(),
    };
  }
}
