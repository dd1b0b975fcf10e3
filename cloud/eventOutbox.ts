// The events a worker keeps for its coordinator under HA. A worker's events (engine replies,
// sink outputs) go to the coordinator on its watch stream, and a coordinator that dies takes
// with it those it had read and not yet made durable. Under HA every event is numbered (its
// `seq`, from 1 on each worker) and kept here until a coordinator says it holds it durably
// (HeartbeatRequest.events_taken): a new leader opens its watch stream after the last one it
// holds (WatchRequest.after_seq) and gets every later event, once and in order.
//
// Events are kept encoded, as they go on the wire: each is encoded once, whether it is sent
// live, re-sent to a new leader, or both, and the outbox's size in bytes is exact. Nothing
// bounds it but the coordinator's acknowledgements and the worker's lease: a run without a
// coordinator for the lease ends its workers (coordinatorLease.ts), and with them the outbox.

import { WorkerEvent } from "./gen/seep/v1/seep.js";

const NO_BYTES = Buffer.alloc(0);

/** A request about seqs this outbox cannot answer (past the last event, or dropped already). */
export class OutboxRangeError extends RangeError {
  override readonly name = "OutboxRangeError";
}

/** Numbered, encoded events kept until acknowledged. */
export class EventOutbox {
  private last = 0;
  private takenUpTo = 0;
  /** Kept events in seq order: kept[i] has seq takenUpTo + 1 + i - head. */
  private readonly kept: Buffer[] = [];
  private head = 0;
  private keptBytes = 0;

  /** The seq of the last event numbered (0: none yet). */
  get lastSeq(): number {
    return this.last;
  }

  /** The highest seq acknowledged: every event up to it is dropped. */
  get takenSeq(): number {
    return this.takenUpTo;
  }

  /** Events kept now. */
  get events(): number {
    return this.kept.length - this.head;
  }

  /** Their encoded size, in bytes. */
  get bytes(): number {
    return this.keptBytes;
  }

  /** Number `event` (its seq is set), keep it, and return it encoded. */
  add(event: WorkerEvent): Buffer {
    event.seq = ++this.last;
    const bytes = Buffer.from(WorkerEvent.encode(event).finish());
    this.kept.push(bytes);
    this.keptBytes += bytes.length;
    return bytes;
  }

  /**
   * The kept events with a seq above `afterSeq`, encoded, in order. Throws OutboxRangeError
   * when `afterSeq` is past the last event, or below the acknowledged ones (dropped: the
   * asker said it held them).
   */
  after(afterSeq: number): Buffer[] {
    if (afterSeq > this.last)
      throw new OutboxRangeError(`after_seq ${afterSeq} is past the last event sent, ${this.last}`);
    if (afterSeq < this.takenUpTo)
      throw new OutboxRangeError(
        `after_seq ${afterSeq} is below the events taken already (up to ${this.takenUpTo}): ` +
          `they are no longer kept`,
      );
    return this.kept.slice(this.head + (afterSeq - this.takenUpTo));
  }

  /**
   * A coordinator holds every event up to `seq` durably: drop them. A lower `seq` than one
   * taken before is no news (acknowledgements may cross); one past the last event is an
   * OutboxRangeError.
   */
  take(seq: number): void {
    if (seq > this.last)
      throw new OutboxRangeError(`events_taken ${seq} is past the last event sent, ${this.last}`);
    while (this.takenUpTo < seq) {
      this.keptBytes -= this.kept[this.head].length;
      this.kept[this.head++] = NO_BYTES; // let it go now, not at the next compaction
      this.takenUpTo++;
    }
    if (this.head > 1024 && this.head * 2 > this.kept.length) {
      this.kept.splice(0, this.head);
      this.head = 0;
    }
  }
}
