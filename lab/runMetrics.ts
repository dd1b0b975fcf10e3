// Reading a run's metrics back: a run directory's metrics.csv (the long form the engine's
// Metrics.toCsv writes, `timeS,metric,scope,value`, engine/metrics/metrics.ts) as the
// rows it was written from, one MetricsRow per interval, so that a notebook can draw the
// time series of runs a sweep left on disk. A figure the file has no line for (a latency
// in an interval without outputs, the CPU of no VM) is NaN again, as it was in the row.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { RUN_FILES } from "../cli/runFiles.js";
import { METRICS_CSV_HEADER, type MetricsRow, RUN_METRICS, VM_CPU_METRIC } from "../engine/index.js";

/** A run figure of a row (scope `run`). */
type RunMetric = (typeof RUN_METRICS)[number];

const RUN_METRIC_NAMES: ReadonlySet<string> = new Set(RUN_METRICS);

/** The rows of the metrics.csv text `csv`; `where` names it in errors. */
export function parseMetricsCsv(csv: string, where: string): MetricsRow[] {
  const lines = csv.split("\n");
  if (lines[0]?.trim() !== METRICS_CSV_HEADER)
    throw new Error(`${where}: not a metrics.csv (its first line is not "${METRICS_CSV_HEADER}")`);
  const rows: MetricsRow[] = [];
  let row: MetricsRow | null = null;
  let cpu: Map<number, number> | null = null;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "") continue;
    const fields = line.split(",");
    const timeS = Number(fields[0]);
    const value = Number(fields[3]);
    if (fields.length !== 4 || !Number.isFinite(timeS) || fields[3] === "" || Number.isNaN(value))
      throw new Error(`${where}:${i + 1}: not a line "timeS,metric,scope,value": ${line}`);
    if (row === null || timeS !== row.timeS) {
      if (row !== null && !(timeS > row.timeS))
        throw new Error(`${where}:${i + 1}: time ${timeS} s is not after ${row.timeS} s`);
      cpu = new Map();
      row = emptyRow(timeS, cpu);
      rows.push(row);
    }
    const [, metric, scope] = fields;
    if (scope === "run" && RUN_METRIC_NAMES.has(metric)) row[metric as RunMetric] = value;
    else if (metric === VM_CPU_METRIC && scope.startsWith("vm:")) cpu?.set(Number(scope.slice(3)), value);
    else throw new Error(`${where}:${i + 1}: unknown figure ${metric} of ${scope}`);
  }
  return rows;
}

/** The rows of the metrics.csv in run directory `dir` (a directory `seep sim` or a sweep wrote). */
export function readRunMetrics(dir: string): MetricsRow[] {
  const path = join(dir, RUN_FILES.metrics);
  return parseMetricsCsv(readFileSync(path, "utf8"), path);
}

/** A row at `timeS` with nothing measured yet: counts 0 until read, every other figure NaN. */
function emptyRow(timeS: number, cpuByVm: ReadonlyMap<number, number>): MetricsRow {
  return {
    timeS,
    tuplesIn: 0,
    tuplesOut: 0,
    latencyP50Ms: Number.NaN,
    latencyP99Ms: Number.NaN,
    latencyMaxMs: Number.NaN,
    queueLength: Number.NaN,
    vmsInUse: Number.NaN,
    cpuMean: Number.NaN,
    cpuMax: Number.NaN,
    cpuByVm,
  };
}
