// Printing benchmark figures: value, baseline and their ratio, one figure per line.

import type { BenchResult } from "./benchResult.js";

function fmt(value: number, unit: string): string {
  if (unit === "tuples/s" || unit === "events/s") return `${(value / 1e6).toFixed(2)}M ${unit}`;
  return `${value < 0.1 ? value.toFixed(4) : value < 10 ? value.toFixed(3) : value.toFixed(1)} ${unit}`;
}

/** Print results as an aligned list with ratios to their baselines. */
export function printResults(results: readonly BenchResult[]): void {
  for (const r of results) {
    const lines = [`  ${r.name}: ${fmt(r.value, r.unit)}${r.target ? `   (target ${r.target})` : ""}`];
    if (r.baseline) {
      const ratio = r.value / r.baseline.value;
      lines.push(
        `      baseline ${r.baseline.name}: ${fmt(r.baseline.value, r.baseline.unit)}   ratio ${ratio.toFixed(3)}`,
      );
    }
    process.stdout.write(`${lines.join("\n")}\n`);
  }
}
