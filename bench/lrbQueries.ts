// Benchmark: Linear Road's queries in the in-process runtime, on one core: records/s
// through cars, segments and accounts, for L=1 traffic generated on the fly (baseline:
// the generator alone, producing the same records, measured in the same run). Then the
// calibration of the simulator's Linear Road costs: an instrumented run over a window of
// steady-state traffic read from a file (as `seep lrb rate` reads it) measures the CPU
// time of each instance's tasks and counts the work units the cost model prices, and
// prints each operator's `tupleUs` next to the `lrb` preset's figure (sim/presets.ts), so
// that drift shows as a ratio away from 1. CPU time (process.cpuUsage, microseconds), not
// wall time, so that other processes on a busy machine do not inflate the figures.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InProcessRuntime, physicalPlan } from "../engine/index.js";
import { nowMs } from "../measure/clock.js";
import { instrumentedRun, type OperatorWork } from "../measure/instrumentedRun.js";
import { median, medianOf } from "../measure/statistics.js";
import { DEFAULT_COST_MODEL, PRESETS, parseExperiment } from "../sim/index.js";
import { generatedTolls, LrGenerator, LrReader, lrbPlan } from "../workloads/linearRoad/index.js";
import type { BenchResult } from "./benchResult.js";

function queriesRun(durationS: number): number {
  let answers = 0;
  const plan = lrbPlan({
    records: () => new LrGenerator({ seed: 1, xways: 1, durationS }),
    tolls: generatedTolls(1, 1),
    collect: () => {
      answers++;
    },
  });
  const rt = new InProcessRuntime(physicalPlan(plan), { batchSize: 1024 });
  const t0 = nowMs();
  rt.start();
  rt.run();
  const ms = nowMs() - t0;
  const records = countRecords(durationS);
  if (answers === 0) throw new Error("the queries gave no answer");
  return (records / ms) * 1000;
}

const counted = new Map<number, number>();

function countRecords(durationS: number): number {
  let n = counted.get(durationS);
  if (n === undefined) {
    const g = new LrGenerator({ seed: 1, xways: 1, durationS });
    const row = new Float64Array(15);
    n = 0;
    while (g.next(row)) n++;
    counted.set(durationS, n);
  }
  return n;
}

function generatorRun(durationS: number): number {
  const t0 = nowMs();
  const g = new LrGenerator({ seed: 1, xways: 1, durationS });
  const row = new Float64Array(15);
  let n = 0;
  while (g.next(row)) n++;
  return (n / (nowMs() - t0)) * 1000;
}

/** Start of the calibration window in event time: traffic is at its plateau from one hour on. */
const CALIBRATION_FROM_S = 3600;

/**
 * One in-process run of the Linear Road plan over `input` (one instance per operator), with
 * the CPU time of every task of every instance measured: receive (dedup, the operator's
 * batch and watermark work, emitting), poll (reading and parsing records, emitting) and
 * control messages.
 */
function linearRoadRun(input: string): Map<string, OperatorWork> {
  let answers = 0;
  const plan = lrbPlan({
    records: () => new LrReader(input, { onBadLine: "stop" }),
    tolls: generatedTolls(1, 1),
    collect: () => {
      answers++;
    },
  });
  const byOperator = instrumentedRun(plan, 1024);
  if (answers === 0) throw new Error("the queries gave no answer");
  return byOperator;
}

/**
 * The cost model's `tupleUs` of an operator from what it did: its time, less what the model
 * already charges per input batch and per emitted tuple (the defaults), per input tuple
 * (for a source: per tuple produced).
 */
function tupleUsOf(w: OperatorWork): number {
  const d = DEFAULT_COST_MODEL.defaults;
  const rest = w.us - w.batches * d.batchUs - w.emitted * d.emitUs;
  return Math.max(0, rest / Math.max(1, w.tuples));
}

/** The per-operator calibration: one figure per operator of the plan, against the `lrb` preset. */
async function calibrateOperators(quick: boolean): Promise<BenchResult[]> {
  const { writeLrbFiles } = await import("../cli/lrbFiles.js");
  const windowS = quick ? 300 : 600;
  const dir = mkdtempSync(join(tmpdir(), "seep-lrb-calibrate-"));
  try {
    const input = join(dir, "input.csv");
    const { records } = await writeLrbFiles(input, 1, 1, CALIBRATION_FROM_S + windowS, CALIBRATION_FROM_S);
    linearRoadRun(input); // warm-up
    const runs = quick ? 1 : 3;
    const all = Array.from({ length: runs }, () => linearRoadRun(input));
    const preset = parseExperiment(PRESETS.lrb, "preset lrb").cost.operators ?? {};
    const results: BenchResult[] = [];
    for (const name of all[0].keys()) {
      const works = all.map((r) => r.get(name) as OperatorWork);
      const w = works[0];
      const perBatch = w.batches === 0 ? "" : `, ${(w.tuples / w.batches).toFixed(0)} tuples/batch`;
      results.push({
        name:
          `Linear Road "${name}" tupleUs (all-in CPU ${median(works.map((x) => x.us / Math.max(1, x.tuples))).toFixed(3)} us/tuple, ` +
          `less batchUs and emitUs; ${w.tuples} tuples${perBatch}, ${(w.emitted / Math.max(1, w.tuples)).toFixed(2)} emitted/tuple; ` +
          `L=1, ${windowS} s of traffic from ${CALIBRATION_FROM_S} s, ${records} records, read from a file)`,
        value: median(works.map(tupleUsOf)),
        unit: "us",
        baseline: {
          name: `the lrb preset's cost.operators.${name}.tupleUs`,
          value: preset[name]?.tupleUs ?? DEFAULT_COST_MODEL.defaults.tupleUs,
          unit: "us",
        },
      });
    }
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Run the Linear Road queries benchmark and the per-operator calibration. */
export async function benchLrbQueries(quick: boolean): Promise<BenchResult[]> {
  const durationS = quick ? 1800 : 3600;
  countRecords(durationS);
  queriesRun(300);
  const runs = quick ? 1 : 3;
  return [
    {
      name: `Linear Road queries in-process, L=1, ${durationS / 60} minutes of traffic (${countRecords(durationS)} records)`,
      value: medianOf(runs, () => queriesRun(durationS)),
      unit: "tuples/s",
      baseline: {
        name: "the generator alone",
        value: medianOf(runs, () => generatorRun(durationS)),
        unit: "tuples/s",
      },
    },
    ...(await calibrateOperators(quick)),
  ];
}
