// Run metrics as a time series with one row per interval (1 s by default): tuples in
// and out, latency quantiles, queue length, VMs in use and CPU per VM. Counters and an
// interval histogram fill up during an interval and are reset when the runtime closes
// it; a whole-run histogram keeps accumulating for the summary. The CSV (metrics.csv) is
// in long form, one figure a line, `timeS,metric,scope,value`, so that its columns are the
// same whatever the run (see `toCsv`); it is a string, and writing it to a file is the CLI's job.
// Beside the intervals, each sink delivery's time and highest latency (./deliveryLog.ts), from
// which recovery times are taken at the resolution of the outputs.
// A snapshot (`snapshot`, `restore`) holds all of it exactly: the finished rows, the open
// interval's counters and histogram, the whole-run histogram, the totals and the deliveries,
// so a run's new coordinator that restores the old one's metrics and is fed the rest of the
// run ends with the same rows, CSV and summary figures. Only `vmCount`, a function, is not in
// it: whoever restores hands it again. The rows and deliveries grow with the run's length
// (84 bytes a row and 16 more a VM in it, 16 a delivery), so a snapshot does too.

import { type Deliveries, DeliveryLog } from "./deliveryLog.js";
import { LatencyHistogram } from "./latencyHistogram.js";
import {
  OutputStateError,
  restoreOf,
  SnapshotKind,
  type SnapshotReader,
  type SnapshotWriter,
  snapshotOf,
} from "./snapshotBytes.js";

/** Options of a metrics recorder. */
export interface MetricsOptions {
  /** Length of an interval in ms (default 1000); the runtime closes one every intervalMs. */
  intervalMs?: number;
  /** Number of VMs in use, read at the close of an interval when the gauges leave it out. */
  vmCount?: () => number;
}

/** Gauges sampled by the runtime at the close of an interval. */
export interface IntervalGauges {
  /** Tuples waiting in input queues, summed over instances. */
  queueLength: number;
  /** VMs in use (default: `vmCount()` of the options, else the number of VMs in `cpuByVm`). */
  vmsInUse?: number;
  /** Utilisation (0..1) of each VM over the interval, by VM id. */
  cpuByVm: ReadonlyMap<number, number>;
}

/** One finished interval. Latencies and CPU figures are NaN when there was nothing to measure. */
export interface MetricsRow {
  /** End of the interval, in seconds of virtual time. */
  timeS: number;
  /** Tuples the sources emitted during the interval. */
  tuplesIn: number;
  /** Tuples the sinks received during the interval. */
  tuplesOut: number;
  /** Median end-to-end latency over the interval. */
  latencyP50Ms: number;
  /** 99th percentile of end-to-end latency over the interval. */
  latencyP99Ms: number;
  /** Largest end-to-end latency over the interval. */
  latencyMaxMs: number;
  /** Queue length gauge at the end of the interval. */
  queueLength: number;
  /** VMs in use at the end of the interval. */
  vmsInUse: number;
  /** Mean utilisation over the VMs of `cpuByVm`. */
  cpuMean: number;
  /** Largest utilisation over the VMs of `cpuByVm`. */
  cpuMax: number;
  /** Utilisation of each VM over the interval, by VM id (a copy). */
  cpuByVm: ReadonlyMap<number, number>;
}

/** Whole-run latency figures in ms (NaN when no latency was recorded). */
export interface LatencySummary {
  p50: number;
  p99: number;
  max: number;
  mean: number;
  count: number;
}

/** The figures of a row that are the run's (scope `run`), as metrics.csv names them, in its order. */
export const RUN_METRICS = [
  "tuplesIn",
  "tuplesOut",
  "latencyP50Ms",
  "latencyP99Ms",
  "latencyMaxMs",
  "queueLength",
  "vmsInUse",
  "cpuMean",
  "cpuMax",
] as const;

/** The figures of a row, all but `cpuByVm`, in the order a row holds them (and a snapshot writes them). */
const ROW_FIGURES = ["timeS", ...RUN_METRICS] as const;

/** The columns of metrics.csv. */
export const METRICS_CSV_HEADER = "timeS,metric,scope,value";

/** The metric of metrics.csv whose scope is a VM (`vm:<id>`): its utilisation over the interval. */
export const VM_CPU_METRIC = "cpu";

/** Per-interval time series of a run, plus whole-run totals and a latency summary. */
export class Metrics {
  /** Length of an interval in ms. */
  readonly intervalMs: number;
  private readonly vmCount: (() => number) | null;
  private readonly intervalLatency = new LatencyHistogram();
  private readonly runLatency = new LatencyHistogram();
  private readonly finished: MetricsRow[] = [];
  private readonly deliveryLog = new DeliveryLog();
  private tuplesIn = 0;
  private tuplesOut = 0;
  private inTotal = 0;
  private outTotal = 0;
  private lastEndMs = Number.NEGATIVE_INFINITY;
  private lastInputMs = Number.NEGATIVE_INFINITY;

  constructor(options: MetricsOptions = {}) {
    this.intervalMs = options.intervalMs ?? 1000;
    if (!(this.intervalMs > 0 && this.intervalMs < Number.POSITIVE_INFINITY)) {
      throw new RangeError(`intervalMs must be a finite number > 0, got ${this.intervalMs}`);
    }
    this.vmCount = options.vmCount ?? null;
  }

  /** Count tuples emitted by sources in the current interval, the latest of them at run time `atMs`. */
  addTuplesIn(n: number, atMs: number): void {
    assertCount(n);
    this.tuplesIn += n;
    this.inTotal += n;
    if (n > 0 && atMs > this.lastInputMs) this.lastInputMs = atMs;
  }

  /**
   * Run time of the latest tuple the sources emitted (-Infinity before any): once the run is
   * over, the end of its input, after which come only the outputs of the final drain.
   */
  get inputEndMs(): number {
    return this.lastInputMs;
  }

  /** Count tuples received by sinks in the current interval. */
  addTuplesOut(n: number): void {
    assertCount(n);
    this.tuplesOut += n;
    this.outTotal += n;
  }

  /** Record `count` tuples with end-to-end latency `ms`. */
  addLatency(ms: number, count = 1): void {
    this.intervalLatency.add(ms, count);
    this.runLatency.add(ms, count);
  }

  /**
   * A sink let out a batch at run time `timeMs` (the output's own time: when the sink
   * processed it) whose tuples' highest latency was `highestLatencyMs`; once per batch,
   * after its tuples' `addLatency`.
   */
  addDelivery(timeMs: number, highestLatencyMs: number): void {
    this.deliveryLog.add(timeMs, highestLatencyMs);
  }

  /** Every delivery so far, in the order added. */
  deliveries(): Deliveries {
    return this.deliveryLog;
  }

  /** Finish the current interval at virtual time `endMs` with the runtime's gauges, and start the next. */
  closeInterval(endMs: number, gauges: IntervalGauges): MetricsRow {
    if (!(endMs > this.lastEndMs)) {
      throw new RangeError(`interval end ${endMs} ms is not after the previous one, ${this.lastEndMs} ms`);
    }
    this.lastEndMs = endMs;
    let cpuSum = 0;
    let cpuMax = Number.NaN;
    for (const u of gauges.cpuByVm.values()) {
      cpuSum += u;
      if (!(u <= cpuMax)) cpuMax = u;
    }
    const vms = gauges.cpuByVm.size;
    const h = this.intervalLatency;
    const row: MetricsRow = {
      timeS: endMs / 1000,
      tuplesIn: this.tuplesIn,
      tuplesOut: this.tuplesOut,
      latencyP50Ms: h.quantile(0.5),
      latencyP99Ms: h.quantile(0.99),
      latencyMaxMs: h.max,
      queueLength: gauges.queueLength,
      vmsInUse: gauges.vmsInUse ?? this.vmCount?.() ?? vms,
      cpuMean: vms === 0 ? Number.NaN : cpuSum / vms,
      cpuMax,
      cpuByVm: new Map(gauges.cpuByVm),
    };
    this.finished.push(row);
    this.tuplesIn = 0;
    this.tuplesOut = 0;
    h.reset();
    return row;
  }

  /** End of the latest finished interval in ms of virtual time (-Infinity before any): the next must end after it. */
  get lastIntervalEndMs(): number {
    return this.lastEndMs;
  }

  /** Finished intervals, oldest first. */
  rows(): readonly MetricsRow[] {
    return this.finished;
  }

  /** Tuples emitted by sources over the whole run, the open interval included. */
  get tuplesInTotal(): number {
    return this.inTotal;
  }

  /** Tuples received by sinks over the whole run, the open interval included. */
  get tuplesOutTotal(): number {
    return this.outTotal;
  }

  /** Latency quantiles, max, mean and count over the whole run. */
  latencySummary(): LatencySummary {
    const h = this.runLatency;
    return { p50: h.quantile(0.5), p99: h.quantile(0.99), max: h.max, mean: h.mean, count: h.count };
  }

  /** The metrics as bytes, for `Metrics.restore`. */
  snapshot(): Uint8Array {
    return snapshotOf(SnapshotKind.metrics, (w) => this.writeSnapshot(w));
  }

  /** Metrics that go on exactly where those whose `snapshot()` gave `bytes` stood (`vmCount` is handed again). */
  static restore(bytes: Uint8Array, options: Omit<MetricsOptions, "intervalMs"> = {}): Metrics {
    return restoreOf(bytes, SnapshotKind.metrics, (r) => Metrics.readSnapshot(r, options));
  }

  /** Write the metrics into a snapshot under way (./outputState.ts bundles them with others). */
  writeSnapshot(w: SnapshotWriter): void {
    w.f64(this.intervalMs);
    const counters = [
      this.tuplesIn,
      this.tuplesOut,
      this.inTotal,
      this.outTotal,
      this.lastEndMs,
      this.lastInputMs,
    ];
    for (const x of counters) w.f64(x);
    this.intervalLatency.writeSnapshot(w);
    this.runLatency.writeSnapshot(w);
    this.deliveryLog.writeSnapshot(w);
    writeRows(w, this.finished);
  }

  /** Read metrics that `writeSnapshot` wrote. */
  static readSnapshot(r: SnapshotReader, options: Omit<MetricsOptions, "intervalMs"> = {}): Metrics {
    const intervalMs = r.f64("metrics interval");
    if (!(intervalMs > 0 && intervalMs < Number.POSITIVE_INFINITY)) {
      throw new OutputStateError(`metrics interval ${intervalMs} ms is not a finite number > 0`);
    }
    const m = new Metrics({ ...options, intervalMs });
    m.tuplesIn = r.f64("metrics interval tuples in");
    m.tuplesOut = r.f64("metrics interval tuples out");
    m.inTotal = r.f64("metrics tuples in");
    m.outTotal = r.f64("metrics tuples out");
    m.lastEndMs = r.f64("metrics last interval end");
    m.lastInputMs = r.f64("metrics last input");
    m.intervalLatency.loadSnapshot(r, "interval latency");
    m.runLatency.loadSnapshot(r, "run latency");
    m.deliveryLog.loadSnapshot(r);
    for (const row of readRows(r)) m.finished.push(row);
    return m;
  }

  /**
   * The rows as metrics.csv, in long form: `timeS,metric,scope,value`, one line per figure
   * of an interval, the intervals in time order. Within one, the run's figures (RUN_METRICS,
   * scope `run`, in that order), then each VM's utilisation (metric `cpu`, scope `vm:<id>`,
   * by id). A figure with nothing to measure (a latency in an interval without outputs, the
   * CPU of no VM) has no line. Integers are written whole, other figures to six significant digits.
   */
  toCsv(): string {
    const lines = [METRICS_CSV_HEADER];
    for (const row of this.finished) {
      const t = figure(row.timeS);
      for (const metric of RUN_METRICS) {
        const value = row[metric];
        if (!Number.isNaN(value)) lines.push(`${t},${metric},run,${figure(value)}`);
      }
      const ids = [...row.cpuByVm.keys()].sort((x, y) => x - y);
      for (const id of ids) {
        const value = row.cpuByVm.get(id)!;
        if (!Number.isNaN(value)) lines.push(`${t},${VM_CPU_METRIC},vm:${id},${figure(value)}`);
      }
    }
    return `${lines.join("\n")}\n`;
  }
}

function writeRows(w: SnapshotWriter, rows: readonly MetricsRow[]): void {
  w.u32(rows.length);
  for (const row of rows) {
    for (const f of ROW_FIGURES) w.f64(row[f]);
    w.u32(row.cpuByVm.size);
    for (const [vm, u] of row.cpuByVm) {
      w.f64(vm);
      w.f64(u);
    }
  }
}

function readRows(r: SnapshotReader): MetricsRow[] {
  const n = r.count("metrics rows", 8 * ROW_FIGURES.length + 4);
  const rows: MetricsRow[] = [];
  for (let i = 0; i < n; i++) {
    const row: Record<string, unknown> = {};
    for (const f of ROW_FIGURES) row[f] = r.f64(`metrics row ${i} ${f}`);
    const vms = r.count(`VMs of metrics row ${i}`, 16);
    const cpuByVm = new Map<number, number>();
    for (let j = 0; j < vms; j++) cpuByVm.set(r.f64(`metrics row ${i} VM`), r.f64(`metrics row ${i} cpu`));
    row.cpuByVm = cpuByVm;
    rows.push(row as unknown as MetricsRow);
  }
  return rows;
}

function figure(value: number): string {
  // Integers whole (a count must sum to the summary's); others to six significant digits:
  // enough for any figure here, and free of float noise.
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
}

function assertCount(n: number): void {
  if (!(n >= 0 && n < Number.POSITIVE_INFINITY)) {
    throw new RangeError(`a tuple count must be a finite number >= 0, got ${n}`);
  }
}
