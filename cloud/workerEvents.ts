// What the workers tell the coordinator of a real run, on a watch stream per worker: the
// instances' replies to the engine's control messages, and what the sinks let out. A reply
// names the incarnation that sent it (a holder's replies name the instance it holds for,
// under the holder's incarnation): one from an incarnation replaced since is dropped, as
// it was lost with it. An instance that failed a task (a bug, or a worker fed a malformed
// message) stops the run with what failed, and so does an event the coordinator cannot
// take in. A stream that breaks or ends is a dead worker, declared at once.

import type { Metadata } from "@grpc/grpc-js";
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
  /** A reply from an instance's live incarnation, decoded. */
  reply(reply: ControlReply): void;
  /** A batch a sink let out. */
  output(out: SinkOutput): void;
  /** Worker `l`'s stream broke: declare it dead. */
  lost(l: WorkerLink): void;
  /** Stop the run with this error. */
  abort(error: Error): void;
}

/** Takes in the events of the workers' watch streams. */
export class WorkerEvents {
  /** Replies dropped because their incarnation had been replaced. */
  staleReplies = 0;

  constructor(private readonly host: WorkerEventsHost) {}

  /** Open worker `l`'s watch stream and take in its events until it breaks. */
  watch(l: WorkerLink): void {
    const stream = l.client.watch({}, this.host.metadata);
    l.watch = stream;
    stream.on("data", (e: WorkerEvent) => {
      const failure = e.reply === undefined ? null : taskFailureOf(e.reply);
      if (failure !== null) {
        this.host.abort(new Error(`worker ${l.vm.address}: ${failure}`));
        return;
      }
      try {
        this.take(e);
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        this.host.abort(
          new Error(`an event from worker ${l.vm.address} could not be taken in: ${why}`, { cause: err }),
        );
      }
    });
    stream.on("error", () => this.host.lost(l));
    stream.on("end", () => this.host.lost(l));
  }

  private take(e: WorkerEvent): void {
    if (e.reply !== undefined) this.takeReply(e.reply, e.incarnation);
    if (e.output !== undefined) this.host.output(e.output);
  }

  private takeReply(r: ControlReplyMessage, incarnation: number): void {
    const sender = r.type === "backedUp" || r.type === "backupMissing" ? r.holder : r.instance;
    if (incarnation !== 0 && incarnation !== this.host.directory.incarnationOf(sender)) {
      this.staleReplies++; // from an incarnation replaced since: lost with it
      return;
    }
    this.host.reply(fromReplyMessage(r, this.host.codecOf));
  }
}
