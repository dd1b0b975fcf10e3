// Printing a benchmark's report, one figure per line with its baseline on the next: a
// benchmark run once prints its value, its baseline's and their ratio; one run several
// times prints the median and the range (min-max) of each over the runs, and the ratio of
// the medians. Then, once per benchmark, the machine's 1-min load at the start and the end
// of each run beside its number of CPUs, so that a slow figure on a busy machine shows as such.

import type { BenchReport, RepeatedFigure, Spread } from "./repeatedRuns.js";

/** `value` as printed in `unit`: millions for rates, more decimals for small values. */
function num(value: number, unit: string): string {
  if (unit === "tuples/s" || unit === "events/s") return `${(value / 1e6).toFixed(2)}M`;
  return value < 0.1 ? value.toFixed(4) : value < 10 ? value.toFixed(3) : value.toFixed(1);
}

/** `value` with its unit. */
function fmt(value: number, unit: string): string {
  return `${num(value, unit)} ${unit}`;
}

/** A spread over `runs` runs: "median 1399.0 ms, range 1310.0-1520.0 ms", `over` naming the runs. */
function spread(s: Spread, unit: string, runs: number, over: boolean): string {
  if (s.finite === 0) return `no value in any of the ${runs} runs`;
  const dash = s.min < 0 ? " to " : "-";
  const range = `range ${num(s.min, unit)}${dash}${num(s.max, unit)} ${unit}`;
  const counted = s.finite < runs ? ` over ${s.finite} of ${runs} runs` : over ? ` over ${runs} runs` : "";
  return `median ${fmt(s.median, unit)}, ${range}${counted}`;
}

/** The lines of one figure (and its baseline) over `runs` runs. */
export function figureLines(f: RepeatedFigure, runs: number): string[] {
  const target = f.target === undefined ? "" : `   (target ${f.target})`;
  const once = runs === 1;
  const value = once ? fmt(f.value.median, f.unit) : spread(f.value, f.unit, runs, true);
  const lines = [`  ${f.name}: ${value}${target}`];
  if (f.baseline !== undefined) {
    const b = f.baseline;
    const base = once ? fmt(b.value.median, b.unit) : spread(b.value, b.unit, runs, false);
    const ratio = `${once ? "ratio" : "ratio of medians"} ${(f.ratioOfMedians ?? Number.NaN).toFixed(3)}`;
    lines.push(`      baseline ${b.name}: ${base}   ${ratio}`);
  }
  return lines;
}

/** The machine's load around each run of `report`, and its CPUs. */
export function loadLine(report: BenchReport): string {
  const each = report.loads.map((l) => `${l.atStart.toFixed(2)}/${l.atEnd.toFixed(2)}`).join(", ");
  const runs = report.runs === 1 ? "the run" : "each run";
  return `  load 1-min at start/end of ${runs}: ${each} (${report.cpuCount} CPUs)`;
}

/** Every line of `report`: its figures, then its load. */
export function reportLines(report: BenchReport): string[] {
  return [...report.figures.flatMap((f) => figureLines(f, report.runs)), loadLine(report)];
}

/** Write `report`'s lines to `out`. */
export function printReport(report: BenchReport, out: (text: string) => void): void {
  out(`${reportLines(report).join("\n")}\n`);
}
