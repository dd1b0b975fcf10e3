// `seep sweep`: an experiment run at every point of a grid of its settings (`--grid
// path=v1,v2`, repeatable: the cross product) with `--seeds` seeds each, in parallel on a
// pool of `--jobs` processes (lab/: the sweep is a function of the library; this command
// reads the clock and the signals around it). Before any run the experiment is validated
// at every grid value and point (a wrong path or value is one line naming the `--grid`)
// and the sweep's work estimated (a long one needs --yes). The sweep's directory (by
// default a new runs/<name>/<time>-sweep, with a `latest` link) gets sweep.json first,
// each run's files in a directory of its own, and the tables runs.csv/.json and
// aggregate.csv/.json at the end. Running the same sweep into its directory (`--out DIR`
// again, or `--resume DIR`) runs only the runs without a summary.json; another sweep
// there is refused. Ctrl-C stops the pool, keeps the runs done, writes the tables from
// them and exits 130 with the command that resumes. Exit 1 when a run failed or stalled.

import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { type Command, Option } from "commander";
// lab/grid.ts loads only cli/ helpers, not the simulator: `seep --help` stays fast.
import { collectGridAxis, type GridAxis } from "../../lab/grid.js";
import { RunFailure, UserError } from "../errors.js";
import { EXPERIMENT_ARGUMENT, integerOption, parseInteger, quietOption, yesOption } from "../options.js";
import { collectSetting, type Setting } from "../settings.js";
import { stopsAfterValidation, validatesOnly } from "../validateOnly.js";

/** Most runs of one sweep (points times seeds). */
const RUNS_MAX = 100_000;

/** The outputs' formats; a sweep writes none by default (Linear Road's are large). */
const OUTPUTS = ["csv", "csv.gz", "none"] as const;

/** Flags of `seep sweep`, as parsed. */
interface SweepFlags {
  readonly grid?: readonly GridAxis[];
  readonly seeds: number;
  readonly firstSeed: number;
  readonly jobs?: number;
  readonly out?: string;
  readonly resume?: string;
  readonly set?: readonly Setting[];
  readonly outputs: (typeof OUTPUTS)[number];
  readonly quiet: boolean;
  readonly yes: boolean;
}

/** Register `seep sweep` on `program`. */
export function registerSweep(program: Command): void {
  const sweep = program
    .command("sweep")
    .description(
      "run an experiment at every point of a grid of its settings with several seeds, in parallel, " +
        "into one directory with a table of every run and an aggregate (median, mean, 95% CI) per point",
    )
    .summary("simulate over a grid of settings and seeds")
    .argument("[experiment]", `${EXPERIMENT_ARGUMENT} (none with --resume)`)
    .addOption(
      new Option(
        "--grid <path=values>",
        "an axis of the grid: a dotted path of the experiment and its comma-separated values, e.g. " +
          "faultTolerance.strategy=rsm,upstream-backup; repeatable, the runs are the cross product " +
          "(default: none, the experiment as it is)",
      ).argParser(collectGridAxis),
    )
    .addOption(integerOption("--seeds <n>", "seeds of each grid point", 1, { min: 1, max: RUNS_MAX }))
    .addOption(integerOption("--first-seed <s>", "the first seed; the seeds are s, s+1, ...", 1, { min: 0 }))
    .addOption(
      new Option(
        "--jobs <n>",
        "processes running simulations at once (default: the cores available, os.availableParallelism())",
      ).argParser((v: string) => parseInteger("--jobs", v, { min: 1, max: 1024 })),
    )
    .addOption(
      new Option(
        "--out <dir>",
        "the sweep's directory; the same sweep run into it again resumes it (default: a new runs/<name>/<time>-sweep)",
      ),
    )
    .addOption(
      new Option(
        "--resume <dir>",
        "resume the sweep in <dir> as its sweep.json defines it: only runs without a summary.json run " +
          "(default: none)",
      ),
    )
    .addOption(
      new Option(
        "--set <key=value>",
        "set a dotted key of the experiment before validation, as seep sim does; repeatable (default: none)",
      ).argParser(collectSetting),
    )
    .addOption(
      new Option(
        "--outputs <format>",
        "each run's sinks' outputs: csv, csv.gz or none (each summary's output digest still covers them)",
      )
        .choices(OUTPUTS)
        .default("none"),
    )
    .addOption(quietOption())
    .addOption(yesOption())
    .action(runSweepCommand);
  stopsAfterValidation(sweep);
}

/** What a sweep runs, from the flags or from the sweep.json of --resume. */
interface SweepSpec {
  readonly source: string;
  readonly settings: readonly Setting[];
  readonly grid: readonly GridAxis[];
  readonly points?: readonly { readonly values: readonly { path: string; value: unknown }[] }[];
  readonly seeds: readonly number[];
  readonly outputs: (typeof OUTPUTS)[number];
  readonly dir?: string;
  readonly flag: string;
}

async function runSweepCommand(
  source: string | undefined,
  flags: SweepFlags,
  command: Command,
): Promise<void> {
  const spec = await sweepSpec(source, flags, command);
  const { gridPoints } = await import("../../lab/grid.js");
  const { validateSweep } = await import("../../lab/sweepValidation.js");
  const input = { source: spec.source };
  const points = spec.points?.map((p, index) => ({ index, values: p.values })) ?? gridPoints(spec.grid);
  const total = points.length * spec.seeds.length;
  if (total > RUNS_MAX)
    throw new UserError(`${total} runs (points times seeds): at most ${RUNS_MAX} a sweep`);
  const base = await validateSweep(input, spec.settings, spec.grid, points, spec.seeds[0]);
  const { checkOutputDirectory } = await import("../outputPath.js");
  if (spec.dir !== undefined) checkOutputDirectory(spec.dir, spec.flag, true, "sweep.json", "a sweep");
  const validating = validatesOnly(command);
  const { confirmSimulation, estimateSimulation, terminalQuestion } = await import("../runEstimate.js");
  // A job that does not say its size is not estimated.
  if (base.size !== null)
    await confirmSimulation(
      `the sweep on ${base.where}`,
      estimateSimulation(base.experiment, base.plan, base.size),
      { yes: flags.yes, ask: validating ? undefined : terminalQuestion() },
      total,
    );
  if (validating) return;
  // A replayed Linear Road file is read through first: a bad line is one line here, not a failed row per run.
  const { checkLrbInput } = await import("../lrbInput.js");
  checkLrbInput(base.experiment, base.where, (line) => process.stderr.write(`${line}\n`));
  const { claimRunDirectory, pointLatest, timeStamp } = await import("../runDirectory.js");
  const dir =
    spec.dir ?? claimRunDirectory(join("runs", base.experiment.name, `${timeStamp(new Date())}-sweep`));
  try {
    await sweepInto(dir, spec, points, flags);
  } finally {
    // Its runs and tables are there, failed or interrupted: the newest of runs/<name>/.
    if (spec.dir === undefined) pointLatest(dir);
  }
}

/** Run the sweep into `dir` with a progress display and signal handling; print where its tables are. */
async function sweepInto(
  dir: string,
  spec: SweepSpec,
  points: readonly { index: number; values: readonly { path: string; value: unknown }[] }[],
  flags: SweepFlags,
): Promise<void> {
  const { runSweep } = await import("../../lab/sweep.js");
  const { runsProgress } = await import("../sweepProgress.js");
  const { interruptOnSignals } = await import("../interruption.js");
  const print = (line: string) => process.stdout.write(`${line}\n`);
  const interruption = interruptOnSignals("the sweep");
  let progress: ReturnType<typeof runsProgress> | null = null;
  const startedMs = performance.now();
  let result: Awaited<ReturnType<typeof runSweep>>;
  try {
    result = await runSweep({
      experiment: { source: spec.source },
      settings: spec.settings,
      grid: spec.grid,
      points: spec.points === undefined ? undefined : points,
      seeds: spec.seeds,
      dir,
      dirFlag: spec.flag,
      outputs: spec.outputs,
      jobs: flags.jobs,
      signal: interruption.controller.signal,
      onStart: (plan) => {
        print(
          `sweep: ${spec.source}, ${points.length} point${points.length === 1 ? "" : "s"} x ${spec.seeds.length} ` +
            `seed${spec.seeds.length === 1 ? "" : "s"} = ${plan.total} runs` +
            (plan.skipped > 0 ? ` (${plan.skipped} done already, ${plan.toRun} to run)` : "") +
            `, on ${plan.jobs} process${plan.jobs === 1 ? "" : "es"}; into ${dir}`,
        );
        progress = runsProgress(plan.toRun, flags.quiet);
      },
      onRun: (row, p) =>
        progress?.update(
          p.done,
          p.failed,
          `${row.run ?? `point ${row.point.index + 1} seed ${row.seed}`}: ${row.status}` +
            (row.error === null ? "" : `: ${row.error}`),
        ),
    });
  } finally {
    (progress as ReturnType<typeof runsProgress> | null)?.stop();
    interruption.dispose();
  }
  const wallS = (performance.now() - startedMs) / 1000;
  print(`tables: ${join(dir, "runs.csv")}, ${join(dir, "aggregate.csv")} (and .json)`);
  const done = result.rows.length;
  print(`${done} of ${result.total} runs done, ${result.failed} failed, wall ${wallS.toFixed(1)} s`);
  if (result.interrupted) {
    process.stderr.write(
      `seep: interrupted: ${done} of ${result.total} runs done and kept in ${dir}; resume with: npx seep sweep --resume ${shellWord(dir)}\n`,
    );
    process.exitCode = interruption.exitCode();
    return;
  }
  if (result.failed > 0)
    throw new RunFailure(
      `${result.failed} of ${result.total} runs failed or stalled: see the status and error columns of ${join(dir, "runs.csv")}`,
    );
}

/** The sweep the flags ask for, or the one --resume's sweep.json defines. */
async function sweepSpec(
  source: string | undefined,
  flags: SweepFlags,
  command: Command,
): Promise<SweepSpec> {
  if (flags.resume !== undefined) {
    const given = ["grid", "set", "seeds", "firstSeed", "outputs", "out"].filter(
      (k) => command.getOptionValueSource(k) === "cli",
    );
    if (source !== undefined || given.length > 0)
      throw new UserError(
        `--resume ${flags.resume}: the sweep is as its sweep.json defines it; drop ${
          source !== undefined ? "the experiment" : `--${kebab(given[0])}`
        }`,
      );
    const { readDefinition } = await import("../../lab/sweepDefinition.js");
    if (!existsSync(flags.resume)) throw new UserError(`--resume ${flags.resume}: no such directory`);
    const d = readDefinition(flags.resume);
    if (d === null)
      throw new UserError(`--resume ${flags.resume}: no sweep.json there: not a sweep's directory`);
    return {
      source: d.experiment,
      settings: d.settings.map((s) => ({ key: s.key, path: s.key.split("."), value: s.value })),
      grid: d.grid,
      points: d.points,
      seeds: d.seeds,
      outputs: d.outputs,
      dir: flags.resume,
      flag: "--resume",
    };
  }
  if (source === undefined) throw new UserError("seep sweep needs an <experiment>, or --resume <dir>");
  if (flags.firstSeed > Number.MAX_SAFE_INTEGER - flags.seeds + 1)
    throw new UserError(
      `--first-seed ${flags.firstSeed} and --seeds ${flags.seeds}: seeds would pass 2^53 - 1`,
    );
  return {
    // A file by its absolute path, so that --resume finds it from any directory.
    source: existsSync(source) ? resolve(source) : source,
    settings: flags.set ?? [],
    grid: flags.grid ?? [],
    seeds: Array.from({ length: flags.seeds }, (_, i) => flags.firstSeed + i),
    outputs: flags.outputs,
    dir: flags.out,
    flag: "--out",
  };
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** `word` as one shell word: as is when it is plain, else in single quotes. */
function shellWord(word: string): string {
  return /^[\w./=:,@+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
