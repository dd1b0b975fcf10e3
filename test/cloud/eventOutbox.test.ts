// The outbox of a worker under HA: events numbered from 1, kept encoded until acknowledged,
// re-sent in order after any seq still kept; asking for what it cannot have is one line.

import { describe, expect, it } from "vitest";
import { EventOutbox, OutboxRangeError } from "../../cloud/eventOutbox.js";
import { WorkerEvent } from "../../cloud/gen/seep/v1/seep.js";

/** A sink output event of `n` bytes of batch. */
function output(n: number): WorkerEvent {
  return WorkerEvent.fromPartial({
    output: { instance: 5, sink: "sink", batch: Buffer.alloc(n, 7) },
  });
}

/** An outbox holding events of 10, 20, ... 10n batch bytes. */
function filled(n: number): EventOutbox {
  const box = new EventOutbox();
  for (let i = 1; i <= n; i++) box.add(output(10 * i));
  return box;
}

const seqs = (encoded: readonly Buffer[]) => encoded.map((b) => WorkerEvent.decode(b).seq);

describe("EventOutbox", () => {
  it("numbers events from 1 and returns each encoded with its seq", () => {
    const box = new EventOutbox();
    const e = output(3);
    const first = box.add(e);
    expect(e.seq).toBe(1);
    expect(WorkerEvent.decode(first)).toEqual({ ...e, seq: 1 });
    box.add(output(3));
    expect(box.lastSeq).toBe(2);
  });

  it("re-sends every kept event after a seq, in order", () => {
    const box = filled(5);
    expect(seqs(box.after(0))).toEqual([1, 2, 3, 4, 5]);
    expect(seqs(box.after(3))).toEqual([4, 5]);
    expect(box.after(5)).toEqual([]);
  });

  it("counts the events kept and their encoded bytes, and drops those taken", () => {
    const box = filled(4);
    const sizes = box.after(0).map((b) => b.length);
    expect(box.events).toBe(4);
    expect(box.bytes).toBe(sizes.reduce((a, b) => a + b, 0));
    box.take(3);
    expect(box.takenSeq).toBe(3);
    expect(box.events).toBe(1);
    expect(box.bytes).toBe(sizes[3]);
    expect(seqs(box.after(3))).toEqual([4]);
    box.take(2); // an older acknowledgement, crossed by the newer: no news
    expect(box.events).toBe(1);
    box.take(4);
    expect([box.events, box.bytes]).toEqual([0, 0]);
  });

  it("keeps numbering and re-sending right past many acknowledgements (its storage compacts)", () => {
    const box = new EventOutbox();
    for (let i = 1; i <= 5000; i++) {
      box.add(output(1));
      if (i % 7 === 0) box.take(i - 3);
    }
    expect(box.takenSeq).toBe(4995); // the last take, at 4998
    expect(box.events).toBe(5);
    expect(seqs(box.after(4995))).toEqual([4996, 4997, 4998, 4999, 5000]);
    expect(seqs(box.after(4997))).toEqual([4998, 4999, 5000]);
  });

  it("refuses, in one line, a resumption past the last event or below the events taken", () => {
    const box = filled(5);
    box.take(2);
    expect(() => box.after(6)).toThrow(OutboxRangeError);
    expect(() => box.after(6)).toThrow("after_seq 6 is past the last event sent, 5");
    expect(() => box.after(1)).toThrow(
      "after_seq 1 is below the events taken already (up to 2): they are no longer kept",
    );
    expect(() => box.take(6)).toThrow("events_taken 6 is past the last event sent, 5");
  });
});
