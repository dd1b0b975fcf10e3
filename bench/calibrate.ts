// Calibration of the simulator's cost model (sim/costModel.ts): measures, on this
// machine, what the engine spends per tuple, per batch, per emitted tuple, per state
// entry checkpointed or restored and per byte serialized, and prints each figure next
// to the default the cost model uses (ratio ~1 means the default still holds). Then what
// the real runtime spends beside CPU on local worker processes, and the packet counter's
// costs (measure/localRuntime.ts, measure/packetCosts.ts): the simulator's parameters
// that stand for local workers (sim-vs-real measures and sets them the same way), next to
// its defaults.

import { type Batch, BatchBuilder } from "../engine/batch.js";
import { decodeBatch, encodeBatch } from "../engine/batchCodec.js";
import { InProcessRuntime } from "../engine/inProcessRuntime.js";
import type { Instance } from "../engine/instance.js";
import { KeyedState } from "../engine/keyedState.js";
import { KeyGroupRange } from "../engine/keyGroups.js";
import type { Operator, OperatorContext } from "../engine/operator.js";
import { instancesOf, physicalPlan } from "../engine/physicalPlan.js";
import { QueryBuilder } from "../engine/queryPlan.js";
import { nowMs } from "../measure/clock.js";
import { keyStream } from "../measure/keyStream.js";
import { measureLocalRuntime } from "../measure/localRuntime.js";
import { localRuntimeParameters } from "../measure/localRuntimeParameters.js";
import { measurePacketCosts } from "../measure/packetCosts.js";
import { medianOf } from "../measure/statistics.js";
import { DEFAULT_COST_MODEL } from "../sim/costModel.js";
import type { BenchResult } from "./benchResult.js";

class Counter implements Operator<number> {
  constructor(private readonly emit: boolean) {}
  onBatch(batch: Batch, _port: number, ctx: OperatorContext<number>): void {
    const state = ctx.state;
    for (let i = 0; i < batch.length; i++) {
      const k = batch.keys[i];
      const c = (state.get(k) ?? 0) + 1;
      state.set(k, c);
      if (this.emit) ctx.emit(k, batch.eventTimesMs[i], c);
    }
  }
}

/** An instance of a keyed counter fed directly, and a way to feed it. */
function counterRig(emit: boolean): { feed: (keys: Float64Array, batch: number) => void } {
  const q = new QueryBuilder("calibrate");
  const src = q.source("s", () => ({ next: () => false, position: () => 0, seek() {} }));
  const count = q.operator("count", () => new Counter(emit), { stateful: true });
  const sink = q.sink("sink", () => ({}));
  q.connect(src, count, "key").connect(count, sink, "key");
  const plan = physicalPlan(q.build());
  const rt = new InProcessRuntime(plan);
  const inst: Instance = rt.instance(instancesOf(plan, count.id)[0].id);
  const sinkInst = rt.instance(instancesOf(plan, sink.id)[0].id);
  inst.handle({ type: "start" });
  let seq = 0;
  return {
    feed(keys, batch) {
      for (let at = 0; at < keys.length; at += batch) {
        const n = Math.min(batch, keys.length - at);
        const b = new BatchBuilder(0, n);
        const prev = seq;
        for (let i = 0; i < n; i++) b.push(keys[at + i], at + i, ++seq);
        inst.receive(0, 0, b.build(at, prev));
        inst.handle({ type: "ack", edge: 1, receiver: sinkInst.id, seq: Number.MAX_SAFE_INTEGER });
        rt.drain();
      }
    },
  };
}

function usPer(n: number, fn: () => void): number {
  const t0 = nowMs();
  fn();
  return ((nowMs() - t0) * 1000) / n;
}

/** Run the calibration: in-process figures, then those of local workers. */
export async function benchCalibrate(quick: boolean): Promise<BenchResult[]> {
  return [...inProcessFigures(quick), ...(await localWorkerFigures(quick))];
}

/** The simulator's parameters for local workers, measured on them, next to its defaults. */
async function localWorkerFigures(quick: boolean): Promise<BenchResult[]> {
  const f = await measureLocalRuntime({ quick });
  const p = localRuntimeParameters(f);
  const costs = await measurePacketCosts(quick);
  const ms = (name: string, value: number, def: number): BenchResult => ({
    name: `${name} (local workers, load ${f.loadBefore.toFixed(2)}-${f.loadAfter.toFixed(2)})`,
    value,
    unit: "ms",
    baseline: { name: "simulator default", value: def, unit: "ms" },
  });
  const d = DEFAULT_COST_MODEL.defaults;
  return [
    ms(
      "network.controlLatencyMs = replyLatencyMs: half a pause/paused round trip",
      p.network.controlLatencyMs,
      0.5,
    ),
    ms("network.latencyMs: half a frame/credit round trip", p.network.latencyMs, 0.25),
    ms("network.connectMs: a new data stream until its first credit", p.network.connectMs, 0),
    ms(
      "pool.deployMs: (a standby's first redeploy + a redeploy to 3 workers at once) / 2",
      p.pool.deployMs,
      0,
    ),
    ms("faultTolerance.detectionMs: SIGKILL to the watch stream's breaking", p.detectionMs, 1500),
    ...Object.entries(costs.tupleUs).map(([op, us]) => ({
      name: `packet counter "${op}" tupleUs, emitting included (in-process, CPU time)`,
      value: us,
      unit: "us",
      baseline: { name: "cost model default tupleUs + emitUs", value: d.tupleUs + d.emitUs, unit: "us" },
    })),
    {
      name: `data plane CPU per byte, sender (encode + gRPC write, batches of ${costs.batchSize})`,
      value: costs.sendNsPerByte,
      unit: "ns",
      baseline: {
        name: "cost model serializeNsPerByte",
        value: DEFAULT_COST_MODEL.serializeNsPerByte,
        unit: "ns",
      },
    },
    {
      name: `data plane CPU per byte, receiver (gRPC read + decode, batches of ${costs.batchSize})`,
      value: costs.receiveNsPerByte,
      unit: "ns",
      baseline: {
        name: "cost model deserializeNsPerByte",
        value: DEFAULT_COST_MODEL.deserializeNsPerByte,
        unit: "ns",
      },
    },
  ];
}

/** The cost model's figures, measured in this process. */
function inProcessFigures(quick: boolean): BenchResult[] {
  const n = quick ? 500_000 : 2_000_000;
  const keys = keyStream(n, 100_000, 5);
  const runs = quick ? 3 : 5;
  const d = DEFAULT_COST_MODEL.defaults;
  const silent = counterRig(false);
  const loud = counterRig(true);
  silent.feed(keys.subarray(0, 200_000), 1024);
  loud.feed(keys.subarray(0, 200_000), 1024);
  const tupleUs = medianOf(runs, () => usPer(n, () => silent.feed(keys, 1024)));
  const withEmitUs = medianOf(runs, () => usPer(n, () => loud.feed(keys, 1024)));
  const small = keys.subarray(0, n / 20);
  const perBatchUs = medianOf(runs, () => usPer(small.length, () => silent.feed(small, 1))) - tupleUs;

  const state = new KeyedState<number>(128, KeyGroupRange.of(0, 127));
  for (let k = 0; k < 1_000_000; k++) state.set(k, k);
  const checkpointEntryUs = medianOf(runs, () => usPer(1_000_000, () => state.snapshot()));
  const snap = state.snapshot();
  const restoreEntryUs = medianOf(runs, () => usPer(1_000_000, () => KeyedState.restore(snap)));

  const b = new BatchBuilder(2, 1024);
  for (let i = 0; i < 1024; i++) b.push(i, i, i + 1, undefined, [i, i]);
  const batch = b.build(0);
  const bytes = encodeBatch(batch).length;
  const reps = quick ? 5_000 : 20_000;
  const serializeNsPerByte = medianOf(
    runs,
    () =>
      (usPer(reps * bytes, () => {
        for (let r = 0; r < reps; r++) decodeBatch(encodeBatch(batch));
      }) *
        1000) /
      2,
  );

  const fig = (name: string, value: number, def: number, unit: string): BenchResult => ({
    name,
    value,
    unit,
    baseline: { name: "cost model default", value: def, unit },
  });
  return [
    fig("per tuple processed (keyed count: dedup, dispatch, state get+set)", tupleUs, d.tupleUs, "us"),
    fig("per tuple emitted (route, stamp, build, buffer, send)", withEmitUs - tupleUs, d.emitUs, "us"),
    fig("per input batch (dispatch, watermark, flush)", perBatchUs, d.batchUs, "us"),
    fig("per state entry copied into a checkpoint", checkpointEntryUs, d.checkpointEntryUs, "us"),
    fig("per state entry installed by a restore", restoreEntryUs, d.restoreEntryUs, "us"),
    fig(
      "per byte serialized or deserialized (batch codec)",
      serializeNsPerByte,
      DEFAULT_COST_MODEL.serializeNsPerByte,
      "ns",
    ),
  ];
}
