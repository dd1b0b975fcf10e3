// A worker's watch streams: how its events (engine replies, sink outputs) reach its
// coordinator. Without HA, as ever: each event goes to every open stream as it happens, and
// one produced while none is open is lost (the coordinator takes a broken stream for a dead
// worker anyway). With HA (the run was deployed with `ha`), every event is numbered and kept
// in the outbox (eventOutbox.ts) until a coordinator acknowledges it, and a stream is
// resumable: a new one first re-sends the kept events after its `after_seq`, then goes on
// live, and it replaces the stream open, which ends (ABORTED). A stream breaking is then no
// reason to do anything: the worker keeps processing, its events kept for whoever leads next.
// A stream opened under a fencing epoch older than one seen since ends (FAILED_PRECONDITION,
// as the fence words it: epochFence.ts), so that a replaced leader stops hearing the run.
//
// Kept events are encoded once; the Watch method's serializer passes encoded bytes through
// (`withEncodedEvents`), so a stream writes an event and its re-sending as the same bytes.

import { type ServerWritableStream, status } from "@grpc/grpc-js";
import type { EpochFence } from "./epochFence.js";
import { EventOutbox, OutboxRangeError } from "./eventOutbox.js";
import type { WatchRequest, WorkerEvent } from "./gen/seep/v1/seep.js";

/** A worker's side of one watch stream: it writes events, or events encoded already. */
export type WatchCall = ServerWritableStream<WatchRequest, WorkerEvent | Buffer>;

/**
 * `service` with a Watch method whose response serializer passes a Buffer (an event encoded
 * already, from the outbox) through as is, and encodes anything else as before.
 */
export function withEncodedEvents<S extends { watch: { responseSerialize: (value: WorkerEvent) => Buffer } }>(
  service: S,
): S {
  const encode = service.watch.responseSerialize;
  const responseSerialize = (value: WorkerEvent | Buffer): Buffer =>
    Buffer.isBuffer(value) ? value : encode(value);
  return { ...service, watch: { ...service.watch, responseSerialize } };
}

/** The open watch streams, each with the epoch it was opened under, and the outbox under HA. */
export class WatchStreams {
  private readonly open = new Map<WatchCall, number>();
  private outbox: EventOutbox | null = null;

  /** Number and keep every event from now on (a run deployed with HA). */
  keepEvents(): void {
    this.outbox ??= new EventOutbox();
  }

  /** True once events are kept (HA). */
  get keeping(): boolean {
    return this.outbox !== null;
  }

  /** Events kept and their encoded bytes (0 and 0 without HA). */
  get kept(): { readonly events: number; readonly bytes: number } {
    return { events: this.outbox?.events ?? 0, bytes: this.outbox?.bytes ?? 0 };
  }

  /** The seq of the last event numbered (0: none, or no HA). */
  get lastSeq(): number {
    return this.outbox?.lastSeq ?? 0;
  }

  /** The highest seq acknowledged (0: none, or no HA). */
  get takenSeq(): number {
    return this.outbox?.takenSeq ?? 0;
  }

  /**
   * Serve `call`, opened under `epoch`, from the kept event after `afterSeq` on; under HA it
   * replaces the streams open. Throws OutboxRangeError when `afterSeq` asks for events this
   * worker does not keep (none without HA).
   */
  add(call: WatchCall, epoch: number, afterSeq: number): void {
    if (this.outbox === null && afterSeq > 0)
      throw new OutboxRangeError(`after_seq ${afterSeq}: this worker keeps no events (not deployed with ha)`);
    const backlog = this.outbox?.after(afterSeq) ?? [];
    if (this.outbox !== null)
      for (const c of this.open.keys()) this.end(c, status.ABORTED, "replaced by a newer watch stream");
    for (const bytes of backlog) call.write(bytes);
    this.open.set(call, epoch);
    const gone = () => this.open.delete(call);
    call.on("cancelled", gone);
    call.on("close", gone);
    call.on("error", gone);
  }

  /** Send `event` on the open streams (numbered and kept first, under HA). */
  emit(event: WorkerEvent): void {
    if (this.outbox === null) {
      for (const c of this.open.keys()) c.write(event);
      return;
    }
    const bytes = this.outbox.add(event);
    for (const c of this.open.keys()) c.write(bytes);
  }

  /** A coordinator holds every event up to `seq`: drop them (an OutboxRangeError past the last). */
  take(seq: number): void {
    if (this.outbox !== null) this.outbox.take(seq);
    else if (seq > 0) throw new OutboxRangeError(`events_taken ${seq}: this worker keeps no events`);
  }

  /** End the streams opened under an epoch older than `fence`'s highest. */
  fenceOff(fence: EpochFence): void {
    for (const [c, epoch] of this.open)
      if (epoch < fence.highest) this.end(c, status.FAILED_PRECONDITION, fence.refusal(epoch));
  }

  /** End every stream (the worker stops). */
  closeAll(): void {
    for (const c of this.open.keys()) c.end();
    this.open.clear();
  }

  private end(call: WatchCall, code: status, details: string): void {
    this.open.delete(call);
    call.emit("error", { code, details });
  }
}
