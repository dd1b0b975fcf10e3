// `seep lrb rate`: the L-rating, the largest number of expressways for which a run
// validates and answers everything within 5 seconds, of the real runtime on this machine
// (`--mode real`: local worker processes) or of the simulator (`--mode sim`: a simulated
// cluster priced by the `lrb` preset's calibrated cost model). A full 3-hour run per L is
// too long on one machine, so each L is rated over a window of the stream at its peak rate
// (by default one minute from 2 h 50 min on), replayed at event-time pace (in virtual time
// in the simulator), and validated against the same window; each row says why it failed.

import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Command, Option } from "commander";
import { UserError } from "../errors.js";
import { forceOption, integerOption, positiveNumberOption, quietOption } from "../options.js";
import type { PhaseBars } from "../phaseBar.js";

/** Seconds a rated run may go on past its window before it is cut off (and fails). */
const RUN_MARGIN_S = 30;
/** The speeds a simulated VM may have, as the experiment's cluster.speed allows. */
const VM_SPEED_MIN = 0.001;
const VM_SPEED_MAX = 1000;

/** Flags of `seep lrb rate`, as parsed. */
interface RateFlags {
  readonly mode: "real" | "sim";
  readonly from: number;
  readonly duration: number;
  readonly workers: number;
  readonly vms: number;
  readonly vmSpeed: number;
  readonly seed: number;
  readonly maxXways: number;
  readonly out?: string;
  readonly quiet: boolean;
  readonly force: boolean;
}

/** What a rated run of one L came to, whichever runtime ran it. */
interface WindowOutcome {
  readonly tuplesOut: number;
  readonly latencyMs: { readonly p99: number | null; readonly max: number | null };
  /** Workers (real) or VMs (simulator) lost. */
  readonly lost: number;
  /** The run was stopped before every sink had seen the end of its input. */
  readonly cutOff: boolean;
}

/** Flags that only one mode takes, and that mode. */
const MODE_ONLY: readonly (readonly [string, string, "real" | "sim"])[] = [
  ["workers", "--workers", "real"],
  ["vms", "--vms", "sim"],
  ["vmSpeed", "--vm-speed", "sim"],
];

/** Add `rate` to the `seep lrb` command group. */
export function registerLrbRate(lrb: Command): void {
  lrb
    .command("rate")
    .description(
      "find the L-rating: the largest L whose run validates and meets the 5 s deadline, rated over a window " +
        "of the stream at its peak rate, replayed at event-time pace on local worker processes (real) or in " +
        "the simulator (sim)",
    )
    .summary("find the L-rating of the real runtime or the simulator")
    .addOption(
      new Option("--mode <mode>", "where to run: local worker processes, or the simulator")
        .choices(["real", "sim"])
        .default("real"),
    )
    .addOption(
      integerOption("--from <seconds>", "start of the rated window in event time", 10_200, {
        min: 0,
        max: 86_399,
      }),
    )
    .addOption(
      integerOption("--duration <seconds>", "length of the rated window", 60, { min: 10, max: 10_800 }),
    )
    .addOption(integerOption("--workers <n>", "real: local worker processes", 2, { min: 1, max: 32 }))
    .addOption(integerOption("--vms <n>", "sim: simulated VMs, one core each", 2, { min: 1, max: 64 }))
    .addOption(
      positiveNumberOption(
        "--vm-speed <x>",
        "sim: speed of each simulated VM (1: one core of the machine the cost model was measured on)",
        1,
      ),
    )
    .addOption(integerOption("--seed <n>", "seed of the generated traffic", 1, { min: 0 }))
    .addOption(integerOption("--max-xways <n>", "the largest L tried", 64, { min: 1, max: 1000 }))
    .addOption(
      new Option(
        "--out <dir>",
        "directory for each L's input, answers and report (default: a new runs/lrb-rate/<time>)",
      ),
    )
    .addOption(quietOption())
    .addOption(forceOption("a rating in the --out directory"))
    .action(runRate);
}

async function runRate(flags: RateFlags, command: Command): Promise<void> {
  for (const [key, flag, mode] of MODE_ONLY) {
    if (command.getOptionValueSource(key) === "cli" && flags.mode !== mode)
      throw new UserError(`${flag} is for --mode ${mode} (this is --mode ${flags.mode})`);
  }
  // The simulator's range of a VM's speed (sim/experiment.ts: cluster.speed).
  if (flags.vmSpeed < VM_SPEED_MIN || flags.vmSpeed > VM_SPEED_MAX)
    throw new UserError(
      `--vm-speed expects a number from ${VM_SPEED_MIN} to ${VM_SPEED_MAX}, got ${flags.vmSpeed}`,
    );
  // Without --out, a directory of the rating's own (runDirectory.ts); one named that holds a
  // rating (an L<n> directory) is overwritten only with --force.
  if (flags.out !== undefined && !flags.force) refuseRatingIn(flags.out);
  const { claimRunDirectory, pointLatest, timeStamp } = await import("../runDirectory.js");
  const out = flags.out ?? claimRunDirectory(join("runs", "lrb-rate", timeStamp(new Date())));
  const { lrbFilesBars, writeLrbFiles } = await import("../lrbFiles.js");
  const { PhaseBars } = await import("../phaseBar.js");
  // Each L's phases (its input, its tolls, its run) as a bar on stderr, removed before its row.
  const bars = process.stderr.isTTY && !flags.quiet ? new PhaseBars(process.stderr, { clear: true }) : null;
  const { nextXways, lRating } = await import("../lrbRating.js");
  const { failureReason } = await import("../lrbRateReason.js");
  const { formatReport, validateFiles } = await import("../../workloads/linearRoad/validator/index.js");
  const runs: { xways: number; passed: boolean }[] = [];
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const window = `[${flags.from}, ${flags.from + flags.duration}) s`;
  const sim = flags.mode === "sim";
  const cluster =
    `${flags.vms} simulated VM${flags.vms === 1 ? "" : "s"} of 1 core at speed ${flags.vmSpeed} ` +
    "(1: one core of this machine)";
  if (sim) {
    const { describeCostModel } = await import("../lrbRateSim.js");
    say(
      `rating the simulator: ${cluster}, window ${window} of a generated 3-hour-shaped stream ` +
        `(seed ${flags.seed}), replayed at event-time pace in virtual time`,
    );
    say(describeCostModel());
  } else {
    say(
      `rating the real runtime: ${flags.workers} local workers, window ${window} ` +
        `of a generated 3-hour-shaped stream (seed ${flags.seed}), replayed at event-time pace`,
    );
  }
  const runS = flags.duration + RUN_MARGIN_S;
  say("    L    records    answers  valid  late   p99 ms   max ms  reason");
  for (let xways = nextXways(runs, flags.maxXways); xways !== null; xways = nextXways(runs, flags.maxXways)) {
    const dir = join(out, `L${xways}`);
    mkdirSync(dir, { recursive: true });
    const input = join(dir, "input.csv");
    const label = `L ${xways}: `;
    let records: number;
    let run: WindowOutcome;
    let report: ReturnType<typeof validateFiles>["report"];
    try {
      ({ records } = await writeLrbFiles(
        input,
        flags.seed,
        xways,
        flags.from + flags.duration,
        flags.from,
        bars === null ? undefined : lrbFilesBars(bars, label),
      ));
      const answersPath = join(dir, "answers.csv");
      const progress = bars === null ? undefined : windowBar(bars, `${label}run    `, flags.duration);
      run = sim
        ? await simulatedRun(flags, xways, input, answersPath, progress)
        : await realRun(flags, xways, input, answersPath, progress);
      // Streamed, each answer judged only once the file is a whole run's length past it: every
      // answer leaves within runS of the window's start, so a late one is reported late, not missing.
      ({ report } = validateFiles(
        { input, tolls: `${input}.tolls`, output: answersPath },
        { lookaheadS: runS },
      ));
    } finally {
      bars?.stop();
    }
    writeFileSync(join(dir, "report.txt"), formatReport(report));
    const late = report.mismatches.late.count;
    const passed = report.ok && run.lost === 0;
    runs.push({ xways, passed });
    const reason = passed
      ? "-"
      : failureReason({
          lost: run.lost,
          lostNoun: sim ? "VM" : "worker",
          cutOffAfterS: run.cutOff ? runS : null,
          mismatches: report.mismatches,
        });
    const ms = (x: number | null) => (x === null ? "-" : String(Math.round(x)));
    say(
      `${String(xways).padStart(5)} ${String(records).padStart(10)} ${String(run.tuplesOut).padStart(10)}  ` +
        `${(report.ok ? "yes" : "no").padStart(5)} ${String(late).padStart(5)} ${ms(run.latencyMs.p99).padStart(8)} ` +
        `${ms(run.latencyMs.max).padStart(8)}  ${reason}`,
    );
  }
  const rating = lRating(runs);
  // runs/lrb-rate/latest links to the newest finished rating.
  if (flags.out === undefined) pointLatest(out);
  const capped = rating === flags.maxXways ? `; --max-xways ${flags.maxXways} reached, it may be higher` : "";
  say(
    sim
      ? `L-rating: ${rating} (simulator, ${cluster}, the lrb preset's cost model, ` +
          `over event time ${window}; a full 3-hour run per L is not made${capped})`
      : `L-rating: ${rating} (real runtime, ${flags.workers} local workers on this machine, ` +
          `over event time ${window}; a full 3-hour run per L is not made${capped})`,
  );
}

/** Refuse `dir` as --out if it holds a rating: an `L<n>` directory of one. */
function refuseRatingIn(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return; // absent (created later), or a file: the mkdir below says so in one line
  }
  const held = names.find((n) => /^L\d+$/.test(n));
  if (held !== undefined)
    throw new UserError(
      `--out ${dir}: holds a rating (${held}/); --force overwrites it, or choose another --out`,
    );
}

/** Where a rated run is: `s` seconds into its window, from its start (0) to its end (the window's length). */
type WindowProgress = (s: number) => void;

/** A WindowProgress shown as a bar of `bars` over the window's `durationS` seconds. */
function windowBar(bars: PhaseBars, label: string, durationS: number): WindowProgress {
  return (s) => bars.update(label, s, durationS, "s of window");
}

/** Rate one L in the simulator; Emit times are virtual, so the deadline is checked in virtual time. */
async function simulatedRun(
  flags: RateFlags,
  xways: number,
  input: string,
  answersPath: string,
  progress?: WindowProgress,
): Promise<WindowOutcome> {
  const { simulateWindow } = await import("../lrbRateSim.js");
  const { summary, cutOff } = simulateWindow(
    {
      xways,
      seed: flags.seed,
      input,
      answersPath,
      fromS: flags.from,
      runS: flags.duration + RUN_MARGIN_S,
      cluster: { vms: flags.vms, speed: flags.vmSpeed },
    },
    progress === undefined ? undefined : (p) => progress(p.simulatedMs / 1000 - flags.from),
  );
  return {
    tuplesOut: summary.tuplesOut,
    latencyMs: summary.latencyMs,
    lost: summary.failures.length,
    cutOff,
  };
}

/** Rate one L on local worker processes, at event-time pace in real time. */
async function realRun(
  flags: RateFlags,
  xways: number,
  input: string,
  answersPath: string,
  progress?: WindowProgress,
): Promise<WindowOutcome> {
  const { LrbAnswersFile } = await import("../lrbAnswersFile.js");
  const { CloudRun } = await import("../../cloud/cloudRun.js");
  const { LocalProcessPool } = await import("../../cloud/localProcessPool.js");
  const { seepWorkerCommand } = await import("../../cloud/packageRoot.js");
  const { installSignalCleanup } = await import("../../cloud/signalCleanup.js");
  const { workloadPlan } = await import("../../workloads/index.js");
  const { randomBytes } = await import("node:crypto");
  const params = {
    input,
    // The workers generate the tolls from the seed as queries need them (reading a file of
    // tens of millions of rows would hold up their start); the validator reads the file.
    tollsSeed: flags.seed,
    xways,
    carsParallelism: flags.workers,
    segmentsParallelism: flags.workers,
    accountsParallelism: flags.workers,
  };
  const token = randomBytes(16).toString("hex");
  const pool = new LocalProcessPool({ command: seepWorkerCommand(), token });
  const removeCleanup = installSignalCleanup(pool);
  const answers = new LrbAnswersFile(answersPath);
  try {
    const summary = await new CloudRun({
      name: `lrb-rate-L${xways}`,
      pool,
      poolKind: "local",
      workers: flags.workers,
      token,
      workload: "lrb",
      params,
      plan: workloadPlan("lrb", params, flags.seed),
      seed: flags.seed,
      batchSize: 1024,
      sourcePollMs: 100,
      startEventTimeMs: flags.from * 1000,
      // A run that falls far behind (outputs pile up) is cut off: its answers will not validate.
      untilMs: (flags.duration + RUN_MARGIN_S) * 1000,
      onOutput: (o) => answers.add(o.timeMs, o.value),
      onProgress: progress === undefined ? undefined : (runMs) => progress(runMs / 1000 - flags.from),
    }).run();
    answers.close();
    return {
      tuplesOut: summary.tuplesOut,
      latencyMs: summary.latencyMs,
      lost: summary.failures.length,
      // The run ends when every sink has ended or at untilMs (run time after the window's
      // start), whichever comes first: ending at untilMs means it was cut off.
      cutOff: summary.simulatedSeconds >= flags.from + flags.duration + RUN_MARGIN_S,
    };
  } catch (err) {
    answers.abandon();
    throw err;
  } finally {
    await pool.shutdown();
    removeCleanup();
  }
}
