// The coordinator's control messages to instances on a real run: each goes as a Send call
// to the worker hosting the instance now (the directory says which), tagged with the
// instance's live incarnation, on the worker's control connection, or on its bulk one when
// it carries a checkpoint. A message to an instance whose worker is gone is lost with it,
// and nothing is sent once the run is stopping.
//
// One ordering is kept beyond the wire's: a `start` waits until the reroutes sent before it
// have reached their workers (are queued in their instances' inboxes), and later messages
// to its instance wait behind it. A restored instance asks its upstreams for replays as it
// starts; after a scale out, the engine sends the parts' starts and then, in the same turn,
// the upstreams' reroutes, and a replay that overtook its upstream's reroute (it can, on
// real workers: another connection, another hop) would re-send, under the old routing,
// tuples whose keys the restored part no longer owns.
//
// A backup or restore whose checkpoint is on its worker's shelf names it while that worker
// lives and holds it (the receiver fetches it from there: remoteCheckpoint.ts), and carries
// the bytes the coordinator pulled otherwise.

import type { Metadata } from "@grpc/grpc-js";
import type { Checkpoint, ControlMessage } from "../engine/index.js";
import { carriedCheckpoint, controlDeadlineMs, wireCodecOf } from "./controlForwarder.js";
import { type CodecOf, toControlRequest, type ViaReference } from "./controlWire.js";
import type { InstanceDirectory } from "./instanceDirectory.js";
import type { WorkerLink } from "./workerLink.js";

/** What control calls need of the run. */
export interface ControlCallsHost {
  readonly directory: InstanceDirectory;
  readonly metadata: Metadata;
  /** The state codec of an operator, for the checkpoints messages carry. */
  readonly codecOf: CodecOf;
  /** The run's workers, by index. */
  links(): readonly WorkerLink[];
  /** True once the run is stopping: its channels are closing. */
  stopping(): boolean;
  /** Under HA: messages carry the engine's numbers (control_seq), which workers apply once. */
  readonly numbered: boolean;
  /** A checkpoint on its worker's shelf whose bytes are here too goes by reference (its worker lives, its shelf holds it), else as bytes. */
  readonly viaReference: ViaReference;
  /** A backup to `holder` went out (its checkpoint by reference or not). */
  backupSent?(holder: number, checkpoint: Checkpoint): void;
}

/** Sends the coordinator's control messages to the instances' live incarnations. */
export class ControlCalls {
  /** Reroutes sent and not yet answered by their workers. */
  private readonly reroutesInFlight = new Set<Promise<void>>();
  /** Instances whose `start` waits for those reroutes, with the messages held for them in order. */
  private readonly held = new Map<number, [ControlMessage, number, number | undefined][]>();

  constructor(private readonly host: ControlCallsHost) {}

  /**
   * Send `message` to instance `id`'s live incarnation, wherever it runs (a `start` after the
   * reroutes in flight); `seq`, the engine's number of the message for `id` (under HA: a
   * worker applies each number once, so that a new leader may send it again).
   */
  send(id: number, message: ControlMessage, seq?: number): void {
    const incarnation = this.host.directory.incarnationOf(id);
    const queue = this.held.get(id);
    if (queue !== undefined) {
      queue.push([message, incarnation, seq]);
      return;
    }
    if (message.type !== "start") {
      this.transmit(id, message, incarnation, seq);
      return;
    }
    const held: [ControlMessage, number, number | undefined][] = [[message, incarnation, seq]];
    this.held.set(id, held);
    queueMicrotask(() => {
      void Promise.all(this.reroutesInFlight).then(() => {
        this.held.delete(id);
        for (const [m, n, q] of held) this.transmit(id, m, n, q);
      });
    });
  }

  /** Send `message` to incarnation `incarnation` of instance `id` now. */
  private transmit(id: number, message: ControlMessage, incarnation: number, seq: number | undefined): void {
    if (this.host.stopping()) return; // its channels are closing: nothing is sent any more
    const w = this.host.directory.workerOf(id);
    if (w === undefined) return;
    const l = this.host.links()[w];
    if (!l.alive) return; // lost with its worker
    const req = {
      ...toControlRequest(id, message, wireCodecOf(message, this.host.codecOf), this.host.viaReference),
      incarnation,
      ...(this.host.numbered && seq !== undefined ? { controlSeq: seq } : {}),
    };
    const client =
      carriedCheckpoint(message) === undefined || req.checkpoint.length === 0 ? l.client : l.bulk;
    if (message.type === "backup") this.host.backupSent?.(id, message.checkpoint);
    const deadline = Date.now() + controlDeadlineMs(message);
    if (message.type !== "reroute") {
      client.send(req, this.host.metadata, { deadline }, () => {});
      return;
    }
    // Answered once the worker has queued it (or failed: its worker is gone).
    const done = new Promise<void>((resolve) =>
      client.send(req, this.host.metadata, { deadline }, () => resolve()),
    );
    this.reroutesInFlight.add(done);
    void done.then(() => this.reroutesInFlight.delete(done));
  }
}
