// Benchmark: the engine inside the simulator. Tuples/s of real operator work (wall
// clock) through a three-operator query, source -> map -> keyed count, on 4 simulated
// VMs, every task priced by the cost model and scheduled on simulated cores. Baseline:
// the same query in the in-process runtime, which has no simulation around it.

import {
  type Batch,
  InProcessRuntime,
  type LogicalPlan,
  type Operator,
  type OperatorContext,
  physicalPlan,
  QueryBuilder,
  type Source,
} from "../engine/index.js";
import { nowMs } from "../measure/clock.js";
import { keyStream } from "../measure/keyStream.js";
import { medianOf } from "../measure/statistics.js";
import { parseExperiment } from "../sim/experiment.js";
import { Simulation } from "../sim/simulation.js";
import type { BenchResult } from "./benchResult.js";

/** Emits pre-generated keys; tuple i has event time floor(i / perMs). */
class KeySource implements Source {
  private i = 0;
  constructor(
    private readonly keys: Float64Array,
    private readonly perMs: number,
  ) {}
  next(ctx: OperatorContext, max: number, untilEventTimeMs: number): boolean {
    const due = Math.min(this.keys.length, (Math.floor(untilEventTimeMs) + 1) * this.perMs);
    const end = Math.min(this.i + max, Math.max(this.i, due));
    for (let i = this.i; i < end; i++) ctx.emit(this.keys[i], Math.floor(i / this.perMs));
    this.i = end;
    return this.i < this.keys.length;
  }
  position(): number {
    return this.i;
  }
  seek(p: number): void {
    this.i = p;
  }
}

class Map2 implements Operator {
  onBatch(batch: Batch, _port: number, ctx: OperatorContext): void {
    for (let i = 0; i < batch.length; i++) ctx.emit(batch.keys[i] * 2, batch.eventTimesMs[i]);
  }
}

class Count implements Operator<number> {
  onBatch(batch: Batch, _port: number, ctx: OperatorContext<number>): void {
    const s = ctx.state;
    for (let i = 0; i < batch.length; i++) s.set(batch.keys[i], (s.get(batch.keys[i]) ?? 0) + 1);
  }
}

function plan(keys: Float64Array, perMs: number): LogicalPlan {
  const q = new QueryBuilder("bench-sim");
  const src = q.source("source", () => new KeySource(keys, perMs), { parallelism: 2 });
  const map = q.operator("map", () => new Map2(), { parallelism: 2 });
  const count = q.sink("count", () => new Count(), { parallelism: 4, stateful: true });
  q.connect(src, map, "forward").connect(map, count, "key");
  return q.build();
}

function simRun(keys: Float64Array): number {
  const e = parseExperiment(
    {
      name: "bench",
      workload: { name: "bench" },
      cluster: { vms: 4, cores: 2 },
      fidelity: { batchSize: 1024, sourcePollMs: 10 },
    },
    "bench",
  );
  // 1000 tuples per ms of event time: far more than the simulated cluster keeps up with,
  // so the sources are polled back to back and the run is bound by real work.
  const sim = new Simulation(e, plan(keys, 1000));
  const t0 = nowMs();
  const s = sim.run();
  const ms = nowMs() - t0;
  if (s.tuplesIn !== keys.length * 2)
    throw new Error(`sim saw ${s.tuplesIn} tuples, expected ${keys.length * 2}`);
  return ((keys.length * 2) / ms) * 1000;
}

function inProcessRun(keys: Float64Array): number {
  const rt = new InProcessRuntime(physicalPlan(plan(keys, 1000)), { batchSize: 1024 });
  const t0 = nowMs();
  rt.start();
  rt.run();
  return ((keys.length * 2) / (nowMs() - t0)) * 1000;
}

/** Run the engine-in-the-simulator benchmark. */
export function benchSimEngine(quick: boolean): BenchResult[] {
  const keys = keyStream(quick ? 500_000 : 2_000_000, 50_000, 11);
  const runs = quick ? 3 : 5;
  simRun(keys.subarray(0, 100_000));
  inProcessRun(keys.subarray(0, 100_000));
  return [
    {
      name: "engine in the simulator: source -> map -> keyed count, 4 VMs, real operator work",
      value: medianOf(runs, () => simRun(keys)),
      unit: "tuples/s",
      baseline: {
        name: "the same query in the in-process runtime",
        value: medianOf(runs, () => inProcessRun(keys)),
        unit: "tuples/s",
      },
      target: ">= 1M tuples/s per core",
    },
  ];
}
