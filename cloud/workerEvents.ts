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

import { type Metadata, type ServiceError, status } from "@grpc/grpc-js";
import type { ControlReply } from "../engine/index.js";
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
}

/** Takes in the events of the workers' watch streams. */
export class WorkerEvents {
  /** Replies dropped because their incarnation had been replaced. */
  staleReplies = 0;

  constructor(private readonly host: WorkerEventsHost) {}

  /**
   * Open worker `l`'s watch stream and take in its events until it breaks; under HA after
   * `afterSeq` (its events up to there held already).
   */
  watch(l: WorkerLink, afterSeq?: number): void {
    const stream = l.client.watch(afterSeq === undefined ? {} : { afterSeq }, this.host.metadata);
    l.watch = stream;
    stream.on("data", (e: WorkerEvent) => {
      if (e.seq !== 0) {
        if (e.seq <= l.eventSeq) return; // taken already
        l.eventSeq = e.seq;
      }
      const failure = e.reply === undefined ? null : taskFailureOf(e.reply);
      if (failure !== null) {
        this.host.abort(new Error(`worker ${l.vm.address}: ${failure}`));
        return;
      }
      try {
        this.take(e, l);
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        this.host.abort(
          new Error(`an event from worker ${l.vm.address} could not be taken in: ${why}`, { cause: err }),
        );
      }
    });
    stream.on("error", (err: ServiceError) => {
      if (l.watch !== stream) return; // replaced by a newer stream of this leader's
      if (err.code === status.FAILED_PRECONDITION && /fenced/.test(err.details ?? ""))
        this.host.deposed(`worker ${l.vm.address}: ${err.details}`);
      else this.host.lost(l);
    });
    stream.on("end", () => {
      if (l.watch === stream) this.host.lost(l);
    });
  }

  private take(e: WorkerEvent, l: WorkerLink): void {
    if (e.reply !== undefined && (e.seq === 0 || e.seq > l.repliesThrough))
      this.takeReply(e.reply, e.incarnation, l, e.seq);
    if (e.output !== undefined && (e.seq === 0 || e.seq > l.outputsThrough))
      this.host.output(e.output, l, e.seq);
  }

  private takeReply(r: ControlReplyMessage, incarnation: number, l: WorkerLink, seq: number): void {
    const sender = r.type === "backedUp" || r.type === "backupMissing" ? r.holder : r.instance;
    if (incarnation !== 0 && incarnation !== this.host.directory.incarnationOf(sender)) {
      this.staleReplies++; // from an incarnation replaced since: lost with it
      return;
    }
    this.host.reply(fromReplyMessage(r, this.host.codecOf), l, seq);
  }
}
