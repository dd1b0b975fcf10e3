// The table of a chaos campaign, one row per run, as aligned text for a person and as
// CSV for a file: the seed, the faults, the reconfigurations drawn (if any), what the output lost, duplicated, got wrong or
// reordered compared with the failure-free run, whether it hung, the recovery times, and
// whether it passed.

import type { ChaosRun } from "./campaign.js";

/** A column: its header, and a run's cell. */
interface Column {
  readonly header: string;
  readonly cell: (run: ChaosRun) => string;
  /** Numbers align right. */
  readonly right?: boolean;
}

const COLUMNS: readonly Column[] = [
  { header: "seed", cell: (r) => String(r.seed), right: true },
  { header: "kind", cell: (r) => r.kind ?? "-" },
  { header: "faults", cell: (r) => r.faults },
  { header: "scaling", cell: (r) => r.scaling ?? "-" },
  { header: "crashes", cell: (r) => String(r.crashes), right: true },
  { header: "lost", cell: (r) => String(r.lost), right: true },
  { header: "duplicated", cell: (r) => String(r.duplicated), right: true },
  { header: "spurious", cell: (r) => String(r.spurious), right: true },
  { header: "reordered", cell: (r) => String(r.reordered), right: true },
  { header: "hang", cell: (r) => r.hang ?? "no" },
  {
    header: "recoveryMs",
    cell: (r) => r.recoveriesMs.map((ms) => (ms === null ? "-" : String(Math.round(ms)))).join(" "),
  },
  { header: "simulatedS", cell: (r) => r.simulatedSeconds.toFixed(1), right: true },
  { header: "result", cell: (r) => (r.passed ? "pass" : "FAIL") },
];

/** The runs as an aligned text table, header first, without a final newline. */
export function formatRunTable(runs: readonly ChaosRun[]): string {
  const rows = [COLUMNS.map((c) => c.header), ...runs.map((r) => COLUMNS.map((c) => c.cell(r)))];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => (COLUMNS[i].right ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** The runs as CSV, with an `error` column after the table's, ending with a newline. */
export function runTableCsv(runs: readonly ChaosRun[]): string {
  const header = [...COLUMNS.map((c) => c.header), "error"];
  const lines = [header, ...runs.map((r) => [...COLUMNS.map((c) => c.cell(r)), r.error ?? ""])];
  return `${lines.map((cells) => cells.map(csvField).join(",")).join("\n")}\n`;
}

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
