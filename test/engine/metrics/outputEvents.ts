// Shared by the output-state snapshot tests: what a run's coordinator is told of its output,
// taken from a simulated run (every batch a sink let out, before the ledger, with its channel
// and time; the sources' tuple counts; the interval closes with their gauges), and a
// coordinator that counts those events into an OutputState as a real run's does
// (cloud/runMetrics.ts: ledger first, then latency, digest, counts and delivery).

import type { Batch } from "../../../engine/batch.js";
import type { IntervalGauges } from "../../../engine/metrics/metrics.js";
import { Metrics } from "../../../engine/metrics/metrics.js";
import { OutputDigest } from "../../../engine/metrics/outputDigest.js";
import { OutputState } from "../../../engine/metrics/outputState.js";
import { SinkLedger } from "../../../engine/sinkLedger.js";
import { parseExperiment } from "../../../sim/experiment.js";
import { Simulation } from "../../../sim/simulation.js";
import { workloadPlan } from "../../../workloads/index.js";

/** A batch a sink let out, as a worker reports it. */
export interface SinkEvent {
  readonly kind: "sink";
  readonly sink: string;
  readonly instance: number;
  readonly edge: number;
  readonly sender: number;
  readonly batch: Batch;
  readonly timeMs: number;
}

/** One event of a run's output, in the order the coordinator saw it. */
export type OutputEvent =
  | SinkEvent
  | { readonly kind: "in"; readonly n: number; readonly atMs: number }
  | { readonly kind: "close"; readonly endMs: number; readonly gauges: IntervalGauges };

/** A simulated run's output events, with the digest and ledger repeats the simulation itself ended with. */
export interface RecordedRun {
  readonly events: readonly OutputEvent[];
  readonly outputDigest: string;
  readonly repeats: number;
}

const WORKLOADS = {
  /** Word count (30,000 lines, 4 s windows sliding by 2 s) on 4 VMs. */
  wordcount: {
    seed: 7,
    params: { lines: 30_000, lineIntervalMs: 1, windowSizeMs: 4000, windowSlideMs: 2000, parallelism: 2 },
    cluster: { vms: 4 },
    fidelity: { batchSize: 512, sourcePollMs: 100 },
  },
  /** Linear Road, one expressway for 150 s, on 3 VMs. */
  lrb: {
    seed: 3,
    params: { xways: 1, durationS: 150, carsParallelism: 2, segmentsParallelism: 2, accountsParallelism: 2 },
    cluster: { vms: 3 },
    fidelity: { batchSize: 1024, sourcePollMs: 100 },
  },
} as const;

/** Run `workload` under rsm with VM 1 crashing at `crashAtMs` (its sink is restored and reports again) and record its output events. */
export function recordRun(workload: keyof typeof WORKLOADS, crashAtMs: number): RecordedRun {
  const w = WORKLOADS[workload];
  const e = parseExperiment(
    {
      name: workload,
      seed: w.seed,
      workload: { name: workload, params: w.params },
      cluster: w.cluster,
      fidelity: w.fidelity,
      faultTolerance: { strategy: "rsm", checkpointIntervalMs: 2000 },
      faults: [{ type: "crash", vm: 1, atMs: crashAtMs }],
    },
    "test",
  );
  const sim = new Simulation(e, workloadPlan(workload, e.workload.params, e.seed));
  const events: OutputEvent[] = [];
  const { ledger, metrics } = sim;
  const admit = ledger.admit.bind(ledger);
  ledger.admit = (instance, edge, sender, batch) => {
    const timeMs = sim.env.nowMs();
    events.push({ kind: "sink", sink: sim.operatorOf(instance), instance, edge, sender, batch, timeMs });
    return admit(instance, edge, sender, batch);
  };
  const addTuplesIn = metrics.addTuplesIn.bind(metrics);
  metrics.addTuplesIn = (n, atMs) => {
    events.push({ kind: "in", n, atMs });
    addTuplesIn(n, atMs);
  };
  const closeInterval = metrics.closeInterval.bind(metrics);
  metrics.closeInterval = (endMs, gauges) => {
    events.push({ kind: "close", endMs, gauges: { ...gauges, cpuByVm: new Map(gauges.cpuByVm) } });
    return closeInterval(endMs, gauges);
  };
  const summary = sim.run();
  return { events, outputDigest: summary.outputDigest, repeats: sim.ledger.repeats };
}

/** A fresh output state, as a run's coordinator starts with. */
export function freshState(intervalMs = 1000): OutputState {
  return new OutputState(new OutputDigest(), new SinkLedger(), new Metrics({ intervalMs }));
}

/** Count `events` into `state` as a real run's coordinator does. */
export function feed(state: OutputState, events: readonly OutputEvent[]): void {
  for (const e of events) {
    if (e.kind === "sink") {
      const batch = state.ledger.admit(e.instance, e.edge, e.sender, e.batch);
      countOutput(state.metrics, state.digest, e.sink, batch, e.timeMs);
    } else countOther(state.metrics, e);
  }
}

function countOther(metrics: Metrics, e: Exclude<OutputEvent, SinkEvent>): void {
  if (e.kind === "in") metrics.addTuplesIn(e.n, e.atMs);
  else metrics.closeInterval(e.endMs, e.gauges);
}

/** A batch the ledger let out: each tuple's latency and digest entry (none without a digest), the count and the delivery. */
function countOutput(
  metrics: Metrics,
  digest: OutputDigest | null,
  sink: string,
  batch: Batch,
  timeMs: number,
) {
  let highestMs = 0;
  for (let i = 0; i < batch.length; i++) {
    const t = batch.eventTimesMs[i];
    const latencyMs = Math.max(0, timeMs - t);
    if (latencyMs > highestMs) highestMs = latencyMs;
    metrics.addLatency(latencyMs, 1);
    digest?.add(sink, batch.keys[i], t, batch.values === null ? undefined : batch.values[i]);
  }
  metrics.addTuplesOut(batch.length);
  if (batch.length > 0) metrics.addDelivery(timeMs, highestMs);
}

/** The events from `k` on, after the sink batches among the `resent` events before `k` (what workers send a new leader again). */
export function resumedFrom(events: readonly OutputEvent[], k: number, resent: number): OutputEvent[] {
  const again = events.slice(Math.max(0, k - resent), k).filter((e) => e.kind === "sink");
  return [...again, ...events.slice(k)];
}

/** Everything a run's summary and metrics.csv take from `metrics`, as one comparable value. */
export function metricsFigures(metrics: Metrics) {
  const d = metrics.deliveries();
  const deliveries = Array.from({ length: d.length }, (_, i) => [d.timeMs(i), d.highestLatencyMs(i)]);
  return {
    rows: metrics.rows(),
    csv: metrics.toCsv(),
    latency: metrics.latencySummary(),
    tuplesIn: metrics.tuplesInTotal,
    tuplesOut: metrics.tuplesOutTotal,
    inputEndMs: metrics.inputEndMs,
    lastIntervalEndMs: metrics.lastIntervalEndMs,
    deliveries,
  };
}

/** One tuple a sink let out, as the digest is fed it. */
export interface SinkRecord {
  readonly sink: string;
  readonly key: number;
  readonly eventTimeMs: number;
  readonly value: unknown;
}

/** The tuples of `events` that a ledger lets out, in order. */
export function admittedRecords(events: readonly OutputEvent[]): SinkRecord[] {
  const ledger = new SinkLedger();
  const out: SinkRecord[] = [];
  for (const e of events) {
    if (e.kind !== "sink") continue;
    const b = ledger.admit(e.instance, e.edge, e.sender, e.batch);
    for (let i = 0; i < b.length; i++) {
      out.push({ sink: e.sink, key: b.keys[i], eventTimeMs: b.eventTimesMs[i], value: b.values?.[i] });
    }
  }
  return out;
}

/** The calls `events` make on a run's Metrics (repeats already dropped), one closure an event. */
export function metricsCalls(events: readonly OutputEvent[]): ((m: Metrics) => void)[] {
  const ledger = new SinkLedger();
  return events.map((e) => {
    if (e.kind !== "sink") return (m: Metrics) => countOther(m, e);
    const batch = ledger.admit(e.instance, e.edge, e.sender, e.batch);
    return (m: Metrics) => countOutput(m, null, e.sink, batch, e.timeMs);
  });
}

/** True when two snapshots hold the same bytes (a quick compare: a deep equality of large byte arrays is slow). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}
