// Benchmark: packing batches into bytes and back, column by column (engine/batchCodec),
// for numeric tuples. Baseline: the same tuples as one JSON object each, the per-tuple
// encoding the columnar layout avoids.

import { type Batch, BatchBuilder } from "../engine/batch.js";
import { decodeBatch, encodeBatch } from "../engine/batchCodec.js";
import { nowMs } from "../measure/clock.js";
import { keyStream } from "../measure/keyStream.js";
import { medianOf } from "../measure/statistics.js";
import type { BenchResult } from "./benchResult.js";

function batches(count: number, size: number): Batch[] {
  const keys = keyStream(count * size, 1 << 20, 7);
  const out: Batch[] = [];
  const row = new Float64Array(2);
  for (let b = 0; b < count; b++) {
    const builder = new BatchBuilder(2, size);
    for (let i = 0; i < size; i++) {
      const j = b * size + i;
      row[0] = j * 0.5;
      row[1] = j % 100;
      builder.push(keys[j], j, j + 1, undefined, row);
    }
    out.push(builder.build(b * size));
  }
  return out;
}

function columnar(all: readonly Batch[]): number {
  const t0 = nowMs();
  let n = 0;
  for (const b of all) n += decodeBatch(encodeBatch(b)).length;
  return (n / (nowMs() - t0)) * 1000;
}

function perTupleJson(all: readonly Batch[]): number {
  const t0 = nowMs();
  let n = 0;
  for (const b of all) {
    const rows = [];
    for (let i = 0; i < b.length; i++) {
      rows.push({ k: b.keys[i], t: b.eventTimesMs[i], s: b.seqs[i], a: b.fields[0][i], c: b.fields[1][i] });
    }
    n += (JSON.parse(JSON.stringify(rows)) as unknown[]).length;
  }
  return (n / (nowMs() - t0)) * 1000;
}

/** Run the batch codec benchmark. */
export function benchBatchCodec(quick: boolean): BenchResult[] {
  const all = batches(quick ? 500 : 2000, 1024);
  columnar(all.slice(0, 50));
  perTupleJson(all.slice(0, 50));
  const runs = quick ? 3 : 5;
  return [
    {
      name: "batch encode + decode, columns as bytes, 1024 tuples x 2 numeric fields",
      value: medianOf(runs, () => columnar(all)),
      unit: "tuples/s",
      baseline: {
        name: "one JSON object per tuple",
        value: medianOf(runs, () => perTupleJson(all)),
        unit: "tuples/s",
      },
    },
  ];
}
