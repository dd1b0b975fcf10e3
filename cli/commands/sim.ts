// `seep sim`: one simulated run of an experiment (a file or a preset) into a directory of
// files: summary.json, metrics.csv, outputs.csv, trace.bin (and trace.csv), and the
// validated experiment.json that reproduces it. The simulator never reads the clock or
// touches the disk; this command does both, around `Simulation.run`. Before any work it
// checks the output directory (a finished run there needs --force; one that cannot be
// written is one line) and estimates the run (a long one needs --yes: cli/runEstimate.ts).
// A run that stalls (a sink never ended, though nothing stopped it on purpose) writes all
// its files, then fails in one line (exit 1); one stopped at --until does not fail.

import { join } from "node:path";
import { type Command, Option } from "commander";
import type { SimSummary } from "../../sim/index.js";
import {
  EXPERIMENT_ARGUMENT,
  experimentSeedOption,
  forceOption,
  outputsOption,
  parsePositiveNumber,
  quietOption,
  UNTIL_S_MAX,
  yesOption,
} from "../options.js";
import { scalingLine } from "../scalingLine.js";
import { collectSetting, type Setting } from "../settings.js";
import { stopsAfterValidation, validatesOnly } from "../validateOnly.js";

/** Flags of `seep sim`, as parsed. */
interface SimFlags {
  readonly seed?: number;
  readonly out?: string;
  readonly until?: number;
  readonly set?: readonly Setting[];
  readonly traceCsv: boolean;
  readonly quiet: boolean;
  readonly outputs: "csv" | "csv.gz" | "none";
  readonly force: boolean;
  readonly yes: boolean;
}

/** Register `seep sim` on `program`. */
export function registerSim(program: Command): void {
  const sim = program
    .command("sim")
    .description(
      "simulate an experiment on a virtual cloud and write its summary, metrics, outputs and trace",
    )
    .summary("simulate an experiment on a virtual cloud")
    .argument("<experiment>", EXPERIMENT_ARGUMENT)
    .addOption(experimentSeedOption("seed of the run"))
    .addOption(
      new Option(
        "--out <dir>",
        "directory for the run's files (default: a new runs/<name>/<time>-seed<seed>)",
      ),
    )
    .addOption(
      new Option(
        "--until <seconds>",
        "stop at this simulated time, in s (default: the experiment's untilS, else the end of the stream)",
      ).argParser((v: string) => parsePositiveNumber("--until", v, UNTIL_S_MAX)),
    )
    .addOption(
      new Option(
        "--set <key=value>",
        "set a dotted key of the experiment before validation, e.g. cluster.vms=8; repeatable (default: none)",
      ).argParser(collectSetting),
    )
    .addOption(new Option("--trace-csv", "also write the trace as trace.csv").default(false))
    .addOption(outputsOption())
    .addOption(quietOption())
    .addOption(forceOption("a finished run in the output directory"))
    .addOption(yesOption())
    .action(runSim);
  stopsAfterValidation(sim);
}

async function runSim(source: string, flags: SimFlags, command: Command): Promise<void> {
  // Loaded here, not at startup, so that `seep --help` stays fast.
  const { loadExperiment } = await import("../experimentFile.js");
  const { RUN_FILES } = await import("../runFiles.js");
  const { SimProgressBar } = await import("../simProgressBar.js");
  const { runEndLines, stalledRunFailure } = await import("../runEnd.js");
  const { checkOutputDirectory, prepareDirectory } = await import("../outputPath.js");
  const { confirmSimulation, estimateSimulation, terminalQuestion } = await import("../runEstimate.js");

  const { experiment, job, plan, size, where } = await loadExperiment(source, {
    settings: flags.set ?? [],
    seed: flags.seed,
    untilS: flags.until,
  });
  const { claimRunDirectory, defaultRunDirectory, pointLatest } = await import("../runDirectory.js");
  // Without --out, a directory of the run's own (runDirectory.ts), claimed when it starts.
  if (flags.out !== undefined)
    checkOutputDirectory(flags.out, "--out", flags.force, RUN_FILES.summary, "a finished run");
  const validating = validatesOnly(command);
  // A job that does not say its size is not estimated.
  if (size !== null)
    await confirmSimulation(where, estimateSimulation(experiment, plan, size), {
      yes: flags.yes,
      ask: validating ? undefined : terminalQuestion(),
    });
  if (validating) return;
  // A replayed Linear Road file is read through first: a bad line is one line here, not a failure mid-run.
  const { checkLrbInput } = await import("../lrbInput.js");
  checkLrbInput(experiment, where, (line) => process.stderr.write(`${line}\n`));
  let dir: string;
  if (flags.out === undefined)
    dir = claimRunDirectory(defaultRunDirectory(experiment.name, experiment.seed, new Date()));
  else {
    dir = flags.out;
    prepareDirectory(dir, "--out");
  }
  const bar =
    process.stderr.isTTY && !flags.quiet ? new SimProgressBar(process.stderr, experiment.untilS) : null;
  const { runEnvironment } = await import("../runEnvironment.js");
  const environment = runEnvironment();
  const { simulateRun } = await import("../simulateRun.js");
  let summary: SimSummary;
  try {
    summary = simulateRun({ experiment, job, plan, size, where }, dir, {
      outputs: flags.outputs,
      traceCsv: flags.traceCsv,
      environment,
      onProgress: bar?.update,
    });
  } finally {
    bar?.stop();
  }
  if (flags.out === undefined) pointLatest(dir);
  process.stdout.write(`${formatSummary(summary, dir, runEndLines(summary))}\n`);
  const stalled = stalledRunFailure(summary, join(dir, RUN_FILES.summary));
  if (stalled !== null) throw stalled;
}

/** A few lines for a person: what ran, how long, how much, how fast, and where the files are. */
function formatSummary(s: SimSummary, dir: string, endLines: readonly string[]): string {
  const wallS = s.wallSeconds ?? 0;
  const perS = wallS > 0 ? Math.round(s.events / wallS) : 0;
  const ms = (x: number | null) => (x === null ? "n/a" : `${x} ms`);
  return [
    `${s.name}, seed ${s.seed}: ${s.simulatedSeconds.toFixed(3)} s simulated in ${wallS.toFixed(2)} s wall clock`,
    `events ${s.events} (${perS} events/s), tuples in ${s.tuplesIn}, out ${s.tuplesOut}`,
    `latency p50 ${ms(s.latencyMs.p50)}, p99 ${ms(s.latencyMs.p99)}, max ${ms(s.latencyMs.max)}`,
    `VMs max ${s.vmsMax}, ${s.vmSeconds} VM-seconds, failures ${s.failures.length} (fault tolerance: ${s.faultTolerance})`,
    ...s.recoveries.map(
      (r) =>
        `recovery of ${r.instances.join(" ")}: failed ${r.failedAtMs} ms, detected ${r.detectedAtMs} ms, ` +
        `restored ${r.restoredAtMs ?? "never"}, caught up ${r.caughtUpAtMs ?? "never"}` +
        (r.recoveryMs === null ? "" : ` (recovery ${r.recoveryMs} ms)`),
    ),
    ...s.scaleOuts.map(scalingLine),
    ...(s.shedTuples > 0
      ? [`load shedding dropped ${s.shedTuples} tuples (${(s.shedShare * 100).toFixed(1)}% of the input)`]
      : []),
    ...(s.deadlineMet === null
      ? []
      : [`deadline ${s.deadlineMet ? "met" : "missed"} (latency max ${ms(s.latencyMs.max)})`]),
    ...endLines,
    `trace ${s.traceHash} (${s.traceRecords} records), output digest ${s.outputDigest}`,
    `files in ${dir}`,
  ].join("\n");
}
