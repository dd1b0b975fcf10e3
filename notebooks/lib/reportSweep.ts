// A notebook's runs as a sweep of the lab (lab/'s runSweep: in parallel on a pool of
// processes, one per core), wired to the report: its runs kept under the report's
// `runsDir/<name>` so that a report started again goes on from them (or, without one, in
// a temporary directory removed afterwards), its progress counted over the report's runs,
// and Ctrl-C (the options' `signal`) stopping it: the runs done are kept, and the notebook
// ends with ReportInterrupted rather than building a report from part of its runs.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runSweep, type SweepOptions, type SweepResult, type SweepRow } from "../../lab/index.js";
import type { NotebookOptions } from "./options.js";

/** The report's sweep was stopped by its signal before every run was done. */
export class ReportInterrupted extends Error {
  override readonly name = "ReportInterrupted";
}

/** What a notebook's sweep runs: a sweep's options without where it goes and how it reports. */
export type ReportSweepOptions = Omit<SweepOptions, "dir" | "dirFlag" | "signal" | "onStart" | "onRun">;

/**
 * Run `sweep` as notebook `o`'s sweep `name`, then `use` its result and directory (each
 * run's files are in `join(dir, row.run)`, there only while `use` runs when the report
 * keeps no runs); `label` names a run in the progress.
 */
export async function withReportSweep<T>(
  o: NotebookOptions,
  name: string,
  sweep: ReportSweepOptions,
  label: (row: SweepRow) => string,
  use: (result: SweepResult, dir: string) => T | Promise<T>,
): Promise<T> {
  const dir = o.runsDir === undefined ? mkdtempSync(join(tmpdir(), `seep-${name}-`)) : join(o.runsDir, name);
  // The share of its simulated time each run under way has done, for the progress between runs.
  const underWay = new Map<string, number>();
  const within = o.runs?.within?.bind(o.runs);
  const tellWithin = () => within?.([...underWay.values()].reduce((a, b) => a + b, 0));
  try {
    const result = await runSweep({
      ...sweep,
      dir,
      dirFlag: "--out",
      signal: o.signal,
      onStart: (plan) => o.runs?.expect(plan.toRun),
      onRun: (row) => {
        if (row.run !== null) underWay.delete(row.run);
        o.runs?.finished(label(row), row.status !== "ok");
        tellWithin();
      },
      onRunProgress:
        within === undefined
          ? undefined
          : (run, fraction) => {
              underWay.set(run, fraction);
              tellWithin();
            },
    });
    if (result.interrupted)
      throw new ReportInterrupted(
        `interrupted: ${result.rows.length} of ${result.total} runs of ${name} done${o.runsDir === undefined ? "" : `, kept in ${dir}`}`,
      );
    return await use(result, dir);
  } finally {
    if (o.runsDir === undefined) rmSync(dir, { recursive: true, force: true });
  }
}
