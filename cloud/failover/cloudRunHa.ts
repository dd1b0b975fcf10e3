// What a real run needs for high availability, and a new leader's first steps with the
// workers. A run with `ha` leads under a fencing epoch (every call of it carries the epoch,
// so that workers refuse a deposed leader), journals its coordinator's inputs and keeps its
// record (haLeader.ts). A run with `ha.takeover` is a new leader's: it takes the run over
// from the record and journal a standby read once elected (cloudRun.ts `takeOver`):
//   1. adopt the recorded workers (the pool manages them from now on) and the directory;
//   2. restore the latest output snapshot;
//   3. Survey every worker the record has alive, with the new epoch: that fences the old
//      leader off; where each instance runs and its incarnation, the events each worker
//      keeps, the numbered control messages each instance applied. One that does not
//      answer is dead, handed to fault tolerance in the catch-up;
//   4. open each watch stream after the events held (the journal's replies, the snapshot's
//      outputs), and rebuild the coordinator from the journal (engine/takeover/), sending
//      again the messages Survey says were not applied.

import type { Metadata } from "@grpc/grpc-js";
import type { JournalEntry } from "../../engine/index.js";
import type { CheckpointStore } from "../checkpointStore/index.js";
import type { AppliedControls, SurveyReply } from "../gen/seep/v1/seep.js";
import type { RunRecordStore, ZkSession } from "../ha/index.js";
import type { WorkerLink } from "../workerLink.js";
import type { CrashPoint } from "./crashPoint.js";
import type { HaRunRecord } from "./haLeader.js";

/** A new leader's starting point: what the record, the journal and the store held once it was elected. */
export interface Takeover {
  readonly record: HaRunRecord;
  readonly journal: {
    readonly entries: readonly JournalEntry[];
    readonly tags: ReadonlyMap<number, string>;
    /** The outputs logged with it (outputLog.ts's objects, in order). */
    readonly outputs: readonly Uint8Array[];
  };
  /** The latest output snapshot's bytes (null: none was taken). */
  readonly outputs: Uint8Array | null;
  /** Wall-clock ms the new leader was elected (the takeover's start). */
  readonly electedEpochMs: number;
}

/** High availability of a real run. */
export interface CloudRunHa {
  readonly session: ZkSession;
  readonly records: RunRecordStore;
  /** Where checkpoints carried by journaled replies and output snapshots go. */
  readonly store: CheckpointStore;
  /** The epoch this leader claimed, and the epoch node's version after the claim. */
  readonly epoch: number;
  readonly epochVersion: number;
  /** What the CLI needs to build the run again (kept in the record, opaque here). */
  readonly run: unknown;
  /** The CLI's positions in its outputs files, kept with each output snapshot. */
  readonly files?: () => unknown;
  /** How often the output state is snapshotted (wall-clock ms; default 1000). */
  readonly snapshotPeriodMs?: number;
  /** Set for a new leader: the run it takes over. */
  readonly takeover?: Takeover;
  /** Fault injection: crash this leader at a point of the protocol (crashPoint.ts). */
  readonly crashAfter?: CrashPoint;
  /** The first control call of a new leader went out (takeover time: the record's death to this). */
  readonly onFirstControl?: (atEpochMs: number) => void;
}

/** This leader was fenced off by a newer one, or lost ZooKeeper for good: it stops, touching nothing. */
export class DeposedError extends Error {
  override readonly name = "DeposedError";
}

/** Survey worker `l` within `deadlineMs`: its reply, or null when it does not answer (dead). */
export function survey(l: WorkerLink, metadata: Metadata, deadlineMs: number): Promise<SurveyReply | null> {
  return new Promise((resolve) => {
    l.client.survey({}, metadata, { deadline: Date.now() + deadlineMs }, (err, reply) =>
      resolve(err ? null : reply),
    );
  });
}

/**
 * The instances whose failure `entries` (a journal) hand to fault tolerance and that no
 * later deployment placed again, with when each failed and was detected: a new leader that
 * finds their worker dead does not report them again.
 */
export function failedInJournal(
  entries: readonly JournalEntry[],
): Map<number, { readonly failedAtMs: number; readonly detectedAtMs: number }> {
  const out = new Map<number, { failedAtMs: number; detectedAtMs: number }>();
  for (const e of entries) {
    const i = e.input;
    if (i.kind === "failed")
      for (const id of i.ids) out.set(id, { failedAtMs: i.failedAtMs, detectedAtMs: e.atMs });
    else if (i.kind === "deployed") for (const s of i.placed) out.delete(s.id);
  }
  return out;
}

/** Whether message `seq` of an instance is among `applied` (its Survey's numbers). */
function isApplied(applied: AppliedControls, seq: number): boolean {
  if (seq <= applied.lowWater) return true;
  return applied.above.some((r) => seq >= r.first && seq <= r.last);
}

/**
 * The new leader's question to the takeover (engine/takeover): may instance `instance` not
 * have applied its message `seq`? Told by the Survey of the worker hosting it now; an
 * instance no live worker hosts has applied nothing there (its messages go to a replacement).
 */
export function unappliedOf(
  surveys: ReadonlyMap<number, SurveyReply>,
  workerOf: (instance: number) => number | undefined,
): (instance: number, seq: number) => boolean {
  return (instance, seq) => {
    const w = workerOf(instance);
    const s = w === undefined ? undefined : surveys.get(w);
    const applied = s?.controls.find((c) => c.instance === instance);
    return applied === undefined || !isApplied(applied, seq);
  };
}
