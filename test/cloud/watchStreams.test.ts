// The worker's watch streams, on stand-in streams: without HA every open stream gets each
// event as is; with HA events are numbered, kept, re-sent after a seq, and a new stream
// replaces the open one; the fence ends only streams opened under an older epoch. The
// Watch method's serializer passes encoded events through. On a live worker:
// workerFailover.test.ts.

import { EventEmitter } from "node:events";
import { status } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { EpochFence } from "../../cloud/epochFence.js";
import { OutboxRangeError } from "../../cloud/eventOutbox.js";
import { ControlService, WorkerEvent } from "../../cloud/gen/seep/v1/seep.js";
import { type WatchCall, WatchStreams, withEncodedEvents } from "../../cloud/watchStreams.js";

/** A stand-in server stream: what was written, and the error it was ended with. */
class FakeCall extends EventEmitter {
  readonly written: (WorkerEvent | Buffer)[] = [];
  endedWith: { code: number; details: string } | null = null;
  constructor() {
    super();
    this.on("error", (e: { code: number; details: string }) => {
      this.endedWith = e;
    });
  }
  write(x: WorkerEvent | Buffer): boolean {
    this.written.push(x);
    return true;
  }
  end(): void {}
  /** Seqs of the events written (encoded ones decoded). */
  get seqs(): number[] {
    return this.written.map((x) => (Buffer.isBuffer(x) ? WorkerEvent.decode(x).seq : x.seq));
  }
}

const call = () => new FakeCall();
const asCall = (c: FakeCall) => c as unknown as WatchCall;
const event = (instance: number) => WorkerEvent.fromPartial({ reply: { type: "ended", instance } });

describe("WatchStreams without HA", () => {
  it("writes each event as is to every open stream, numbers and keeps nothing", () => {
    const w = new WatchStreams();
    const [a, b] = [call(), call()];
    w.add(asCall(a), 0, 0);
    w.add(asCall(b), 0, 0);
    w.emit(event(1));
    expect(a.written).toEqual([event(1)]);
    expect(b.written).toEqual([event(1)]);
    expect([w.kept, w.lastSeq, w.keeping]).toEqual([{ events: 0, bytes: 0 }, 0, false]);
    expect(a.endedWith).toBeNull();
  });

  it("refuses a resumption after a seq, or an acknowledgement, in one line: it keeps no events", () => {
    const w = new WatchStreams();
    expect(() => w.add(asCall(call()), 0, 3)).toThrow(OutboxRangeError);
    expect(() => w.add(asCall(call()), 0, 3)).toThrow(
      "after_seq 3: this worker keeps no events (not deployed with ha)",
    );
    expect(() => w.take(2)).toThrow("events_taken 2: this worker keeps no events");
    w.take(0);
  });
});

describe("WatchStreams with HA", () => {
  it("numbers and keeps events while no stream is open, and a new stream gets them after its seq, then live ones", () => {
    const w = new WatchStreams();
    w.keepEvents();
    for (let i = 0; i < 4; i++) w.emit(event(i));
    const a = call();
    w.add(asCall(a), 1, 1);
    w.emit(event(9));
    expect(a.seqs).toEqual([2, 3, 4, 5]);
    expect(a.written.every((x) => Buffer.isBuffer(x))).toBe(true);
    expect(w.kept.events).toBe(5);
    w.take(4);
    expect(w.kept.events).toBe(1);
    expect(w.takenSeq).toBe(4);
  });

  it("has a new stream replace the open one, which ends ABORTED", () => {
    const w = new WatchStreams();
    w.keepEvents();
    const [a, b] = [call(), call()];
    w.add(asCall(a), 1, 0);
    w.emit(event(1));
    w.add(asCall(b), 1, 1);
    w.emit(event(2));
    expect(a.endedWith).toEqual({ code: status.ABORTED, details: "replaced by a newer watch stream" });
    expect(a.seqs).toEqual([1]);
    expect(b.seqs).toEqual([2]);
  });
});

describe("WatchStreams and the fence", () => {
  it("ends the streams opened under an epoch older than the fence's, in its words, and only those", () => {
    const w = new WatchStreams();
    const [old, current] = [call(), call()];
    w.add(asCall(old), 2, 0);
    w.add(asCall(current), 3, 0);
    const fence = new EpochFence();
    fence.admit(3);
    w.fenceOff(fence);
    expect(old.endedWith).toEqual({
      code: status.FAILED_PRECONDITION,
      details: "fenced: epoch 2 is older than 3",
    });
    expect(current.endedWith).toBeNull();
    w.emit(event(1));
    expect(old.written).toEqual([]);
    expect(current.written).toEqual([event(1)]);
  });
});

describe("withEncodedEvents", () => {
  it("passes an encoded event through the Watch serializer and encodes any other as before", () => {
    const serialize = withEncodedEvents(ControlService).watch.responseSerialize as (
      v: WorkerEvent | Buffer,
    ) => Buffer;
    const bytes = Buffer.from([1, 2, 3]);
    expect(serialize(bytes)).toBe(bytes);
    expect(serialize(event(4))).toEqual(ControlService.watch.responseSerialize(event(4)));
    expect(withEncodedEvents(ControlService).send).toBe(ControlService.send);
  });
});
