// Benchmark: the Linear Road generator (workloads/linearRoad/generator), L = 1, records/s
// generating rows only and generating plus formatting them as CSV bytes into a
// discarded buffer (no disk), and the wall time of a full 3-hour run (measured, or extrapolated
// from 30 minutes of the busy part with --quick). Baseline: a bare loop filling the same
// Float64Array with a counter.

import { nowMs } from "../measure/clock.js";
import { LrGenerator } from "../workloads/linearRoad/generator.js";
import { RECORD_CSV_BYTES_MAX, writeRecordCsv } from "../workloads/linearRoad/recordCsv.js";
import type { BenchResult } from "./benchResult.js";

/** Records of a full L = 1, 3-hour run, for the bare-loop baseline. */
const BASELINE_RECORDS = 20_000_000;

function generateOnly(durationS: number): { records: number; seconds: number } {
  const gen = new LrGenerator({ seed: 1, xways: 1, durationS });
  const row = new Float64Array(15);
  const t0 = nowMs();
  let n = 0;
  while (gen.next(row)) n++;
  return { records: n, seconds: (nowMs() - t0) / 1000 };
}

function generateCsv(durationS: number): { records: number; seconds: number } {
  const gen = new LrGenerator({ seed: 1, xways: 1, durationS });
  const row = new Float64Array(15);
  const t0 = nowMs();
  const buf = new Uint8Array(1 << 22);
  const flushAt = buf.length - RECORD_CSV_BYTES_MAX;
  let n = 0;
  let at = 0;
  let bytes = 0;
  while (gen.next(row)) {
    at = writeRecordCsv(row, buf, at);
    if (at >= flushAt) {
      bytes += at;
      at = 0;
    }
    n++;
  }
  bytes += at;
  if (bytes === 0 && n > 0) throw new Error("formatted nothing");
  return { records: n, seconds: (nowMs() - t0) / 1000 };
}

function bareLoop(records: number): number {
  const row = new Float64Array(15);
  const t0 = nowMs();
  let sum = 0;
  for (let i = 0; i < records; i++) {
    for (let f = 0; f < 15; f++) row[f] = i + f;
    sum += row[i % 15];
  }
  const seconds = (nowMs() - t0) / 1000;
  if (sum < 0) throw new Error("unreachable");
  return records / seconds;
}

/** Run the Linear Road generator benchmark. */
export function benchLrbGenerate(quick: boolean): BenchResult[] {
  const durationS = quick ? 1800 : 10_800;
  const gen = generateOnly(durationS);
  const csv = generateCsv(durationS);
  const baseline = bareLoop(quick ? BASELINE_RECORDS / 10 : BASELINE_RECORDS);
  const baselineResult = {
    name: "bare loop filling the same row with a counter",
    value: baseline,
    unit: "tuples/s",
  };
  // The first 30 minutes are the ramp's lightest: extrapolate a full run at their rate per record
  // times the records of a full run, which the ramp fixes at about 21M for L = 1.
  const fullRecords = quick ? 21_000_000 : gen.records;
  const fullS = quick ? (gen.seconds / gen.records) * fullRecords : gen.seconds;
  const fullCsvS = quick ? (csv.seconds / csv.records) * fullRecords : csv.seconds;
  const how = quick ? "extrapolated from 30 min" : "measured";
  return [
    {
      name: `LR generator, L=1, ${durationS} s (${gen.records} records): rows only`,
      value: gen.records / gen.seconds,
      unit: "tuples/s",
      baseline: baselineResult,
    },
    {
      name: "LR generator, rows formatted to CSV into a discarded buffer",
      value: csv.records / csv.seconds,
      unit: "tuples/s",
      baseline: baselineResult,
    },
    { name: `LR generator, L=1 3 h run, rows only (${how})`, value: fullS, unit: "s", target: "< 30 s" },
    { name: `LR generator, L=1 3 h run, with CSV (${how})`, value: fullCsvS, unit: "s" },
  ];
}
