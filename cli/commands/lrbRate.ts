// `seep lrb rate`: the L-rating of the real runtime on this machine, the largest number
// of expressways for which a run validates and answers everything within 5 seconds. A
// full 3-hour run per L is too long on one machine, so each L is rated over a window of
// the stream at its peak rate (by default one minute from 2 h 50 min on), replayed at
// event-time pace on local worker processes, and validated against the same window.

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Command, Option } from "commander";
import { integerOption } from "../options.js";

/** Seconds a rated run may go on past its window before it is cut off (and fails). */
const RUN_MARGIN_S = 30;

/** Flags of `seep lrb rate`, as parsed. */
interface RateFlags {
  readonly mode: "real";
  readonly from: number;
  readonly duration: number;
  readonly workers: number;
  readonly seed: number;
  readonly maxXways: number;
  readonly out: string;
}

/** Add `rate` to the `seep lrb` command group. */
export function registerLrbRate(lrb: Command): void {
  lrb
    .command("rate")
    .description(
      "find the L-rating: the largest L whose run validates and meets the 5 s deadline, rated over a window " +
        "of the stream at its peak rate, replayed at event-time pace on local worker processes",
    )
    .addOption(
      new Option("--mode <mode>", "where to run (only the real runtime is rated so far)")
        .choices(["real"])
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
    .addOption(integerOption("--workers <n>", "local worker processes", 2, { min: 1, max: 32 }))
    .addOption(integerOption("--seed <n>", "seed of the generated traffic", 1, { min: 0 }))
    .addOption(integerOption("--max-xways <n>", "the largest L tried", 64, { min: 1, max: 1000 }))
    .addOption(
      new Option("--out <dir>", "directory for each L's input, answers and report").default("runs/lrb-rate"),
    )
    .action(runRate);
}

async function runRate(flags: RateFlags): Promise<void> {
  const { writeLrbFiles } = await import("./lrb.js");
  const { nextXways, lRating } = await import("../lrbRating.js");
  const { LrbAnswersFile } = await import("../lrbAnswersFile.js");
  const { CloudRun } = await import("../../cloud/cloudRun.js");
  const { LocalProcessPool } = await import("../../cloud/localProcessPool.js");
  const { installSignalCleanup } = await import("../../cloud/signalCleanup.js");
  const { workloadNamed } = await import("../../workloads/index.js");
  const { expectedAnswers, validate } = await import("../../workloads/linearRoad/validator/index.js");
  const { randomBytes } = await import("node:crypto");
  const bin = fileURLToPath(new URL("../../bin/seep.js", import.meta.url));
  const runs: { xways: number; passed: boolean }[] = [];
  const say = (line: string) => process.stdout.write(`${line}\n`);
  say(
    `rating the real runtime: ${flags.workers} local workers, window [${flags.from}, ${flags.from + flags.duration}) s ` +
      `of a generated 3-hour-shaped stream (seed ${flags.seed}), replayed at event-time pace`,
  );
  say("    L    records    answers  valid  late   p99 ms   max ms");
  for (let xways = nextXways(runs, flags.maxXways); xways !== null; xways = nextXways(runs, flags.maxXways)) {
    const dir = join(flags.out, `L${xways}`);
    mkdirSync(dir, { recursive: true });
    const input = join(dir, "input.csv");
    const { records } = await writeLrbFiles(
      input,
      flags.seed,
      xways,
      flags.from + flags.duration,
      flags.from,
    );
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
    const pool = new LocalProcessPool({ command: [process.execPath, bin, "worker"], token });
    const removeCleanup = installSignalCleanup(pool);
    const answersPath = join(dir, "answers.csv");
    const answers = new LrbAnswersFile(answersPath);
    let summary: Awaited<ReturnType<InstanceType<typeof CloudRun>["run"]>>;
    try {
      summary = await new CloudRun({
        name: `lrb-rate-L${xways}`,
        pool,
        poolKind: "local",
        workers: flags.workers,
        token,
        workload: "lrb",
        params,
        plan: workloadNamed("lrb").plan(params, flags.seed),
        seed: flags.seed,
        batchSize: 1024,
        sourcePollMs: 100,
        startEventTimeMs: flags.from * 1000,
        // A run that falls far behind (outputs pile up) is cut off: its answers will not validate.
        untilMs: (flags.duration + RUN_MARGIN_S) * 1000,
        onOutput: (o) => answers.add(o.timeMs, o.value),
      }).run();
      answers.close();
    } catch (err) {
      answers.abandon();
      throw err;
    } finally {
      await pool.shutdown();
      removeCleanup();
    }
    const report = validate(expectedAnswers(input, `${input}.tolls`), answersPath);
    const late = report.mismatches.late.count;
    const passed = report.ok && summary.failures.length === 0;
    runs.push({ xways, passed });
    const ms = (x: number | null) => (x === null ? "-" : String(Math.round(x)));
    say(
      `${String(xways).padStart(5)} ${String(records).padStart(10)} ${String(summary.tuplesOut).padStart(10)}  ` +
        `${(report.ok ? "yes" : "no").padStart(5)} ${String(late).padStart(5)} ${ms(summary.latencyMs.p99).padStart(8)} ${ms(summary.latencyMs.max).padStart(8)}`,
    );
  }
  say(
    `L-rating: ${lRating(runs)} (real runtime, ${flags.workers} local workers on this machine, ` +
      `over event time [${flags.from}, ${flags.from + flags.duration}) s; a full 3-hour run per L is not made)`,
  );
}
