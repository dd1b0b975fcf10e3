// `seep lrb`: the Linear Road benchmark's tools. `seep lrb generate` writes a seeded
// input file (15-field CSV, no header) and the historical tolls beside it (cli/lrbFiles.ts
// writes them). An existing file (or a directory) at `-o` is refused before any work,
// unless `--force`; so is a run estimated long (cli/runEstimate.ts), unless `--yes`.

import { type Command, Option } from "commander";
import { UserError } from "../errors.js";
import { lrbFilesBars, writeLrbFiles } from "../lrbFiles.js";
import { forceOption, integerOption, quietOption, yesOption } from "../options.js";
import { stopsAfterValidation, validatesOnly } from "../validateOnly.js";
import { registerLrbRate } from "./lrbRate.js";
import { registerLrbValidate } from "./lrbValidate.js";

/** Flags of `seep lrb generate`, as parsed. */
interface GenerateFlags {
  readonly xways: number;
  readonly duration: number;
  readonly seed: number;
  readonly output: string;
  readonly quiet: boolean;
  readonly force: boolean;
  readonly yes: boolean;
}

/** Register `seep lrb` and its subcommands on `program`. */
export function registerLrb(program: Command): void {
  const lrb = program
    .command("lrb")
    .description("Linear Road benchmark tools: generate an input, validate a run's answers, find an L-rating")
    .summary("Linear Road tools: generate, validate, rate");
  const generate = lrb
    .command("generate")
    .description(
      "write a seeded Linear Road input file (Type,Time,VID,Spd,XWay,Lane,Dir,Seg,Pos,QID,S_init,S_end,DOW,TOD,Day; " +
        "-1 where unused) and its historical tolls as <FILE>.tolls (VID,Day,XWay,Toll); same seed, same bytes",
    )
    .summary("write a seeded Linear Road input and its tolls")
    .addOption(integerOption("--xways <n>", "expressways, L", 1, { min: 1, max: 1000 }))
    .addOption(
      integerOption("--duration <seconds>", "event-time length of the run", 10800, { min: 1, max: 86_400 }),
    )
    .addOption(integerOption("--seed <n>", "seed of every random choice", 0, { min: 0 }))
    .addOption(
      new Option(
        "-o, --output <file>",
        "input file to write; the tolls go to <file>.tolls (required)",
      ).makeOptionMandatory(),
    )
    .addOption(quietOption())
    .addOption(forceOption("the input file and its tolls"))
    .addOption(yesOption())
    .action(runGenerate);
  stopsAfterValidation(generate);
  registerLrbValidate(lrb);
  registerLrbRate(lrb);
}

async function runGenerate(flags: GenerateFlags, command: Command): Promise<void> {
  if (flags.output === "") throw new UserError("lrb generate needs -o <file>");
  const { checkOutputFile, prepareOutputFile } = await import("../outputPath.js");
  const { confirmRecords, terminalQuestion } = await import("../runEstimate.js");
  const { workloadSize } = await import("../../workloads/index.js");
  checkOutputFile(flags.output, "-o", flags.force);
  checkOutputFile(`${flags.output}.tolls`, "-o", flags.force);
  const validating = validatesOnly(command);
  const { sourceTuples } = workloadSize("lrb", { xways: flags.xways, durationS: flags.duration });
  await confirmRecords("lrb generate", sourceTuples, 50, "--xways, --duration", {
    yes: flags.yes,
    ask: validating ? undefined : terminalQuestion(),
  });
  if (validating) return;
  prepareOutputFile(flags.output, "-o");
  const { PhaseBars } = await import("../phaseBar.js");
  const bars = process.stderr.isTTY && !flags.quiet ? new PhaseBars(process.stderr) : null;
  const startedMs = performance.now();
  let written: { records: number; tollRows: number };
  try {
    written = await writeLrbFiles(
      flags.output,
      flags.seed,
      flags.xways,
      flags.duration,
      0,
      bars === null ? undefined : lrbFilesBars(bars),
    );
  } catch (err) {
    // A disk that fills up or goes away mid-way: the user's to fix, in one line.
    if (typeof (err as NodeJS.ErrnoException).code === "string")
      throw new UserError(`-o ${flags.output}: cannot write: ${(err as Error).message}`);
    throw err;
  } finally {
    bars?.stop();
  }
  const { records, tollRows } = written;
  const elapsedS = (performance.now() - startedMs) / 1000;
  process.stdout.write(
    `${records} records to ${flags.output}, ${tollRows} historical tolls to ${flags.output}.tolls, ` +
      `seed ${flags.seed}, ${elapsedS.toFixed(2)} s wall clock\n`,
  );
}
