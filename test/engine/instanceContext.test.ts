// A port emitter takes tuples as columns (Emitter.emitColumns) as it takes them row by row:
// the same batches sent, the same count and event time, the same tuples sampled out or shed.

import { describe, expect, it } from "vitest";
import { type Batch, KeyGroupRange } from "../../engine/index.js";
import { PortEmitter } from "../../engine/instanceContext.js";
import { OutputEdge } from "../../engine/outputEdge.js";
import type { Transport } from "../../engine/runtime.js";

const TUPLES = 200;

/** What a port emitter over one key-routed edge sends and counts for TUPLES tuples, emitted as columns or as rows. */
function emitted(columns: boolean, sampleOneIn: number, shedRate: number) {
  const routing = {
    contract: "key" as const,
    receivers: [2],
    ranges: [KeyGroupRange.of(0, 7)],
    maxKeyGroups: 8,
    senderIndex: 0,
    next: 0,
  };
  const e = new OutputEdge(0, 0, 1, 2, { edge: 0, routing, seq: 0, sentTo: [] }, [], true);
  const port = new PortEmitter([e], sampleOneIn);
  port.shedRate = shedRate;
  const keys = Float64Array.from({ length: TUPLES }, (_, i) => i * 3);
  const times = Float64Array.from({ length: TUPLES }, (_, i) => 1000 - i);
  const fields = [Float64Array.from(keys, (k) => k + 0.5), Float64Array.from(keys, (k) => -k)];
  if (columns) port.emitColumns(TUPLES, keys, times, fields);
  else for (let i = 0; i < TUPLES; i++) port.emitRow(keys[i], times[i], [fields[0][i], fields[1][i]]);
  const sent: Batch[] = [];
  const transport: Transport = { sendBatch: (_s, _r, _e, b) => sent.push(b), sendControl: () => {} };
  e.flush(transport, 0, false);
  const batches = sent.map((b) => [b.seqs, b.keys, b.eventTimesMs, ...b.fields].map((c) => [...c]));
  return { batches, count: port.count, shed: port.shed, latestMs: port.maxEventTimeMs };
}

describe("PortEmitter.emitColumns", () => {
  it("sends, counts and dates what emitRow does tuple by tuple, sampled and shed alike", () => {
    for (const [sampleOneIn, shedRate] of [
      [1, 0],
      [3, 0],
      [1, 0.25],
    ]) {
      const rows = emitted(false, sampleOneIn, shedRate);
      expect(rows.count).toBe(TUPLES);
      expect(rows.latestMs).toBe(1000);
      expect(emitted(true, sampleOneIn, shedRate)).toEqual(rows);
    }
    // Sampling and shedding do drop tuples: the cases differ.
    expect(emitted(true, 3, 0).batches).not.toEqual(emitted(true, 1, 0).batches);
    expect(emitted(true, 1, 0.25).shed).toBe(TUPLES / 4);
  });
});
