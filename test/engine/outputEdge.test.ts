// An output edge hands a transport that copies batches out (Transport.copiesBatches)
// batches that view its builders' columns, when it keeps nothing it sent; otherwise, and
// to any other transport, batches of their own. Either way the tuples sent are the same.

import { describe, expect, it } from "vitest";
import { type Batch, KeyGroupRange } from "../../engine/index.js";
import { OutputEdge } from "../../engine/outputEdge.js";
import type { Transport } from "../../engine/runtime.js";

/** A transport that records what it is sent, as copies, and the batches themselves. */
function recorder(copiesBatches: boolean) {
  const sent: Batch[] = [];
  const keys: number[][] = [];
  const transport: Transport = {
    copiesBatches,
    sendBatch: (_s, _r, _e, batch) => {
      sent.push(batch);
      keys.push([...batch.keys]);
    },
    sendControl: () => {},
  };
  return { transport, sent, keys };
}

/**
 * An edge of instance 1 to instance 2 (key routing, one receiver), keeping sent batches or
 * not; or to instances 2 and 3 when `split`, each with half of the 8 key groups.
 */
function edge(keepSent: boolean, split = false): OutputEdge {
  const routing = {
    contract: "key" as const,
    receivers: split ? [2, 3] : [2],
    ranges: split ? [KeyGroupRange.of(0, 3), KeyGroupRange.of(4, 7)] : [KeyGroupRange.of(0, 7)],
    maxKeyGroups: 8,
    senderIndex: 0,
    next: 0,
  };
  return new OutputEdge(0, 0, 1, 1, { edge: 0, routing, seq: 0, sentTo: [] }, [], keepSent);
}

/** Emit `n` tuples keyed from `from` on `e` and flush them. */
function emit(e: OutputEdge, transport: Transport, from: number, n: number): void {
  for (let k = from; k < from + n; k++) e.push(k, 0, undefined, [k]);
  e.flush(transport, 0, false);
}

describe("OutputEdge.flush", () => {
  it("hands a copying transport views of its builder when it keeps nothing sent", () => {
    const { transport, sent, keys } = recorder(true);
    const e = edge(false);
    emit(e, transport, 0, 3);
    emit(e, transport, 10, 3);
    expect(keys).toEqual([
      [0, 1, 2],
      [10, 11, 12],
    ]);
    // Both views of the same columns: the first now shows the second's tuples.
    expect(sent[0].keys.buffer).toBe(sent[1].keys.buffer);
    expect([...sent[0].keys]).toEqual([10, 11, 12]);
    expect([sent[0].prevSeq, sent[1].prevSeq]).toEqual([0, 3]);
  });

  it("hands batches of their own when it keeps what it sent, or to a transport that keeps batches", () => {
    for (const [copies, keep] of [
      [true, true],
      [false, false],
    ]) {
      const { transport, sent } = recorder(copies);
      const e = edge(keep);
      emit(e, transport, 0, 3);
      emit(e, transport, 10, 3);
      expect([...sent[0].keys]).toEqual([0, 1, 2]);
      expect(sent[0].keys.buffer).not.toBe(sent[1].keys.buffer);
    }
  });
});

/** What `e` sends for `n` tuples pushed as columns, or one by one. */
function sentFor(e: OutputEdge, n: number, columns: boolean): unknown[] {
  const { transport, sent } = recorder(false);
  const keys = Float64Array.from({ length: n }, (_, i) => i * 7);
  const times = Float64Array.from({ length: n }, (_, i) => i >> 3);
  const fields = [Float64Array.from(keys, (k) => k + 1), Float64Array.from(keys, (k) => -k)];
  if (columns) e.pushColumns(n, keys, times, fields);
  else for (let i = 0; i < n; i++) e.push(keys[i], times[i], undefined, [fields[0][i], fields[1][i]]);
  e.flush(transport, 9, false);
  return sent.map((b) => [
    [b.seqs, b.keys, b.eventTimesMs, ...b.fields].map((c) => [...c]),
    b.values,
    b.prevSeq,
  ]);
}

describe("OutputEdge.pushColumns", () => {
  it("sends what push sends tuple by tuple, to one receiver or split by key over two", () => {
    for (const make of [() => edge(true), () => edge(true, true)]) {
      const one = sentFor(make(), 100, false);
      expect(one.length).toBeGreaterThan(0);
      expect(sentFor(make(), 100, true)).toEqual(one);
    }
  });
});
