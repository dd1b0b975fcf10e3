// `seep chaos`: a chaos campaign. Each run's fault schedule is drawn from its seed (a
// crash at any time, during a checkpoint or during a recovery, two VMs at once, a
// straggler, a partition that heals; with `--kinds`, crashes aimed at the run's
// reconfigurations), and its output is compared with the failure-free run of the same seed. The
// command prints the table of runs, writes it as CSV, gives the command that reproduces
// each failing run, and fails (exit 1) when any run failed. The campaign itself is in
// sim/chaos/; this command reads the clock and writes the file around it. A scaling the
// strategy does not support yet is refused in one line before any run. An existing
// table is overwritten only with --force, and a campaign estimated long (two simulations
// per run) only with --yes (cli/runEstimate.ts). `--jobs` runs the seeds on a pool of
// processes (lab/chaosPool.ts, the sweeps' pool; default: one per core), which gives the
// same rows as running them here one after another (`--jobs 1`); there Ctrl-C stops the
// pool, keeps the table of the runs done and exits 130.

import { writeFileSync } from "node:fs";
import { type Command, InvalidArgumentError, Option } from "commander";
import {
  ALL_FAULT_KINDS,
  FAULT_KINDS,
  type FaultKind,
  RECONFIGURATION_KINDS,
} from "../../sim/chaos/faultKinds.js";
import type { ChaosRun } from "../../sim/chaos/index.js";
import type { Experiment } from "../../sim/experiment.js";
import { RunFailure, UserError } from "../errors.js";
import {
  EXPERIMENT_ARGUMENT,
  experimentSeedOption,
  forceOption,
  integerOption,
  parseInteger,
  quietOption,
  yesOption,
} from "../options.js";
import { parseSetting, type Setting } from "../settings.js";
import { stopsAfterValidation, validatesOnly } from "../validateOnly.js";

/** Most runs of one campaign. */
const RUNS_MAX = 10_000;

/** The strategies `--strategy` takes (engine/faultTolerance/options.ts). */
const STRATEGIES = ["none", "rsm", "upstream-backup", "source-replay", "global-snapshot"] as const;

/** A `--set` as typed (for the reproducing command) and as parsed. */
interface TypedSetting {
  readonly text: string;
  readonly setting: Setting;
}

/** Flags of `seep chaos`, as parsed. */
interface ChaosFlags {
  readonly runs: number;
  readonly jobs?: number;
  readonly seed?: number;
  readonly strategy?: (typeof STRATEGIES)[number];
  readonly out?: string;
  readonly set?: readonly TypedSetting[];
  readonly kinds?: readonly FaultKind[];
  readonly drawScaling: boolean;
  /** False with --no-coordinator-crashes. */
  readonly coordinatorCrashes: boolean;
  readonly quiet: boolean;
  readonly force: boolean;
  readonly yes: boolean;
}

/** Register `seep chaos` on `program`. */
export function registerChaos(program: Command): void {
  const chaos = program
    .command("chaos")
    .description(
      "run a chaos campaign: runs with fault schedules drawn from their seeds, each compared with the " +
        "failure-free run of its seed; prints and writes the table, exits 1 if any run failed",
    )
    .summary("run a chaos campaign of seeded fault schedules")
    .argument("<experiment>", EXPERIMENT_ARGUMENT)
    .addOption(integerOption("--runs <n>", "number of runs", 20, { min: 1, max: RUNS_MAX }))
    .addOption(experimentSeedOption("seed of the first run; run i has seed + i"))
    .addOption(
      new Option(
        "--jobs <n>",
        "processes running the runs at once, on a pool (lab/chaosPool.ts); 1 runs them in this process " +
          "(default: the cores available, os.availableParallelism())",
      ).argParser((v: string) => parseInteger("--jobs", v, { min: 1, max: 1024 })),
    )
    .addOption(
      new Option(
        "--strategy <name>",
        "fault-tolerance strategy (default: the experiment's faultTolerance.strategy, else none)",
      ).choices(STRATEGIES),
    )
    .addOption(
      new Option(
        "--out <file>",
        "CSV file of the table (default: a new runs/<name>/<time>-seed<seed>-chaos-<strategy>.csv)",
      ),
    )
    .addOption(
      new Option(
        "--set <key=value>",
        "set a dotted key of the experiment before validation, e.g. workload.params.xways=2; repeatable " +
          "(default: none)",
      ).argParser((text: string, previous: readonly TypedSetting[] | undefined): TypedSetting[] => [
        ...(previous ?? []),
        { text, setting: parseSetting(text) },
      ]),
    )
    .addOption(
      new Option(
        "--kinds <list>",
        `kinds of fault schedule the seeds rotate through, comma-separated, or "all" (default: ` +
          `${FAULT_KINDS.join(",")}; aimed at reconfigurations: ${RECONFIGURATION_KINDS.join(",")})`,
      ).argParser(parseKinds),
    )
    .addOption(
      new Option(
        "--draw-scaling",
        "draw each run's scale outs, migrations and scale ins (1 to 3, of operators that take their input " +
          "by key) and its state transfer (stopping or live) from its seed, in place of the experiment's " +
          "scheduled ones (default: off)",
      ).default(false),
    )
    .addOption(
      new Option(
        "--no-coordinator-crashes",
        "draw no coordinator crashes (by default half the runs get one on top of their VM faults: during a " +
          "recovery, a reconfiguration, a checkpoint round or at any time; a new leader takes over from the journal) " +
          "(default: drawn)",
      ),
    )
    .addOption(quietOption())
    .addOption(forceOption("the CSV file"))
    .addOption(yesOption())
    .action(runChaosCommand);
  stopsAfterValidation(chaos);
}

async function runChaosCommand(source: string, flags: ChaosFlags, command: Command): Promise<void> {
  // Loaded here, not at startup, so that `seep --help` stays fast.
  const { loadExperiment } = await import("../experimentFile.js");
  const { formatRunTable, runCampaign, runTableCsv } = await import("../../sim/chaos/index.js");
  const { jobPlan } = await import("../../engine/index.js");
  const kinds = flags.kinds ?? FAULT_KINDS;
  const { checkOutputFile, prepareOutputFile } = await import("../outputPath.js");
  const { confirmSimulation, estimateSimulation, terminalQuestion } = await import("../runEstimate.js");

  const sets = flags.set ?? [];
  // --strategy is applied before the checks of validation, so that a reconfiguration it does
  // not support yet is refused here in one line, before any run.
  const loaded = await loadExperiment(source, {
    settings: sets.map((s) => s.setting),
    seed: flags.seed,
    strategy: flags.strategy,
  });
  const { experiment } = loaded;
  const strategy = experiment.faultTolerance.strategy;
  const firstSeed = experiment.seed;
  if (firstSeed > Number.MAX_SAFE_INTEGER - flags.runs + 1)
    throw new UserError(`--seed ${firstSeed} and --runs ${flags.runs}: run seeds would pass 2^53 - 1`);
  // Without --out, a file of the campaign's own (runDirectory.ts), claimed when it starts.
  if (flags.out !== undefined) checkOutputFile(flags.out, "--out", flags.force);
  const validating = validatesOnly(command);
  // Each run is simulated twice: without faults, then with its schedule.
  // A job that does not say its size is not estimated.
  if (loaded.size !== null)
    await confirmSimulation(
      `the campaign on ${loaded.where}`,
      estimateSimulation(experiment, loaded.plan, loaded.size),
      { yes: flags.yes, ask: validating ? undefined : terminalQuestion() },
      2 * flags.runs,
    );
  if (validating) return;
  // A replayed Linear Road file is read through first: a bad line is one line here, not a failure mid-campaign.
  const { checkLrbInput } = await import("../lrbInput.js");
  checkLrbInput(experiment, loaded.where, (line) => process.stderr.write(`${line}\n`));
  const { claimRunFile, defaultRunDirectory } = await import("../runDirectory.js");
  let out: string;
  if (flags.out === undefined)
    out = claimRunFile(
      `${defaultRunDirectory(experiment.name, firstSeed, new Date(), `-chaos-${strategy}`)}.csv`,
    );
  else {
    out = flags.out;
    prepareOutputFile(out, "--out");
  }
  const write = (runs: readonly ChaosRun[]) => {
    try {
      writeFileSync(out, runTableCsv(runs));
    } catch (err) {
      throw new UserError(`--out ${out}: cannot write: ${(err as Error).message}`);
    }
  };
  write([]);

  const print = (line: string) => process.stdout.write(`${line}\n`);
  const last = firstSeed + flags.runs - 1;
  print(
    `chaos: ${loaded.where}, strategy ${strategy}, ${flags.runs} run${flags.runs === 1 ? "" : "s"}, ` +
      `seed${flags.runs === 1 ? ` ${firstSeed}` : `s ${firstSeed}..${last}`}`,
  );
  print(`faults: one schedule per run, its kind rotating with the seed (${kinds.join(", ")})`);
  if (flags.coordinatorCrashes)
    print(
      "coordinator: half the runs also crash the coordinator (a new leader takes over from its journal after faultTolerance.coordinatorTakeoverMs)",
    );
  if (flags.drawScaling)
    print("scaling: one to three reconfigurations per run, drawn from its seed (stopping or live)");
  if (
    kinds.some((k) => (RECONFIGURATION_KINDS as readonly string[]).includes(k)) &&
    !flags.drawScaling &&
    !scales(experiment)
  )
    print("the experiment does not reconfigure: the crashes aimed at reconfigurations are skipped");
  if (strategy === "none")
    print(
      "strategy none does not recover from failures: its runs are expected to lose output and fail; " +
        "the verdict checks correctness only under the strategies that recover",
    );

  const bar = process.stderr.isTTY && !flags.quiet ? await campaignBar(flags.runs) : null;
  const startedMs = performance.now();
  let done: ChaosRun[] = [];
  let failed = 0;
  const jobs = Math.min(flags.jobs ?? (await import("node:os")).availableParallelism(), flags.runs);
  let interrupted: number | null = null;
  try {
    if (jobs <= 1)
      runCampaign({
        experiment,
        planOf: (e) => jobPlan(loaded.job, e.workload.params, e.seed),
        runs: flags.runs,
        firstSeed,
        kinds,
        drawScaling: flags.drawScaling,
        coordinatorCrashes: flags.coordinatorCrashes,
        onRun: (run) => {
          done.push(run);
          if (!run.passed) failed++;
          write(done);
          bar?.update(done.length, failed, (performance.now() - startedMs) / 1000);
        },
      });
    else {
      // The same runs on a pool of processes (lab/chaosPool.ts): the same rows, in seed order.
      const { runCampaignOnPool } = await import("../../lab/chaosPool.js");
      const { interruptOnSignals } = await import("../interruption.js");
      const interruption = interruptOnSignals("the campaign");
      try {
        const result = await runCampaignOnPool({
          input: { source },
          overrides: { settings: sets.map((s) => s.setting), seed: flags.seed, strategy: flags.strategy },
          runs: flags.runs,
          firstSeed,
          kinds,
          drawScaling: flags.drawScaling,
          coordinatorCrashes: flags.coordinatorCrashes,
          jobs,
          signal: interruption.controller.signal,
          onRun: (run, all) => {
            done = [...all];
            if (!run.passed) failed++;
            write(done);
            bar?.update(done.length, failed, (performance.now() - startedMs) / 1000);
          },
        });
        if (result.interrupted) interrupted = interruption.exitCode();
      } finally {
        interruption.dispose();
      }
    }
  } finally {
    bar?.stop();
  }
  const wallS = (performance.now() - startedMs) / 1000;

  print("");
  print(formatRunTable(done));
  const failing = done.filter((r) => !r.passed);
  if (failing.length > 0) {
    print("");
    print("failing runs, and the command that reproduces each:");
    const command = (seed: number) =>
      [
        "npx seep chaos",
        shellWord(source),
        "--runs 1",
        `--seed ${seed}`,
        `--strategy ${strategy}`,
        ...(flags.kinds === undefined ? [] : [`--kinds ${kinds.join(",")}`]),
        ...(flags.drawScaling ? ["--draw-scaling"] : []),
        ...(flags.coordinatorCrashes ? [] : ["--no-coordinator-crashes"]),
        ...sets.map((s) => `--set ${shellWord(s.text)}`),
      ].join(" ");
    for (const r of failing) print(`  seed ${r.seed}: ${whyFailed(r)}\n    ${command(r.seed)}`);
  }
  print("");
  print(`table written to ${out}`);
  print(`${done.length} runs, ${failed} failed, wall ${wallS.toFixed(1)} s`);
  if (interrupted !== null) {
    process.stderr.write(
      `seep: interrupted: ${done.length} of ${flags.runs} runs done, their table in ${out}\n`,
    );
    process.exitCode = interrupted;
    return;
  }
  if (failed > 0)
    throw new RunFailure(
      `${failed} of ${done.length} runs failed` +
        (strategy === "none" ? " (expected under strategy none, which does not recover)" : ""),
    );
}

/** `--kinds`: known kinds, comma-separated, or "all"; a wrong one is one line naming it and the choices. */
function parseKinds(text: string): FaultKind[] {
  if (text === "all") return [...ALL_FAULT_KINDS];
  const kinds = text.split(",").map((k) => k.trim());
  for (const k of kinds)
    if (!(ALL_FAULT_KINDS as readonly string[]).includes(k))
      throw new InvalidArgumentError(`unknown kind "${k}" (kinds: ${ALL_FAULT_KINDS.join(", ")}, or all)`);
  return kinds as FaultKind[];
}

/** True when the experiment reconfigures (scheduled scalings, or the threshold policy). */
function scales(e: Experiment): boolean {
  return e.scaling.policy === "threshold" || e.scaling.scaleOuts.length + e.scaling.scaleIns.length > 0;
}

/** What went wrong in a failing run, in a few words. */
function whyFailed(r: ChaosRun): string {
  if (r.error !== null) return `error: ${r.error}`;
  const parts: string[] = [];
  if (r.hang !== null) parts.push(`hang (${r.hang})`);
  for (const [n, what] of [
    [r.lost, "lost"],
    [r.duplicated, "duplicated"],
    [r.spurious, "spurious"],
  ] as const)
    if (n > 0) parts.push(`${n} ${what}`);
  if (r.reordered > 0) parts.push(`${r.reordered} (sink, key) streams reordered`);
  if (parts.length === 0 && !r.digestMatches) parts.push("output digest differs");
  return `${parts.join(", ")}; faults: ${r.faults}`;
}

/** `word` as one shell word: as is when it is plain, else in single quotes. */
function shellWord(word: string): string {
  return /^[\w./=:,@+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A progress bar of the campaign's runs on stderr. */
async function campaignBar(total: number) {
  const { Presets, SingleBar } = await import("cli-progress");
  const bar = new SingleBar(
    {
      stream: process.stderr,
      format: "{bar} {value}/{total} runs | {failed} failed | {wallS} s wall | ETA {eta_formatted}",
      // The campaign blocks the event loop, so Ctrl-C kills seep at once: leave the
      // cursor and line wrapping alone (see cli/simProgressBar.ts).
      hideCursor: false,
      linewrap: true,
      etaBuffer: 20,
    },
    Presets.shades_classic,
  );
  bar.start(total, 0, { failed: 0, wallS: "0.0" });
  return {
    update: (runs: number, failed: number, wallS: number) =>
      bar.update(runs, { failed, wallS: wallS.toFixed(1) }),
    stop: () => bar.stop(),
  };
}
