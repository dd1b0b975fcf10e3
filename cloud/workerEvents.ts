// What the workers tell the coordinator of a real run, on a watch stream per worker: the
// instances' replies to the engine's control messages, and what the sinks let out. A reply
// names the incarnation that sent it (a holder's replies name the instance it holds for,
// under the holder's incarnation): one from an incarnation replaced since is dropped, as
// it was lost with it. An instance that failed a task (a bug, or a worker fed a malformed
// message) stops the run with what failed, and so does an event the coordinator cannot
// take in. A stream that breaks or ends is a dead worker, declared at once.
//
// Under HA (a standby coordinator may take over) a worker numbers its events and keeps them
// until a coordinator holds them durably; a stream resumes after a seq. A new leader opens
// each stream after the lowest seq it holds, and drops what it holds already: replies up to
// the last one in the journal, outputs up to the output state it restored. A stream ended
// because a newer leader fenced this one off is no dead worker: this leader is deposed.
//
// A checkpointed reply may name its checkpoint on the worker's shelf instead of carrying
// it; when the coordinator must hold it, its bytes are pulled before the engine takes the
// reply (checkpointPulls.ts), and the worker's later events, its stream's end included,
// wait behind it, in order. Other workers' events do not wait.

import { type Metadata, type ServiceError, status } from "@grpc/grpc-js";
import type { ControlReply } from "../engine/index.js";
import type { CheckpointIntake } from "./checkpointPulls.js";
import { type CodecOf, fromReplyMessage, taskFailureOf } from "./controlWire.js";
import type { ControlReplyMessage, SinkOutput, WorkerEvent } from "./gen/seep/v1/seep.js";
import type { InstanceDirectory } from "./instanceDirectory.js";
import type { WorkerLink } from "./workerLink.js";

/** What the watch streams need of the run. */
export interface WorkerEventsHost {
  readonly directory: InstanceDirectory;
  readonly metadata: Metadata;
  /** The state codec of an operator, for the checkpoints replies carry. */
  readonly codecOf: CodecOf;
  /** A reply from an instance's live incarnation, decoded, the event `seq` of worker `l` (0 without HA). */
  reply(reply: ControlReply, l: WorkerLink, seq: number): void;
  /** A batch a sink let out, the event `seq` of worker `l` (0 without HA). */
  output(out: SinkOutput, l: WorkerLink, seq: number): void;
  /** Worker `l`'s stream broke: declare it dead. */
  lost(l: WorkerLink): void;
  /** Stop the run with this error. */
  abort(error: Error): void;
  /** A newer leader fenced this one off (its stream ended so): stop leading, touching nothing. */
  deposed(why: string): void;
  /** Where the checkpoints replies name on their workers are pulled first (none: every reply goes at once). */
  readonly intake?: Pick<CheckpointIntake, "named" | "before" | "after">;
}

/** Takes in the events of the workers' watch streams. */
export class WorkerEvents {
  /** Replies dropped because their incarnation had been replaced. */
  staleReplies = 0;
  /** Per worker, the events waiting behind a pull, as the promise of the last one taken in. */
  private readonly waiting = new Map<WorkerLink, Promise<void>>();

  constructor(private readonly host: WorkerEventsHost) {}

  /**
   * Open worker `l`'s watch stream and take in its events until it breaks; under HA after
   * `afterSeq` (its events up to there held already).
   */
  watch(l: WorkerLink, afterSeq?: number): void {
    const stream = l.client.watch(afterSeq === undefined ? {} : { afterSeq }, this.host.metadata);
    l.watch = stream;
    stream.on("data", (e: WorkerEvent) => {
      // What the worker's shelf holds is known as the reply arrives, not once it is taken in.
      if (e.reply?.checkpointRef !== undefined) this.host.intake?.named(e.reply.checkpointRef);
      this.inOrder(l, () => this.onEvent(e, l));
    });
    stream.on("error", (err: ServiceError) => {
      if (l.watch !== stream) return; // replaced by a newer stream of this leader's
      this.inOrder(l, () => {
        if (err.code === status.FAILED_PRECONDITION && /fenced/.test(err.details ?? ""))
          this.host.deposed(`worker ${l.vm.address}: ${err.details}`);
        else this.host.lost(l);
      });
    });
    stream.on("end", () => {
      if (l.watch === stream) this.inOrder(l, () => this.host.lost(l));
    });
  }

  /** Run `f` for an event of worker `l` now, or after the events of `l` still waiting (for a pull). */
  private inOrder(l: WorkerLink, f: () => Promise<void> | undefined | void): void {
    const before = this.waiting.get(l);
    const next = before === undefined ? f() : before.then(f);
    if (next === undefined) return;
    const tracked: Promise<void> = next.finally(() => {
      if (this.waiting.get(l) === tracked) this.waiting.delete(l);
    });
    this.waiting.set(l, tracked);
  }

  /** Take in event `e` of worker `l`; a promise when its reply waits for a pull. */
  private onEvent(e: WorkerEvent, l: WorkerLink): Promise<void> | undefined {
    if (e.seq !== 0) {
      if (e.seq <= l.eventSeq) return undefined; // taken already
      l.eventSeq = e.seq;
    }
    const failure = e.reply === undefined ? null : taskFailureOf(e.reply);
    if (failure !== null) {
      this.host.abort(new Error(`worker ${l.vm.address}: ${failure}`));
      return undefined;
    }
    const guarded = (take: () => Promise<void> | undefined) => {
      try {
        return take()?.catch((err: unknown) => this.failedToTake(err, l));
      } catch (err) {
        this.failedToTake(err, l);
        return undefined;
      }
    };
    return guarded(() => {
      const waits =
        e.reply !== undefined && (e.seq === 0 || e.seq > l.repliesThrough)
          ? this.takeReply(e.reply, e.incarnation, l, e.seq)
          : undefined;
      const output = e.output;
      if (output === undefined || !(e.seq === 0 || e.seq > l.outputsThrough)) return waits;
      if (waits === undefined) {
        this.host.output(output, l, e.seq);
        return undefined;
      }
      return waits.then(() => this.host.output(output, l, e.seq));
    });
  }

  private failedToTake(err: unknown, l: WorkerLink): void {
    const why = err instanceof Error ? err.message : String(err);
    this.host.abort(
      new Error(`an event from worker ${l.vm.address} could not be taken in: ${why}`, { cause: err }),
    );
  }

  /** Take in a reply; a promise when it waits for its checkpoint to be pulled. */
  private takeReply(
    r: ControlReplyMessage,
    incarnation: number,
    l: WorkerLink,
    seq: number,
  ): Promise<void> | undefined {
    const sender = r.type === "backedUp" || r.type === "backupMissing" ? r.holder : r.instance;
    if (incarnation !== 0 && incarnation !== this.host.directory.incarnationOf(sender)) {
      this.staleReplies++; // from an incarnation replaced since: lost with it
      return undefined;
    }
    const reply = fromReplyMessage(r, this.host.codecOf);
    const pulled = this.host.intake?.before(reply);
    if (pulled === undefined) {
      this.deliver(reply, l, seq);
      return undefined;
    }
    return pulled.then((go) => {
      // Its incarnation may have been replaced while its checkpoint was pulled: lost with it.
      if (go && (incarnation === 0 || incarnation === this.host.directory.incarnationOf(sender)))
        this.deliver(reply, l, seq);
    });
  }

  private deliver(reply: ControlReply, l: WorkerLink, seq: number): void {
    this.host.reply(reply, l, seq);
    this.host.intake?.after(reply);
  }
}
