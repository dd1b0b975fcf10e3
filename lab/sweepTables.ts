// A sweep's tables. `runs.csv` / `runs.json`: one row per run, tidy: the point's number,
// each grid value in a column named by its dotted path, the seed, how the run ended
// (`status`: ok; stalled, a failure with all its figures; failed, an error and no figures),
// the error, the run's directory, and the summary's figures flattened to scalars
// (lab/runFigures.ts). `aggregate.csv` / `aggregate.json`: long form, one row per grid
// point and numeric figure: the grid values, the figure, `runs` (runs of the point that
// ended ok), `n` (those with a value: a run without a recovery has no recovery time), the
// median, the mean and the Student t 95% confidence interval of the mean (lab/stats.ts;
// empty below two values). Runs that stalled or failed are not aggregated. Rows come in
// the grid's order, then by seed, so the same runs give the same tables byte for byte.

import { csvField } from "../cli/outputsTable.js";
import { type GridAxis, type GridPoint, valueText } from "./grid.js";
import { type Cell, FIGURE_NAMES, NUMERIC_FIGURES } from "./runFigures.js";
import { mean, median, tInterval } from "./stats.js";

/** How a run of a sweep ended. */
export type RunStatus = "ok" | "stalled" | "failed";

/** One row of runs.csv: the run's point, seed, status, error, directory and figures. */
export interface RunRow {
  readonly point: GridPoint;
  readonly seed: number;
  readonly status: RunStatus;
  readonly error: string | null;
  /** The run's directory, relative to the sweep's; null when the sweep writes none. */
  readonly run: string | null;
  /** The summary's figures (lab/runFigures.ts); empty when the run failed. */
  readonly figures: Readonly<Record<string, Cell>>;
}

/** One row of aggregate.csv: a point's figure over its seeds. */
export interface AggregateRow {
  readonly point: GridPoint;
  readonly figure: string;
  readonly runs: number;
  readonly n: number;
  readonly median: number | null;
  readonly mean: number | null;
  readonly ci95Low: number | null;
  readonly ci95High: number | null;
}

/** The columns every row of runs.csv starts with, before the grid's. */
const RUN_KEYS = ["point"] as const;

/** The rows of runs.csv as records, columns in table order (grid values as they were given). */
export function runRecords(
  axes: readonly GridAxis[],
  rows: readonly RunRow[],
): Record<string, Cell | unknown>[] {
  return rows.map((r) => {
    const record: Record<string, unknown> = { [RUN_KEYS[0]]: r.point.index + 1 };
    for (const a of axes) record[a.path] = gridCell(r.point, a.path);
    record.seed = r.seed;
    record.status = r.status;
    record.error = r.error;
    record.run = r.run;
    for (const f of FIGURE_NAMES) record[f] = r.figures[f] ?? null;
    return record;
  });
}

/** runs.csv, header first, ending with a newline. */
export function runsCsv(axes: readonly GridAxis[], rows: readonly RunRow[]): string {
  const header = [...RUN_KEYS, ...axes.map((a) => a.path), "seed", "status", "error", "run", ...FIGURE_NAMES];
  return csv(header, runRecords(axes, rows));
}

/** The aggregate of `rows`: for each point of `points` (in order) and numeric figure, over its runs that ended ok. */
export function aggregate(points: readonly GridPoint[], rows: readonly RunRow[]): AggregateRow[] {
  const out: AggregateRow[] = [];
  for (const point of points) {
    const ok = rows.filter((r) => r.point.index === point.index && r.status === "ok");
    for (const figure of NUMERIC_FIGURES) {
      const xs = ok.map((r) => r.figures[figure]).filter((v): v is number => typeof v === "number");
      const ci = tInterval(xs);
      out.push({
        point,
        figure,
        runs: ok.length,
        n: xs.length,
        median: xs.length === 0 ? null : median(xs),
        mean: xs.length === 0 ? null : mean(xs),
        ci95Low: ci?.low ?? null,
        ci95High: ci?.high ?? null,
      });
    }
  }
  return out;
}

/** The rows of aggregate.csv as records, columns in table order. */
export function aggregateRecords(
  axes: readonly GridAxis[],
  rows: readonly AggregateRow[],
): Record<string, unknown>[] {
  return rows.map((r) => {
    const record: Record<string, unknown> = { point: r.point.index + 1 };
    for (const a of axes) record[a.path] = gridCell(r.point, a.path);
    const { figure, runs, n, median: med, mean: avg, ci95Low, ci95High } = r;
    return { ...record, figure, runs, n, median: med, mean: avg, ci95Low, ci95High };
  });
}

/** aggregate.csv, header first, ending with a newline. */
export function aggregateCsv(axes: readonly GridAxis[], rows: readonly AggregateRow[]): string {
  const header = [
    "point",
    ...axes.map((a) => a.path),
    "figure",
    "runs",
    "n",
    "median",
    "mean",
    "ci95Low",
    "ci95High",
  ];
  return csv(header, aggregateRecords(axes, rows));
}

/** The value of axis `path` at `point`: a scalar as it is, anything else as its JSON text. */
function gridCell(point: GridPoint, path: string): unknown {
  const v = point.values.find((x) => x.path === path)?.value;
  return v === null || typeof v === "object" ? valueText(v) : v;
}

function csv(header: readonly string[], records: readonly Record<string, unknown>[]): string {
  const lines = [header.map(csvField).join(",")];
  for (const r of records) lines.push(header.map((h) => cellText(r[h])).join(","));
  return `${lines.join("\n")}\n`;
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return "";
  return csvField(typeof v === "string" ? v : typeof v === "object" ? JSON.stringify(v) : String(v));
}
