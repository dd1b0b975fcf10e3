// Benchmark: Linear Road's queries in the in-process runtime, on one core: records/s
// through cars, segments and accounts, for L=1 traffic generated on the fly. Baseline:
// the generator alone, producing the same records, measured in the same run.

import { InProcessRuntime, physicalPlan } from "../engine/index.js";
import { generatedTolls, LrGenerator, lrbPlan } from "../workloads/linearRoad/index.js";
import type { BenchResult } from "./index.js";
import { medianOf, nowMs } from "./measure.js";

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

/** Run the Linear Road queries benchmark. */
export function benchLrbQueries(quick: boolean): BenchResult[] {
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
  ];
}
