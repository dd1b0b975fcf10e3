// Benchmark: the output state snapshot a leader coordinator takes now and then under
// failover (engine/metrics/outputState.ts), on a state of 100,000 (sink, key) streams (two
// sinks, five records a stream), 120 sink channels in the ledger and the metrics of a
// 600-s run on 8 VMs with 20,000 deliveries. Baseline: the output digest's own final value
// over the same state, the other O(state) pass a run makes over it.

import { Batch } from "../engine/batch.js";
import { Metrics } from "../engine/metrics/metrics.js";
import { OutputDigest } from "../engine/metrics/outputDigest.js";
import { OutputState } from "../engine/metrics/outputState.js";
import { SinkLedger } from "../engine/sinkLedger.js";
import { nowMs } from "../measure/clock.js";
import { medianOf } from "../measure/statistics.js";
import type { BenchResult } from "./benchResult.js";

/** An output state of `streams` (sink, key) streams, as a long run's coordinator holds it. */
function bigState(streams: number): OutputState {
  const digest = new OutputDigest();
  for (let round = 0; round < 5; round++) {
    for (let i = 0; i < streams; i++) {
      digest.add(i % 2 === 0 ? "counts" : "alerts", i >> 1, round * 1000 + i, { word: i, n: round });
    }
  }
  const ledger = new SinkLedger();
  const seqs = Float64Array.of(1, 2, 3);
  for (let c = 0; c < 120; c++) ledger.admit(c % 4, c % 3, c, new Batch(3, seqs, seqs, seqs, [], null, 0));
  const metrics = new Metrics();
  let deliveries = 0;
  for (let s = 1; s <= 600; s++) {
    metrics.addTuplesIn(1000, s * 1000 - 1);
    for (let j = 0; j < 200; j++) metrics.addLatency(5 + ((s * j) % 97), 5);
    for (; deliveries < (s * 20_000) / 600; deliveries++)
      metrics.addDelivery(deliveries * 30, deliveries % 50);
    metrics.addTuplesOut(1000);
    const cpuByVm = new Map(Array.from({ length: 8 }, (_, vm) => [vm, ((vm + s) % 10) / 10]));
    metrics.closeInterval(s * 1000, { queueLength: s % 7, vmsInUse: 8, cpuByVm });
  }
  return new OutputState(digest, ledger, metrics);
}

function timedMs(fn: () => void): number {
  const t0 = nowMs();
  fn();
  return nowMs() - t0;
}

/** Run the output state benchmark. */
export function benchOutputState(quick: boolean): BenchResult[] {
  const streams = quick ? 20_000 : 100_000;
  const state = bigState(streams);
  const bytes = state.snapshot();
  const digestBytes = state.digest.snapshot();
  if (OutputState.restore(bytes).digest.digest() !== state.digest.digest()) {
    throw new Error("a restored output state has another digest");
  }
  const runs = quick ? 3 : 7;
  const digestMs = medianOf(runs, () => timedMs(() => state.digest.digest()));
  const baseline = { name: "the digest's final value over the same state", value: digestMs, unit: "ms" };
  return [
    { name: `output state snapshot, ${streams} (sink, key) streams`, value: bytes.length / 1e6, unit: "MB" },
    { name: "of which the output digest", value: digestBytes.length / 1e6, unit: "MB" },
    { name: "snapshot", value: medianOf(runs, () => timedMs(() => state.snapshot())), unit: "ms", baseline },
    {
      name: "restore",
      value: medianOf(runs, () => timedMs(() => OutputState.restore(bytes))),
      unit: "ms",
      baseline,
    },
  ];
}
