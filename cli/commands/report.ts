// `seep report <name>`: runs a notebook's experiments (notebooks/) with a progress bar and
// writes its report: index.html with the figures inline, a PNG of each figure, and the
// data behind them as CSV and JSON. `--quick` shrinks the runs to finish within a minute.
// Without --out each report goes to a new reports/<name>[-quick]/<time>/ (with a `latest`
// link, cli/runDirectory.ts); a report already in an --out directory is overwritten only
// with `--force`; a directory that cannot be written is one line before any run. The
// report's runs are kept under <dir>/runs as they end: a report that stopped (Ctrl-C, a
// failure) goes on from them when run again with `--out <dir>` (without --force, which
// starts over). Progress is one count over all of the report's runs (cli/reportProgress.ts).

import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { type Command, Option } from "commander";
import { UserError } from "../errors.js";
import { forceOption, parseInteger, quietOption } from "../options.js";
import { stopsAfterValidation, validatesOnly } from "../validateOnly.js";

/** Flags of `seep report`, as parsed. */
interface ReportFlags {
  readonly quick: boolean;
  readonly out?: string;
  readonly seed?: number;
  readonly quiet: boolean;
  readonly force: boolean;
}

/**
 * The reports there are, as `--help` lists them: the names of notebooks/index.ts's
 * NOTEBOOKS (a test checks the list), kept here so that `--help` need not load them.
 */
const REPORT_NAMES = [
  "lrb-scaleout",
  "recovery-time",
  "failure-timeline",
  "checkpoint-overhead",
  "sim-vs-real",
  "sand-throughput",
] as const;

/** Register `seep report` on `program`. */
export function registerReport(program: Command): void {
  const report = program
    .command("report")
    .description("run a report's experiments and write it (HTML with its figures, PNGs, CSV and JSON data)")
    .summary("run a report's experiments and write the report")
    .argument("<name>", `the report: ${REPORT_NAMES.join(", ")}`)
    .addOption(new Option("--quick", "fewer seeds and shorter runs: within a minute").default(false))
    .addOption(
      new Option("--out <dir>", "directory of the report (default: a new reports/<name>[-quick]/<time>)"),
    )
    .addOption(
      new Option("--seed <n>", "seed of every run (default: the report's own seeds)").argParser((v: string) =>
        parseInteger("--seed", v, { min: 0 }),
      ),
    )
    .addOption(quietOption())
    .addOption(forceOption("a report in the directory"))
    .action(runReport);
  stopsAfterValidation(report);
}

async function runReport(name: string, flags: ReportFlags, command: Command): Promise<void> {
  // Loaded here, not at startup, so that `seep --help` stays fast.
  const { NOTEBOOKS } = await import("../../notebooks/index.js");
  const notebook = NOTEBOOKS[name];
  if (notebook === undefined) {
    throw new UserError(`no report named '${name}' (known: ${Object.keys(NOTEBOOKS).join(", ")})`);
  }
  const { checkOutputDirectory, prepareDirectory } = await import("../outputPath.js");
  // Without --out, a directory of the report's own (runDirectory.ts), claimed when it starts.
  if (flags.out !== undefined)
    checkOutputDirectory(flags.out, "--out", flags.force, "index.html", "a report");
  if (validatesOnly(command)) return;
  const { claimRunDirectory, pointLatest, timeStamp } = await import("../runDirectory.js");
  const { runEnvironment } = await import("../runEnvironment.js");
  const environment = runEnvironment();
  let dir: string;
  if (flags.out === undefined)
    dir = claimRunDirectory(join("reports", `${name}${flags.quick ? "-quick" : ""}`, timeStamp(new Date())));
  else {
    dir = flags.out;
    prepareDirectory(dir, "--out");
    // --force writes the report anew: the runs of an earlier one are not reused.
    if (flags.force) rmSync(join(dir, "runs"), { recursive: true, force: true });
  }
  const { reportProgress } = await import("../reportProgress.js");
  const shown = !flags.quiet;
  const progress = reportProgress(name, !shown);
  const onStep =
    shown && !process.stderr.isTTY
      ? (what: string) => process.stderr.write(`report ${name}: ${what}\n`)
      : undefined;
  const { interruptOnSignals } = await import("../interruption.js");
  const interruption = interruptOnSignals(`report ${name}`);
  const startedMs = performance.now();
  let path: string;
  try {
    const report = await notebook.build({
      signal: interruption.controller.signal,
      quick: flags.quick,
      seed: flags.seed,
      runsDir: join(dir, "runs"),
      runs: progress,
      onStep,
    });
    path = report.write(dir, environment);
  } catch (err) {
    progress.stop();
    // The runs done are kept in <dir>/runs: the same command with --out <dir> does only the rest.
    const again = `npx seep report ${name}${flags.quick ? " --quick" : ""}${flags.seed === undefined ? "" : ` --seed ${flags.seed}`} --out ${dir}`;
    const kept = existsSync(join(dir, "runs"));
    if (interruption.signal() !== null) {
      process.stderr.write(
        `seep: report ${name} interrupted, not written${kept ? `; the runs done are kept: \`${again}\` goes on from them` : ""}\n`,
      );
      process.exitCode = interruption.exitCode();
      return;
    }
    if (kept)
      process.stderr.write(
        `report ${name}: not written; the runs done are kept: \`${again}\` goes on from them\n`,
      );
    throw err;
  } finally {
    progress.stop();
    interruption.dispose();
  }
  if (flags.out === undefined) pointLatest(dir);
  const wallS = (performance.now() - startedMs) / 1000;
  process.stdout.write(`report ${name} written in ${wallS.toFixed(1)} s: ${path}\n`);
}
